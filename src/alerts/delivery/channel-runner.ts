import type { CapInfo } from '../cap/cap-model.js';
import type { ChannelTexts } from '../channels/channel-text.js';
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

/** POSTs a body and reads at most `maxBytes` of the answer; network errors and timeouts are retryable, as are 408, 429 and 5xx. */
export async function postOnce(url: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; maxBytes: number; signal?: AbortSignal }): Promise<Attempt<{ status: number; text: string }>> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
  const onOuter = (): void => abort.abort(new Error('Vigil is stopping'));
  options.signal?.addEventListener('abort', onOuter);
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: abort.signal, redirect: 'manual' });
    const text = await readLimited(res, options.maxBytes);
    if (res.ok) return { ok: true, value: { status: res.status, text } };
    const retry = res.status === 408 || res.status === 429 || res.status >= 500;
    return { ok: false, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, retry };
  } catch (error) {
    const e = error as Error;
    return { ok: false, error: (e.cause as Error | undefined)?.message ?? e.message, retry: true };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuter);
  }
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new Error(`answer larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
