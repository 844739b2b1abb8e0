import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { after, test } from 'node:test';
import { VigilError } from '../../kernel/errors.js';
import { tuning } from '../../kernel/tuning.js';
import { CHROMIUM, PdfPrinter, pdfGate, pdfPrinter, printPdf } from './print-pdf.js';

after(() => pdfPrinter.close());

test(
  'PDF exports for requests: the same document twice is one print; a third export of one user is a 429 with Retry-After',
  { skip: !existsSync(CHROMIUM) && !process.env.CI },
  async () => {
    const page = (n: number) => `<!doctype html><html><body><h1>Timeline ${n}</h1></body></html>`;
    const before = { ...pdfGate.stats };
    const a1 = printPdf(page(1), 'user:a');
    const a2 = printPdf(page(2), 'user:a');
    assert.throws(
      () => printPdf(page(3), 'user:a'),
      (e: unknown) => e instanceof VigilError && e.code === 'rate_limited' && (e.details as { retryAfterSeconds: number }).retryAfterSeconds > 0,
    );
    const b = printPdf(page(1), 'user:b');
    const pdfs = await Promise.all([a1, a2, b]);
    for (const pdf of pdfs) assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
    assert.equal(pdfGate.stats.runs - before.runs, 2, 'two documents, two prints');
    assert.equal(pdfGate.stats.joined - before.joined, 1, 'the same document asked again joined the print in progress');
    assert.equal(pdfGate.stats.refused - before.refused, 1);
    // Once done, the user may export again.
    assert.equal((await printPdf(page(3), 'user:a')).subarray(0, 4).toString(), '%PDF');
  },
);

/** Every process under `root` (Linux /proc): pid → [ppid, nice, command line]. */
function descendants(root: number): { pid: number; nice: number; cmd: string }[] {
  const all = new Map<number, { ppid: number; nice: number; cmd: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After "pid (comm) ": state is field 3, ppid 4, nice 19.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      all.set(Number(name), { ppid: Number(fields[1]), nice: Number(fields[16]), cmd });
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; nice: number; cmd: string }[] = [];
  const walk = (parent: number): void => {
    for (const [pid, p] of all)
      if (p.ppid === parent) {
        out.push({ pid, nice: p.nice, cmd: p.cmd });
        walk(pid);
      }
  };
  walk(root);
  return out;
}

test(
  'Chromium runs at the heavy-work priority (VIGIL_WORKER_NICE): the browser and every process it forked',
  { skip: process.platform !== 'linux' || (!existsSync(CHROMIUM) && !process.env.CI) },
  async () => {
    const printer = new PdfPrinter(1);
    try {
      assert.equal((await printer.print('<!doctype html><p>nice</p>')).subarray(0, 4).toString(), '%PDF');
      const expected = Math.min(19, getPriority() + tuning('VIGIL_WORKER_NICE')!);
      const browser = descendants(process.pid).filter((p) => p.cmd.includes('chrom'));
      assert.ok(browser.length >= 2, `the browser and its children (found ${browser.length})`);
      // At the configured nice or lower still (Chromium may background a process further, never raise one).
      for (const p of browser) assert.ok(p.nice >= expected, `${p.pid} at nice ${p.nice}, not ${expected}: ${p.cmd.slice(0, 80)}`);
    } finally {
      await printer.close();
    }
  },
);
