// Entry of the SQLite writer thread. Vigil's sources are TypeScript loaded through
// tsx; a worker thread does not inherit the main thread's loader, so from the sources
// it registers its own before loading the writer. In the precompiled server
// (dist-server/, built from src/ by scripts/build-server.mjs) the writer is JavaScript.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('./sqlite-writer.ts', import.meta.url);
if (existsSync(fileURLToPath(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('./sqlite-writer.js');
}
