import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '../../kernel/errors.js';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

/** Prints an HTML page to PDF with headless Chromium (Debian's package); 503 when it is not installed. */
export async function printPdf(html: string, timeoutMs = 30_000): Promise<Buffer> {
  if (!existsSync(CHROMIUM))
    throw new VigilError('unavailable', `PDF export needs Chromium at ${CHROMIUM} (apt-get install chromium); the HTML export works without it`);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pdf-'));
  try {
    writeFileSync(join(dir, 'page.html'), html);
    const out = join(dir, 'page.pdf');
    await new Promise<void>((resolve, reject) => {
      execFile(
        CHROMIUM,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--no-pdf-header-footer',
          `--user-data-dir=${join(dir, 'profile')}`,
          `--print-to-pdf=${out}`,
          `file://${join(dir, 'page.html')}`,
        ],
        { timeout: timeoutMs },
        (error) => (error ? reject(new VigilError('unavailable', `Chromium could not print: ${error.message}`)) : resolve()),
      );
    });
    const pdf = readFileSync(out);
    if (pdf.subarray(0, 4).toString() !== '%PDF') throw new VigilError('internal', 'Chromium did not write a PDF');
    return pdf;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
