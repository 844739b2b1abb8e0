/**
 * Waits until `check` holds, polling. A bound on waiting — generous, so that a loaded
 * machine is not a failure — never a timing assertion.
 */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Counts the turns of the event loop (a setImmediate chain) from now until `stop()`: a check that long
 * work yielded to the loop, never a timing.
 */
export function eventLoopTurns(): { turns: () => number; stop: () => void } {
  let turns = 0;
  let turning = true;
  const spin = (): void => {
    turns++;
    if (turning) setImmediate(spin);
  };
  setImmediate(spin);
  return { turns: () => turns, stop: () => (turning = false) };
}
