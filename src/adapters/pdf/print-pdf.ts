import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { VigilError } from '../../kernel/errors.js';
import { JobGate, Semaphore } from '../../platform/heavy/job-gate.js';
import { tuning } from '../../kernel/tuning.js';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

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
      const starting = import('playwright-core').then(({ chromium }) =>
        chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], timeout: 30_000 }),
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
    if (this.idle) clearTimeout(this.idle);
    await (await browser?.catch(() => null))?.close().catch(() => {});
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
