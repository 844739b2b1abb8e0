#!/usr/bin/env node
// npm run check:boundaries: the architecture rules of .dependency-cruiser.cjs (modules, tests included)
// and .dependency-cruiser.folders.cjs (folder cycles, production code only). Prints every violation with
// its rule's reason and exits 1 if there is any error.
// depcruise's own exit code is the number of errors, which wraps to 0 at 256; so this reads the count
// from its JSON result instead.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
const configs = ['.dependency-cruiser.cjs', '.dependency-cruiser.folders.cjs'];
const outputType = process.argv[2] ?? 'err-long'; // `err` for one line per violation
const dir = mkdtempSync(join(tmpdir(), 'vigil-boundaries-'));
let errors = 0;
try {
  for (const [i, config] of configs.entries()) {
    const json = join(dir, `${i}.json`);
    const cruise = spawnSync(bin('depcruise'), ['src', 'web/src', '--config', config, '--output-type', 'json', '--output-to', json], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (cruise.error || cruise.signal) throw cruise.error ?? new Error(`depcruise stopped by ${cruise.signal}`);
    const { summary } = JSON.parse(readFileSync(json, 'utf8'));
    if (summary.error > 0 || summary.warn > 0) {
      console.log(`== ${config}`);
      spawnSync(bin('depcruise-fmt'), ['--output-type', outputType, json], { stdio: 'inherit' });
    } else {
      console.log(`== ${config}: no violations (${summary.totalCruised} modules, ${summary.totalDependenciesCruised} dependencies)`);
    }
    errors += summary.error;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(errors > 0 ? 1 : 0);
