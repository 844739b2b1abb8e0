// The entry of every worker thread in the pool (worker-pool.ts). On Node 20 a worker
// does not inherit the tsx loader of the main thread, and `--import tsx` in a
// worker's execArgv does not apply its hooks either, so the worker registers tsx
// itself before importing a TypeScript module that does the work (the precompiled
// server, dist-server/, hands it JavaScript modules, which need no loader).
import { lowerThisThread } from './lower-this-thread.mjs';

let tsxRegistered = null;
function loaderFor(module) {
  if (!module.endsWith('.ts')) return null;
  tsxRegistered ??= import('tsx/esm/api').then(({ register }) => register());
  return tsxRegistered;
}

// VIGIL_WORKER_NICE (default 10, checked at start) below the node's own.
lowerThisThread(Number(process.env.VIGIL_WORKER_NICE ?? 10));

/** Runs `fn` exported by `module` (a file URL) with `input`. */
export default async function runTask({ module, fn, input }) {
  await loaderFor(module);
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
