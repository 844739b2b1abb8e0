/**
 * RFC 4180 CSV: comma-separated fields, double quotes around fields holding
 * commas, quotes or line breaks, a quote inside doubled; CRLF or LF. Returns the
 * rows with the line each starts on (for error messages). Throws on an
 * unterminated quote or text after a closing quote.
 */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  let quoted = false;
  let afterQuote = false;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        afterQuote = true;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (c === '\n' || c === '\r') {
      endRow();
      afterQuote = false;
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      rowLine = line;
    } else if (afterQuote) {
      throw new CsvError(line, 'text after a closing quote');
    } else if (c === '"' && field === '') {
      quoted = true;
    } else {
      field += c;
    }
    i++;
  }
  if (quoted) throw new CsvError(rowLine, 'a quoted field is not closed');
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** One CSV field as written by parseCsv's counterpart (quotes only where needed). */
export function csvField(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: (string | number | null)[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
