// Where the precompiled server lives (scripts/build-server.mjs) and whether it is up to date with src/.
// Shared by the build and bin/vigil.js, which runs the build only when it is fresh: a source edited,
// added or removed since the build (its mtime, the file count) sends the node back to its sources.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SOURCE_DIR = join(ROOT, 'src');
export const BUILD_DIR = join(ROOT, 'dist-server');
export const STAMP_FILE = 'build-stamp.json';

/** The newest modification time and the number of the server's source files (tests excluded). */
export function sourceSnapshot() {
  let newestMs = 0;
  let files = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        newestMs = Math.max(newestMs, statSync(path).mtimeMs); // a file removed or renamed touches its folder
      } else if (!entry.name.endsWith('.test.ts')) {
        files++;
        newestMs = Math.max(newestMs, statSync(path).mtimeMs);
      }
    }
  };
  walk(SOURCE_DIR);
  return { newestMs, files };
}

/** True when dist-server/ was built from the sources as they are now. */
export function serverBuildIsFresh() {
  try {
    const built = JSON.parse(readFileSync(join(BUILD_DIR, STAMP_FILE), 'utf8'));
    const now = sourceSnapshot();
    return built.newestMs === now.newestMs && built.files === now.files;
  } catch {
    return false;
  }
}
