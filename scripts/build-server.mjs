#!/usr/bin/env node
// Precompiles the server (src/ → dist-server/, one JavaScript file per TypeScript file, same tree) so that
// `vigil serve` starts without transpiling through tsx at run time (most of a cold start's seconds).
// bin/vigil.js runs dist-server/ only when it is up to date with src/ (see server-build.mjs), otherwise
// the sources through tsx; tests always run the sources. Run by `npm install` (prepare) and `npm start`
// (prestart); `--if-stale` skips a build that is already up to date, `--install` never fails the install.
//
// dist-server/ sits beside src/ at the same depth, so paths resolved from import.meta.url (the repository
// root two folders up, the data files copied beside the code) mean the same in both trees.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, SOURCE_DIR, STAMP_FILE, serverBuildIsFresh, sourceSnapshot } from './server-build.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const args = new Set(process.argv.slice(2));
if (args.has('--if-stale') && serverBuildIsFresh()) process.exit(0);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // A production install without dev dependencies: the node runs its sources through tsx.
  console.log('server not precompiled (esbuild is not installed); vigil runs its TypeScript sources');
  process.exit(0);
}

// Worker threads are started from a file URL next to their module (`new URL('./x.ts', import.meta.url)`):
// in the build that file is x.js.
const WORKER_URL = /new URL\((['"])(\.{1,2}\/[^'"]+)\.ts\1, import\.meta\.url\)/g;

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

async function build() {
  const started = performance.now();
  const snapshot = sourceSnapshot(); // taken before reading, so an edit during the build leaves it stale
  const tmp = `${BUILD_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const files = listFiles(SOURCE_DIR).filter((f) => !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
  await Promise.all(
    files.map(async (file) => {
      const rel = relative(SOURCE_DIR, file);
      if (!file.endsWith('.ts')) {
        // Data beside the code (code tables, catalogues, the .mjs worker entries) is read from import.meta.url.
        mkdirSync(dirname(join(tmp, rel)), { recursive: true });
        copyFileSync(file, join(tmp, rel));
        return;
      }
      const source = readFileSync(file, 'utf8').replace(WORKER_URL, (_m, q, path) => `new URL(${q}${path}.js${q}, import.meta.url)`);
      const out = join(tmp, rel.replace(/\.ts$/, '.js'));
      const result = await esbuild.transform(source, {
        loader: 'ts',
        format: 'esm',
        platform: 'node',
        target: 'node20',
        sourcefile: relative(dirname(out), file),
        sourcemap: 'external',
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: false } },
      });
      mkdirSync(dirname(out), { recursive: true });
      const mapName = `${out.split('/').pop()}.map`;
      writeFileSync(out, `${result.code}//# sourceMappingURL=${mapName}\n`);
      writeFileSync(`${out}.map`, result.map);
    }),
  );
  const prepared = (await prepareDemoExtract(tmp)) + (await prepareSbomValidators(tmp));
  writeFileSync(join(tmp, STAMP_FILE), JSON.stringify(snapshot));
  rmSync(BUILD_DIR, { recursive: true, force: true });
  // Swapped in whole, so a node starting meanwhile never sees half a build.
  (await import('node:fs')).renameSync(tmp, BUILD_DIR);
  console.log(`server precompiled to ${BUILD_DIR}/ (${files.length} files${prepared}, ${Math.round(performance.now() - started)} ms)`);
}

// The demo city's extract parsed now, with the parser just built, so a first `npm start` records the city
// without parsing it (src/city/prepared-extract.ts). Skipped, never fatal, when the extract is missing.
async function prepareDemoExtract(tmp) {
  const file = join(ROOT, 'assets', 'osm', 'monaco.osm.gz');
  if (!existsSync(file)) return '';
  try {
    const { MessageChannel } = await import('node:worker_threads');
    const { createHash } = await import('node:crypto');
    const { pathToFileURL } = await import('node:url');
    const built = (path) => import(pathToFileURL(join(tmp, path)).href);
    const { parseCityExtract } = await built('city/city-import-worker.js');
    const { defaultOsmLimits } = await built('adapters/osm/osm-reader.js');
    const { preparedExtractUrl } = await built('city/prepared-extract.js');
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    const limits = defaultOsmLimits();
    const { port1, port2 } = new MessageChannel();
    const { threadId: _threadId, ...parsed } = await parseCityExtract({ file, limits, progress: port2 }).finally(() => port1.close());
    const out = preparedExtractUrl(sha256);
    mkdirSync(new URL('.', out), { recursive: true });
    writeFileSync(out, JSON.stringify({ sha256, limits, parsed }));
    return ', demo city extract parsed';
  } catch (error) {
    console.log(`the demo city extract was not prepared (${error.message}); it is parsed at its first import`);
    return '';
  }
}

// The CycloneDX JSON schemas compiled now (ajv standalone code, src/device-security/sbom.ts), so the demo's
// SBOM import (and any later one) does not spend most of a second of the main thread compiling a schema.
async function prepareSbomValidators(tmp) {
  try {
    const { pathToFileURL } = await import('node:url');
    const { prepareJsonValidators } = await import(pathToFileURL(join(tmp, 'device-security/sbom.js')).href);
    const modules = await prepareJsonValidators();
    for (const { url, code } of modules) {
      mkdirSync(new URL('.', url), { recursive: true });
      writeFileSync(url, code);
    }
    return `, ${modules.length} SBOM schema validators compiled`;
  } catch (error) {
    console.log(`the SBOM schema validators were not prepared (${error.message}); they are compiled at their first use`);
    return '';
  }
}

try {
  if (!existsSync(SOURCE_DIR)) process.exit(0);
  await build();
} catch (error) {
  if (!args.has('--install')) throw error;
  console.log(`the server was not precompiled at install (${error.message}); vigil runs its TypeScript sources`);
}
