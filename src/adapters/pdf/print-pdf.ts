import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { VigilError } from '../../kernel/errors.js';
import { JobGate, Semaphore } from '../../platform/heavy/job-gate.js';
import { tuning } from '../../kernel/tuning.js';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
const NICE = '/usr/bin/nice';
const PRLIMIT = '/usr/bin/prlimit';
const SETPRIV = '/usr/bin/setpriv';

/**
 * What playwright-core starts: on Linux, with VIGIL_WORKER_NICE above 0, a small wrapper
 * that execs Chromium through `nice`, so the browser and every process it forks (zygote,
 * renderers, GPU and utility processes) run at the heavy-work priority from their first
 * instruction — renicing the browser after it started would miss the processes it forked
 * meanwhile. Chromium sets its own threads' and children's niceness (its display threads
 * to −8, foreground renderers to 0): RLIMIT_NICE 0 (prlimit) keeps it from lowering any niceness,
 * and when the node runs as root, CAP_SYS_NICE is dropped from its bounding set (setpriv),
 * without which the limit does not bind. Elsewhere (or without nice(1)), Chromium itself,
 * at the node's priority.
 */
export function chromiumExecutable(chromium = CHROMIUM, nice = tuning('VIGIL_WORKER_NICE') ?? 0): string {
  if (process.platform !== 'linux' || nice <= 0 || !existsSync(NICE)) return chromium;
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [NICE, '-n', String(nice)];
  if (existsSync(PRLIMIT)) command.push(PRLIMIT, '--nice=0');
  if (process.getuid?.() === 0 && existsSync(SETPRIV)) command.push(SETPRIV, '--bounding-set=-sys_nice', '--inh-caps=-sys_nice');
  command.push(quote(chromium));
  try {
    const wrapper = join(mkdtempSync(join(tmpdir(), 'vigil-chromium-')), 'chromium');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${command.join(' ')} "$@"\n`, { mode: 0o700 });
    return wrapper;
  } catch {
    return chromium; // no writable temporary folder: Chromium at the node's priority rather than no PDF
  }
}

/**
 * Prints HTML to PDF with one shared headless Chromium (Debian's package, driven
 * through playwright-core) and a bounded number of pages at once. Starting a
 * Chromium per request cost a second of CPU each and had no bound: twenty exports
 * meant twenty browsers beside the alarm path. The browser starts on first use and
 * stops after a quiet minute or when the node closes.
 */
export class PdfPrinter {
  private browser: Promise<Browser> | null = null;
  private idle: NodeJS.Timeout | null = null;
  private busy = 0;
  private executable: string | null = null;
  /** Browsers started so far (tests show many prints share one). */
  launches = 0;
  readonly pages: Semaphore;

  constructor(
    pages = tuning('VIGIL_PDF_PAGES')!,
    private readonly idleMs = 60_000,
  ) {
    this.pages = new Semaphore(pages);
  }

  async print(html: string, timeoutMs = 30_000): Promise<Buffer> {
    if (!existsSync(CHROMIUM))
      throw new VigilError('unavailable', `PDF export needs Chromium at ${CHROMIUM} (apt-get install chromium); the HTML export works without it`);
    return this.pages.use(async () => {
      this.busy++;
      if (this.idle) clearTimeout(this.idle);
      try {
        const browser = await this.launch();
        // A context per document: nothing of one export (storage, cache) reaches the next.
        const context = await browser.newContext({ javaScriptEnabled: false });
        try {
          const page = await context.newPage();
          page.setDefaultTimeout(timeoutMs);
          await page.setContent(html, { waitUntil: 'load', timeout: timeoutMs });
          const pdf = await page.pdf({ preferCSSPageSize: true });
          if (pdf.subarray(0, 4).toString() !== '%PDF') throw new VigilError('internal', 'Chromium did not write a PDF');
          return pdf;
        } finally {
          await context.close().catch(() => {});
        }
      } catch (error) {
        if (error instanceof VigilError) throw error;
        throw new VigilError('unavailable', `Chromium could not print: ${(error as Error).message}`);
      } finally {
        if (--this.busy === 0) {
          this.idle = setTimeout(() => void this.close(), this.idleMs);
          this.idle.unref();
        }
      }
    });
  }

  private launch(): Promise<Browser> {
    if (!this.browser) {
      this.launches++;
      this.executable ??= chromiumExecutable();
      const executablePath = this.executable;
      const starting = import('playwright-core').then(({ chromium }) =>
        chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'], timeout: 30_000 }),
      );
      this.browser = starting;
      starting.then(
        (b) => b.on('disconnected', () => this.browser === starting && (this.browser = null)),
        () => this.browser === starting && (this.browser = null),
      );
    }
    return this.browser;
  }

  /** Stops the browser (the next print starts another). */
  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    const executable = this.executable;
    this.executable = null;
    if (this.idle) clearTimeout(this.idle);
    await (await browser?.catch(() => null))?.close().catch(() => {});
    // The wrapper's folder goes with the browser (the next launch writes another).
    if (executable && executable !== CHROMIUM) rmSync(dirname(executable), { recursive: true, force: true });
  }
}

/** The node's one printer. */
export const pdfPrinter = new PdfPrinter();

/**
 * The door in front of it, for requests: the same document asked again while it prints is
 * one print; a user holds at most two exports (running or waiting); at most 16 wait in
 * all. Beyond, 429 with Retry-After — a burst of exports no longer queues without end.
 */
export const pdfGate = new JobGate('PDF export', { concurrency: pdfPrinter.pages.limit, queue: 16, perUser: 2, retryAfterSeconds: 5 });

/** Prints an HTML page to PDF for `user` (through pdfGate); 503 when Chromium is not installed, 429 over the user's quota. */
export function printPdf(html: string, user: string, timeoutMs = 30_000): Promise<Buffer> {
  const key = createHash('sha256').update(html).digest('hex');
  return pdfGate.run({ user, key }, () => pdfPrinter.print(html, timeoutMs));
}
