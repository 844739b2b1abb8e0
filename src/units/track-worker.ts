import { threadId } from 'node:worker_threads';
import { openWithKey } from '../kernel/secrets.js';
import { movedToCaller } from '../platform/heavy/move.js';
import type { StoredFix } from './events.js';
import type { Fix } from './model.js';

/**
 * A unit's track in the worker pool: the fixes are sealed at rest (one key per unit and
 * day), and opening 20 000 events' worth of them, sorting them and writing the answer's
 * JSON is work the main thread — which answers DC-09 panels — should not do.
 *
 * Fixes travel between threads packed, five numbers a fix: at, lon, lat, speed, heading
 * (NaN for a speed or heading that is null).
 */
export const FIX_WIDTH = 5;

/** One batch of log events: sealed fixes with the keys to open them, or plain fixes of older events. */
export interface TrackBatch {
  /** Key subject → the key's bytes (from the key vault, read on the main thread). */
  keys: [string, Uint8Array][];
  items: ({ key: string; sealed: string } | { fixes: StoredFix[] })[];
  from: number;
  to: number;
}

export interface OpenedBatch {
  packed: Float64Array;
  /** Key subjects (unit and day) whose fixes were read: the personal-data read recorded for them. */
  days: string[];
  threadId: number;
}

/** Opens a batch's sealed fixes and keeps those between `from` and `to`, in log order. */
export function openTrackBatch(task: TrackBatch): OpenedBatch {
  const keys = new Map(task.keys.map(([subject, bytes]) => [subject, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)] as const));
  const rows: number[] = [];
  const days = new Set<string>();
  for (const item of task.items) {
    let fixes: StoredFix[];
    if ('sealed' in item) {
      const key = keys.get(item.key);
      const plain = key ? openWithKey(key, item.sealed) : null;
      // A day whose key was shredded (retention) has no fixes any more.
      fixes = plain === null ? [] : (JSON.parse(plain) as StoredFix[]);
    } else fixes = item.fixes;
    for (const [at, lon, lat, speed, heading] of fixes) {
      if (at < task.from || at > task.to) continue;
      rows.push(at, lon, lat, speed ?? NaN, heading ?? NaN);
      if ('sealed' in item) days.add(item.key);
    }
  }
  const packed = Float64Array.from(rows);
  return movedToCaller({ packed, days: [...days], threadId }, [packed.buffer as ArrayBuffer]);
}

/** The fixes of all batches, oldest first (equal times keep log order), the newest `max` of them. */
export function finishTrack(chunks: readonly Float64Array[], max: number): Float64Array {
  const n = chunks.reduce((sum, c) => sum + c.length / FIX_WIDTH, 0);
  const all = new Float64Array(n * FIX_WIDTH);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => all[a * FIX_WIDTH]! - all[b * FIX_WIDTH]! || a - b);
  const kept = order.length > max ? order.slice(order.length - max) : order;
  const out = new Float64Array(kept.length * FIX_WIDTH);
  kept.forEach((row, i) => out.set(all.subarray(row * FIX_WIDTH, (row + 1) * FIX_WIDTH), i * FIX_WIDTH));
  return out;
}

export function unpackFixes(packed: Float64Array): Fix[] {
  const out: Fix[] = new Array(packed.length / FIX_WIDTH);
  for (let i = 0; i < out.length; i++) {
    const r = i * FIX_WIDTH;
    const speed = packed[r + 3]!;
    const heading = packed[r + 4]!;
    out[i] = {
      at: packed[r]!,
      position: [packed[r + 1]!, packed[r + 2]!],
      speed: Number.isNaN(speed) ? null : speed,
      heading: Number.isNaN(heading) ? null : heading,
    };
  }
  return out;
}

/** The track answer's JSON, written here: sorting and serialising 20 000 fixes is not the main thread's work. */
export function trackJsonInWorker(task: { chunks: Float64Array[]; max: number; unitId: string; from: number; to: number; nextAfterSeq: number | null }): {
  json: string;
  threadId: number;
} {
  const fixes = unpackFixes(finishTrack(task.chunks, task.max)).map((f) => ({ ...f, at: new Date(f.at).toISOString() }));
  const json = JSON.stringify({
    unitId: task.unitId,
    from: new Date(task.from).toISOString(),
    to: new Date(task.to).toISOString(),
    fixes,
    nextAfterSeq: task.nextAfterSeq,
  });
  return { json, threadId };
}
