import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { nonPublicLiteral, publicOnlyLookup } from './outbound-guard.js';
import { retryAfterMs } from './outbound-http.js';

/** What a GET brought back: the status (304 when unchanged), the validators for the next one, and the body. */
export type GetAnswer =
  | { ok: true; status: number; bytes: Buffer; etag: string | null; lastModified: string | null; contentType: string | null }
  | { ok: false; error: string; status?: number; retryAfterMs?: number };

/**
 * One GET to a peer outside Vigil (another agency's CAP feed): conditional (If-None-Match,
 * If-Modified-Since), a time limit, a bounded body, redirects not followed, and with
 * `publicOnly` the same SSRF guard as webhooks (outbound-guard.ts: public addresses only,
 * checked on the addresses resolved at connect time). Never throws.
 */
export function getOnce(
  url: string,
  options: {
    etag?: string | null;
    lastModified?: string | null;
    timeoutMs?: number;
    maxBytes: number;
    publicOnly: boolean;
    signal?: AbortSignal;
    accept?: string;
  },
): Promise<GetAnswer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, error: `not a URL: ${url.slice(0, 100)}` });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve({ ok: false, error: `${target.protocol} is not http or https` });
  if (options.publicOnly) {
    const literal = nonPublicLiteral(target.hostname);
    if (literal !== null)
      return Promise.resolve({
        ok: false,
        error: `${literal} is a private or local address; feeds are read from public addresses only unless VIGIL_WEBHOOK_ALLOW_PRIVATE=true`,
      });
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: GetAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(a);
    };
    const headers: Record<string, string> = {
      'user-agent': 'Vigil',
      accept: options.accept ?? 'application/atom+xml, application/rss+xml, application/cap+xml, application/xml;q=0.9, */*;q=0.5',
    };
    if (options.etag) headers['if-none-match'] = options.etag;
    if (options.lastModified) headers['if-modified-since'] = options.lastModified;
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      { method: 'GET', headers, ...(options.publicOnly ? { lookup: publicOnlyLookup } : {}) },
      (res) => {
        const status = res.statusCode ?? 0;
        const header = (name: string): string | null => {
          const v = res.headers[name];
          return typeof v === 'string' ? v : null;
        };
        if (status === 304) {
          res.resume();
          return done({
            ok: true,
            status,
            bytes: Buffer.alloc(0),
            etag: header('etag') ?? options.etag ?? null,
            lastModified: header('last-modified') ?? options.lastModified ?? null,
            contentType: null,
          });
        }
        if (status < 200 || status >= 300) {
          res.resume();
          const wait = retryAfterMs(res.headers['retry-after']);
          const where =
            status >= 300 && status < 400
              ? ` (redirects are not followed; use the final URL${header('location') ? `: ${header('location')!.slice(0, 200)}` : ''})`
              : '';
          return done({ ok: false, error: `HTTP ${status}${where}`, status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
        }
        const declared = Number(header('content-length'));
        if (declared > options.maxBytes) {
          req.destroy();
          return done({ ok: false, error: `the answer is ${declared} bytes; at most ${options.maxBytes} are read` });
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            req.destroy();
            return done({ ok: false, error: `the answer is larger than ${options.maxBytes} bytes` });
          }
          chunks.push(chunk);
        });
        res.on('error', (e) => done({ ok: false, error: e.message }));
        res.on('end', () =>
          done({
            ok: true,
            status,
            bytes: Buffer.concat(chunks),
            etag: header('etag'),
            lastModified: header('last-modified'),
            contentType: header('content-type'),
          }),
        );
      },
    );
    const fail = (e: Error): void => {
      req.destroy();
      done({ ok: false, error: e.message });
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = (): void => fail(new Error('Vigil is stopping'));
    req.on('error', fail);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort);
    req.end();
  });
}
