// The entry of every worker thread in the pool (worker-pool.ts). On Node 20 a worker
// does not inherit the tsx loader of the main thread, and `--import tsx` in a
// worker's execArgv does not apply its hooks either, so the worker registers tsx
// itself before importing the TypeScript module that does the work.
import { register } from 'tsx/esm/api';

register();

/** Runs `fn` exported by `module` (a file URL) with `input`. */
export default async function runTask({ module, fn, input }) {
  const loaded = await import(module);
  if (typeof loaded[fn] !== 'function') throw new Error(`${module} exports no function ${fn}`);
  try {
    return await loaded[fn](input);
  } catch (error) {
    // A VigilError (bad input found by the work) crosses back as itself, not as a 500.
    if (error?.name === 'VigilError') return { vigilError: { code: error.code, message: error.message, details: error.details ?? null } };
    throw error;
  }
}
