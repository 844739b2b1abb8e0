#!/usr/bin/env node
// Vigil's command line. It runs the precompiled server (dist-server/, built by `npm install` and
// `npm start`, see scripts/build-server.mjs) when that is up to date with src/; otherwise, or with
// VIGIL_FROM_SOURCE=1 (the tests), the TypeScript sources through tsx's loader, so a fresh clone
// needs no compile step and an edited source is never shadowed by an old build.
import { serverBuildIsFresh } from '../scripts/server-build.mjs';

let main;
if (process.env.VIGIL_FROM_SOURCE !== '1' && serverBuildIsFresh()) {
  ({ main } = await import('../dist-server/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
