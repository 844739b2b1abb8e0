import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutate, Rng } from './mutate.js';
import type { FuzzTarget } from './targets.js';

/** Saved inputs per target: seeds and every crash found, replayed by test/fuzz/fuzz.test.ts. */
export const CORPUS_DIR = join(import.meta.dirname, 'corpus');

export function corpusOf(target: string): { name: string; input: Buffer }[] {
  const dir = join(CORPUS_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => ({ name, input: readFileSync(join(dir, name)) }));
}

export function saveCrash(target: string, input: Buffer): string {
  const dir = join(CORPUS_DIR, target);
  mkdirSync(dir, { recursive: true });
  const name = `crash-${createHash('sha1').update(input).digest('hex').slice(0, 16)}.bin`;
  writeFileSync(join(dir, name), input);
  return join(dir, name);
}

export interface Crash {
  input: Buffer;
  error: string;
}

export interface FuzzOutcome {
  target: string;
  inputs: number;
  crashes: Crash[];
}

/** A slow input is a crash too: a parser must not spend seconds on a few KiB. */
const SLOW_MS = 5000;

/**
 * Runs one target until `stop(inputs)` says so: the seeds and saved corpus first,
 * then mutations of them and of inputs that passed. Distinct crashes (by message)
 * are returned with the smallest input seen for each.
 */
export async function fuzzTarget(target: FuzzTarget, options: { seed: number; stop: (inputs: number) => boolean }): Promise<FuzzOutcome> {
  const rng = new Rng(options.seed);
  const pool: Buffer[] = [...target.seeds, ...corpusOf(target.name).map((c) => c.input)];
  const crashes = new Map<string, Crash>();
  let inputs = 0;
  const tryOne = async (input: Buffer): Promise<void> => {
    inputs++;
    const started = performance.now();
    try {
      await target.run(input);
    } catch (error) {
      const message = error instanceof Error ? `${error.constructor.name}: ${error.message.slice(0, 200)}` : String(error);
      const key = message.replace(/\d+/g, 'N');
      const known = crashes.get(key);
      if (!known || input.length < known.input.length) crashes.set(key, { input, error: error instanceof Error ? (error.stack ?? message) : message });
      return;
    }
    const took = performance.now() - started;
    if (took > SLOW_MS) crashes.set(`slow:${input.length}`, { input, error: `slow: ${Math.round(took)} ms for ${input.length} bytes` });
    // Keep some inputs that passed as new starting points (bounded pool).
    if (rng.next() < 0.02) {
      if (pool.length < 500) pool.push(input);
      else pool[rng.int(pool.length)] = input;
    }
  };
  for (const input of [...pool]) await tryOne(input);
  while (!options.stop(inputs)) await tryOne(mutate(rng.pick(pool), rng, target.tokens, pool, target.maxBytes));
  return { target: target.name, inputs, crashes: [...crashes.values()] };
}
