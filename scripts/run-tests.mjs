#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and web/ with Node's own test runner (through
// tsx). Node 20's runner takes no globs, so the files are listed here.
// Usage: npm test [-- substring…]   runs only files whose path contains a substring.
// --test-force-exit: a file whose process stays alive after its tests (a browser or timer left
// open) ends instead of holding the whole run until CI times out.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['src', 'test', 'web/src'];
const files = [];
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(relative('.', path));
  }
}
roots.forEach(walk);
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', '--test-reporter=spec', ...selected], {
  stdio: 'inherit',
  // VIGIL_FROM_SOURCE: a test that starts bin/vigil.js runs the sources it tests, never dist-server/.
  // VIGIL_MAIN_NICE 0: a node started by a test does not lower the test's process (the test that checks it sets it).
  env: {
    ...process.env,
    VIGIL_LOG_LEVEL: process.env.VIGIL_LOG_LEVEL ?? 'silent',
    VIGIL_MAIN_NICE: process.env.VIGIL_MAIN_NICE ?? '0',
    VIGIL_FROM_SOURCE: '1',
  },
});
process.exit(result.status ?? 1);
