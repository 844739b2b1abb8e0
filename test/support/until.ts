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
