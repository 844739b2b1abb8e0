import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { nonPublicLiteral, publicOnlyLookup } from '../../adapters/http/outbound-guard.js';
import type { CapInfo } from '../cap/cap-model.js';
import type { ChannelTexts } from '../messages/channel-text.js';
import type { AlertRecord, Channel } from '../model.js';
import type { TargetArea } from '../targeting/area-geometry.js';
import type { DeliveryEvents } from './delivery-state.js';

/** What the dispatcher hands a channel that runs its own delivery (cell broadcast, webhooks). */
export interface ChannelRun {
  alert: AlertRecord;
  infos: CapInfo[];
  area: TargetArea;
  textsOf: (info: CapInfo) => ChannelTexts;
  /** Records one step of this channel's progress, durably. */
  record: (data: DeliveryEvents['alerts.delivery.updated']) => Promise<unknown>;
}

/** A channel whose peers are not per-person messages: it talks to its peer itself and reports progress the same way. */
export interface ChannelRunner {
  readonly channel: Channel;
  run(job: ChannelRun): Promise<void>;
  stop(): void;
  close(): Promise<void>;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: string; retry: boolean };

/** Tries until success, a final error, or the waits are used up (one attempt more than there are waits). */
export async function withRetries<T>(attempt: (n: number) => Promise<Attempt<T>>, backoffMs: readonly number[], stopped: () => boolean): Promise<Attempt<T> & { attempts: number }> {
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if (result.ok || !result.retry || n > backoffMs.length) return { ...result, attempts: n };
    if (stopped()) return { ok: false, error: 'stopped', retry: false, attempts: n };
    await new Promise((r) => setTimeout(r, backoffMs[n - 1]).unref());
    if (stopped()) return { ok: false, error: 'stopped', retry: false, attempts: n };
  }
}

/**
 * POSTs a body and reads at most `maxBytes` of the answer; network errors and timeouts are
 * retryable, as are 408, 429 and 5xx. Redirects are not followed. With `publicOnly` the
 * peer must be a public address (outbound-guard.ts): refused at once, not retried.
 */
export async function postOnce(url: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; maxBytes: number; signal?: AbortSignal; publicOnly?: boolean }): Promise<Attempt<{ status: number; text: string }>> {
  const target = new URL(url);
  if (options.publicOnly) {
    const literal = nonPublicLiteral(target.hostname);
    if (literal !== null) return { ok: false, error: `${literal} is a private or local address; webhooks reach public addresses only unless VIGIL_WEBHOOK_ALLOW_PRIVATE=true`, retry: false };
  }
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Attempt<{ status: number; text: string }>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuter);
      resolve(a);
    };
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(options.publicOnly ? { lookup: publicOnlyLookup } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          request.destroy();
          return done({ ok: false, error: `answer larger than ${options.maxBytes} bytes`, retry: true });
        }
        chunks.push(chunk);
      });
      res.on('error', (e) => done({ ok: false, error: e.message, retry: true }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        if (status >= 200 && status < 300) return done({ ok: true, value: { status, text } });
        const retry = status === 408 || status === 429 || status >= 500;
        done({ ok: false, error: `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, retry });
      });
    });
    const fail = (e: Error & { code?: string }): void => {
      request.destroy();
      done({ ok: false, error: e.message, retry: e.code !== 'EPRIVATEADDRESS' });
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const onOuter = (): void => fail(new Error('Vigil is stopping'));
    options.signal?.addEventListener('abort', onOuter);
    request.on('error', fail);
    request.end(body);
  });
}
