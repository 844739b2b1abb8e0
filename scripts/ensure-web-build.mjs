#!/usr/bin/env node
// Builds the web UI (web/dist) when it is missing or older than its sources, so that
// `npm start` and `npm test` work on a fresh clone without a separate build step.
// `--install` (npm's prepare, run by `npm install` / `npm ci`): the same build once at install time,
// so the first `npm start` finds a fresh bundle and only starts the node; never fails the install
// (without Vite, e.g. a production install, or on a build error it says so and `npm start` builds).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const dist = join('web', 'dist', 'index.html');
function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}
if (!existsSync(join('web', 'index.html'))) process.exit(0); // no UI sources yet
const sourcesTime = Math.max(
  newest(join('web', 'src')),
  newest(join('web', 'public')),
  ...['index.html', 'citizen.html'].filter((f) => existsSync(join('web', f))).map((f) => statSync(join('web', f)).mtimeMs),
);
if (existsSync(dist) && statSync(dist).mtimeMs >= sourcesTime) process.exit(0);
const install = process.argv.includes('--install');
const vite = join('node_modules', 'vite', 'bin', 'vite.js');
if (install && !existsSync(vite)) {
  console.log('web UI not built at install (Vite is not installed); `npm start` builds it');
  process.exit(0);
}
console.log('building the web UI (web/dist)…');
const r = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
if (install && r.status !== 0) {
  console.log('the web UI build failed at install; `npm start` tries again');
  process.exit(0);
}
process.exit(r.status ?? 1);
