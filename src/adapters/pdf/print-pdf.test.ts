import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import { VigilError } from '../../kernel/errors.js';
import { CHROMIUM, pdfGate, pdfPrinter, printPdf } from './print-pdf.js';

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
