/**
 * The bodies Open311 clients POST: `application/x-www-form-urlencoded` (the
 * specification's form) and `multipart/form-data` (the same fields plus an uploaded
 * photo, `media`). Pure and bounded: at most MAX_PARTS fields, names ≤ 200 bytes,
 * a field's value ≤ MAX_FIELD_BYTES; anything else is a FormError.
 */
export const MAX_PARTS = 64;
export const MAX_FIELD_BYTES = 10_000;

export interface FormFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedForm {
  /** Field → values, in order (`attribute[code]` may repeat for multi-value lists). */
  fields: Map<string, string[]>;
  files: FormFile[];
}

export class FormError extends Error {}

const addField = (form: ParsedForm, name: string, value: string): void => {
  if (name.length > 200) throw new FormError('a field name is longer than 200 characters');
  if (Buffer.byteLength(value) > MAX_FIELD_BYTES) throw new FormError(`field ${name.slice(0, 40)} is longer than ${MAX_FIELD_BYTES} bytes`);
  const list = form.fields.get(name);
  if (list) list.push(value);
  else form.fields.set(name, [value]);
  if (form.fields.size + form.files.length > MAX_PARTS) throw new FormError(`more than ${MAX_PARTS} fields`);
};

/** `a=1&b=%C3%A9+x`; malformed percent escapes are a FormError. */
export function parseUrlEncoded(body: string): ParsedForm {
  const form: ParsedForm = { fields: new Map(), files: [] };
  if (body.length === 0) return form;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    addField(form, decode(rawName), decode(rawValue));
  }
  return form;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new FormError('a field is not valid percent-encoded UTF-8');
  }
}

/** The boundary of a `multipart/form-data; boundary=…` content type, or a FormError. */
export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) throw new FormError('multipart/form-data without a boundary');
  return b;
}

/** RFC 7578 multipart/form-data: each part's Content-Disposition name (and filename), Content-Type, body. */
export function parseMultipart(body: Buffer, boundary: string): ParsedForm {
  const form: ParsedForm = { fields: new Map(), files: [] };
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw new FormError('no multipart boundary in the body');
  for (;;) {
    at += delimiter.length;
    // "--" after a delimiter closes the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return form;
    if (body[at] === 0x0d && body[at + 1] === 0x0a) at += 2;
    else throw new FormError('a multipart delimiter is not followed by CRLF');
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) throw new FormError('a multipart part has no end of headers');
    const headers = body.subarray(at, headerEnd).toString('utf8');
    if (headers.length > 2000) throw new FormError('multipart part headers are too long');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new FormError('a multipart part is not closed by the boundary');
    const content = body.subarray(headerEnd + 4, next);
    let name: string | null = null;
    let filename: string | null = null;
    let contentType = 'text/plain';
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) throw new FormError('a multipart header line has no colon');
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'content-disposition') {
        if (!/^form-data\b/i.test(value)) throw new FormError('a part is not form-data');
        name = param(value, 'name');
        filename = param(value, 'filename');
      } else if (key === 'content-type') contentType = value.toLowerCase().slice(0, 100);
    }
    if (name === null) throw new FormError('a multipart part has no name');
    if (filename !== null) {
      form.files.push({ field: name, filename: filename.slice(0, 200), contentType, data: Buffer.from(content) });
      if (form.fields.size + form.files.length > MAX_PARTS) throw new FormError(`more than ${MAX_PARTS} fields`);
    } else addField(form, name, content.toString('utf8'));
    at = next + 2;
  }
}

function param(header: string, key: string): string | null {
  const m = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header) ?? new RegExp(`;\\s*${key}=([^;\\s]+)`, 'i').exec(header);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : null;
}

/** The first value of a field, trimmed; null when absent or empty. */
export function field(form: ParsedForm, name: string): string | null {
  const v = form.fields.get(name)?.[0]?.trim();
  return v ? v : null;
}

/** `attribute[code]` fields as code → value (or values when repeated / `attribute[code][]`). */
export function attributesOf(form: ParsedForm): Record<string, string[]> {
  // No prototype: a code named __proto__ or constructor is a plain key.
  const out = Object.create(null) as Record<string, string[]>;
  for (const [name, values] of form.fields) {
    const m = /^attribute\[([^\]]{1,100})\](\[\])?$/.exec(name);
    if (m) (out[m[1]!] ??= []).push(...values);
  }
  return out;
}
