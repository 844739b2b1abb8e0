import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { nonPublicLiteral, publicOnlyLookup } from './outbound-guard.js';

/**
 * Vigil's one way of POSTing to a peer outside it (webhooks, the Cell Broadcast Centre,
 * push services, plan notifications): a per-attempt timeout, a bounded answer, retries
 * with backoff that honour Retry-After, and redirects never followed (a 3xx is a failure
 * with its status: a peer must not steer Vigil elsewhere). With `publicOnly` the peer
 * must be a public address, checked on the addresses resolved at connect time
 * (outbound-guard.ts); refused at once, never retried.
 */

/** One attempt's outcome. A failure says whether another attempt may help, and the HTTP status when there was one. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; error: string; retry: boolean; status?: number; statusText?: string; retryAfterMs?: number };

/** What the peer answered: status and (at most `maxBytes` of) the body as text. */
export interface HttpAnswer {
  status: number;
  text: string;
}

export interface PostOnceOptions {
  /** One attempt's limit, connect to end of answer (default 10 s). */
  timeoutMs?: number;
  /** The most of the answer read; a longer answer fails the attempt (default 1 MiB). */
  maxBytes?: number;
  /** Aborts the attempt in flight (and, in `post`, the waits): Vigil is stopping. */
  signal?: AbortSignal;
  /** The SSRF guard: public addresses only. */
  publicOnly?: boolean;
  /** An agent of the caller's (a private CA, keep-alive). */
  agent?: HttpAgent;
  /** Which HTTP statuses another attempt may cure (default 408, 429 and 5xx). */
  retryStatus?: (status: number) => boolean;
}

export interface RetryOptions {
  /** Waits before the 2nd, 3rd… attempt: one attempt more than there are waits (default 1 s, 4 s, 16 s). */
  backoffMs?: readonly number[];
  /** The longest a peer's Retry-After is honoured for (default 30 s); a longer one waits this long. */
  maxRetryAfterMs?: number;
  /** Told after a failed attempt that will be tried again: what failed and how long it waits (a delivery log shows it). */
  onRetry?: (retry: { attempt: number; error: string; status?: number; waitMs: number }) => void;
}

export interface PostOptions<T> extends PostOnceOptions, RetryOptions {
  /** Headers, or the headers of attempt n (1-based): e.g. a signature with the time it was sent. */
  headers?: Record<string, string> | ((attempt: number) => Record<string, string>);
  /** Reads a 2xx answer; a failure here fails the attempt (retried when it says so). */
  read?: (answer: HttpAnswer) => Attempt<T>;
}

export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 4_000, 16_000];
const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

/** `attempts` attempts, the first wait `baseDelayMs`, each next one `factor` times longer: backoff(4, 1000) is 1 s, 4 s, 16 s. */
export function backoff(attempts: number, baseDelayMs: number, factor = 4): number[] {
  return Array.from({ length: Math.max(0, attempts - 1) }, (_, i) => baseDelayMs * factor ** i);
}

const defaultRetryStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** A Retry-After header (delay-seconds or an HTTP-date) in ms from `now`, or undefined. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** One POST, its answer read; never throws. */
export async function postOnce(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  options: PostOnceOptions = {},
): Promise<Attempt<HttpAnswer>> {
  const target = new URL(url);
  if (options.publicOnly) {
    const literal = nonPublicLiteral(target.hostname);
    if (literal !== null)
      return {
        ok: false,
        error: `${literal} is a private or local address; webhooks reach public addresses only unless VIGIL_WEBHOOK_ALLOW_PRIVATE=true`,
        retry: false,
      };
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const retryStatus = options.retryStatus ?? defaultRetryStatus;
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Attempt<HttpAnswer>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuter);
      resolve(a);
    };
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(options.agent ? { agent: options.agent } : {}),
        ...(options.publicOnly ? { lookup: publicOnlyLookup } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            request.destroy();
            return done({ ok: false, error: `answer larger than ${maxBytes} bytes`, retry: true });
          }
          chunks.push(chunk);
        });
        res.on('error', (e) => done({ ok: false, error: e.message, retry: true }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) return done({ ok: true, value: { status, text } });
          const wait = retryAfterMs(res.headers['retry-after']);
          done({
            ok: false,
            error: `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`,
            retry: retryStatus(status),
            status,
            statusText: res.statusMessage ?? '',
            ...(wait !== undefined ? { retryAfterMs: wait } : {}),
          });
        });
      },
    );
    const fail = (e: Error & { code?: string }): void => {
      request.destroy();
      done({ ok: false, error: e.message, retry: e.code !== 'EPRIVATEADDRESS' });
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const onOuter = (): void => fail(new Error('Vigil is stopping'));
    request.on('error', fail);
    if (options.signal?.aborted) return onOuter();
    options.signal?.addEventListener('abort', onOuter);
    request.end(body);
  });
}

/** A wait that ends early when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Tries until success, a final failure, or the waits are used up (one attempt more than
 * there are waits). A failure that carries a peer's Retry-After waits that long instead,
 * when longer, up to `maxRetryAfterMs`. An aborted `signal` ends it as 'stopped'.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<Attempt<T>>,
  options: RetryOptions & { signal?: AbortSignal } = {},
): Promise<Attempt<T> & { attempts: number }> {
  const waits = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const stopped = (n: number): Attempt<T> & { attempts: number } => ({ ok: false, error: 'stopped', retry: false, attempts: n });
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if (result.ok || !result.retry || n > waits.length) return { ...result, attempts: n };
    if (options.signal?.aborted) return stopped(n);
    const asked = result.retryAfterMs === undefined ? 0 : Math.min(result.retryAfterMs, options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
    const waitMs = Math.max(waits[n - 1]!, asked);
    options.onRetry?.({ attempt: n, error: result.error, ...(result.status !== undefined ? { status: result.status } : {}), waitMs });
    await pause(waitMs, options.signal);
    if (options.signal?.aborted) return stopped(n);
  }
}

/** POSTs with retries: the answer (read by `read` when given) or the last failure, and how many attempts it took. */
export async function post<T = HttpAnswer>(url: string, body: string | Buffer, options: PostOptions<T> = {}): Promise<Attempt<T> & { attempts: number }> {
  const { headers, read, backoffMs, maxRetryAfterMs, onRetry, ...once } = options;
  return withRetries(
    async (n) => {
      const answer = await postOnce(url, body, typeof headers === 'function' ? headers(n) : (headers ?? {}), once);
      if (!answer.ok || !read) return answer as Attempt<T>;
      return read(answer.value);
    },
    {
      ...(backoffMs ? { backoffMs } : {}),
      ...(maxRetryAfterMs !== undefined ? { maxRetryAfterMs } : {}),
      ...(onRetry ? { onRetry } : {}),
      ...(once.signal ? { signal: once.signal } : {}),
    },
  );
}
