/**
 * Text that leaves Vigil for other programs: spreadsheet cells and labels that came
 * from outside (OpenStreetMap names anyone can edit).
 */

/**
 * CSV/spreadsheet formula injection (OWASP "CSV Injection", CWE-1236): a text cell
 * starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
 * Excel, LibreOffice and Google Sheets. Such a cell is prefixed with `'`, which the
 * spreadsheets show as text. Numbers are written as numbers and never changed.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV field (RFC 4180 quoting) with formula cells neutralised. */
export function safeCsvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? neutraliseFormula(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV download: CRLF lines, RFC 4180 quoting, formula cells neutralised. */
export function toSafeCsv(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return rows.map((r) => r.map(safeCsvField).join(',')).join('\r\n') + '\r\n';
}

// C0/C1 controls, and the Unicode bidirectional embeddings, overrides and isolates that can make a label read backwards.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A label from outside (an OSM area name): control and bidi-override characters removed,
 * white space (tabs, line breaks) collapsed to one space, trimmed, at most `max`
 * characters. HTML stays text: every page escapes it where it is written.
 */
export function cleanLabel(text: string, max = 120): string {
  const s = text.normalize('NFC').replace(UNSAFE_CHARS, '').replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
