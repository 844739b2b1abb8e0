#!/usr/bin/env node
// Vigil's command line. Sources are TypeScript run through tsx's loader, so a fresh
// clone needs no separate compile step before `npm start`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
