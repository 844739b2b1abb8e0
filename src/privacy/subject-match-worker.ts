import { openWithKey } from '../kernel/secrets.js';
import { phoneDigits } from '../platform/personal-data.js';

/** One candidate as it crosses to the worker: each sealed value with its key (null: absent or shredded). */
export interface MatchItem {
  values: ({ key: Uint8Array; sealed: string } | null)[];
  email: readonly number[];
  phone: readonly number[];
}

export interface MatchInput {
  /** Lower-cased e-mail address, or null. */
  email: string | null;
  /** Phone digits (personal-data.ts `phoneDigits`), or null. */
  digits: string | null;
  items: MatchItem[];
}

export interface MatchOutput {
  /** The candidates that are about the person, with their opened values. */
  hits: { index: number; opened: unknown[] }[];
  /** The thread that opened them (tests show it was not the main thread). */
  threadId: number;
}

const field = (value: unknown, name: 'email' | 'phone'): string | null => {
  const v = value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : null;
  return typeof v === 'string' ? v : null;
};

/**
 * Opens candidates' sealed values (AES-256-GCM per record) and keeps those whose e-mail or phone is the
 * person's: the data-subject export's and erasure's heavy part, run in the worker pool.
 */
export async function matchSealed(input: MatchInput): Promise<MatchOutput> {
  const { threadId } = await import('node:worker_threads');
  const hits: MatchOutput['hits'] = [];
  input.items.forEach((item, index) => {
    const opened = item.values.map((v) => {
      const plain = v ? openWithKey(Buffer.from(v.key.buffer, v.key.byteOffset, v.key.byteLength), v.sealed) : null;
      return plain === null ? null : (JSON.parse(plain) as unknown);
    });
    const byEmail = input.email !== null && item.email.some((i) => field(opened[i], 'email')?.toLowerCase() === input.email);
    const byPhone = input.digits !== null && item.phone.some((i) => phoneDigits(field(opened[i], 'phone')) === input.digits);
    if (byEmail || byPhone) hits.push({ index, opened });
  });
  return { hits, threadId };
}
