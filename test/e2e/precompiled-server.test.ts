import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { repoRoot } from '../../src/kernel/config.js';
import { until } from '../support/until.js';
import { DEMO_SIREN_SBOM } from '../../src/demo/demo-security.js';

const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });

// `npm start` runs the precompiled server (dist-server/, scripts/build-server.mjs) rather than the TypeScript
// sources: the same node, with its worker threads (the SQLite writer, the city import that builds the demo)
// and its request validation, must work from the build.
test('the precompiled server builds, is kept while the sources are unchanged, and serves the demo city', async () => {
  const built = run(['scripts/build-server.mjs']);
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stdout, /server precompiled/);
  // The CycloneDX JSON schemas are compiled by the build: the built reader takes them and still refuses what does not validate.
  assert.match(built.stdout, /2 SBOM schema validators compiled/);
  const prepared = join(repoRoot, 'dist-server', 'device-security', 'prepared', 'cyclonedx-bom-1.6.mjs');
  assert.ok(existsSync(prepared), prepared);
  const { readSbom } = (await import(
    pathToFileURL(join(repoRoot, 'dist-server', 'device-security', 'sbom.js')).href
  )) as typeof import('../../src/device-security/sbom.js');
  assert.equal((await readSbom(DEMO_SIREN_SBOM)).specVersion, '1.6');
  await assert.rejects(
    readSbom('{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"name":"x"}]}'),
    /does not validate against the CycloneDX 1\.6 JSON schema/,
  );
  const again = run(['scripts/build-server.mjs', '--if-stale']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, '', 'an up-to-date build is not rebuilt');

  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-precompiled-'));
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), 'serve'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      VIGIL_FROM_SOURCE: '0',
      VIGIL_DATA_DIR: dataDir,
      VIGIL_PORT: '0',
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await until(() => /serving on http:\/\/localhost:\d+/.test(out) || child.exitCode !== null, 'the node to listen', 120_000);
    assert.equal(child.exitCode, null, `vigil serve exited: ${out}`);
    const base = `http://127.0.0.1:${/localhost:(\d+)/.exec(out)![1]}`;
    let demo = '';
    await until(
      async () => {
        demo = ((await (await fetch(`${base}/api/health`)).json()) as { demo: string }).demo;
        return demo !== 'loading';
      },
      'the demo city to load',
      180_000,
      200,
    );
    assert.equal(demo, 'ready');
    const login = (body: unknown) =>
      fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const invalid = await login({ username: 'olivia' });
    assert.equal(invalid.status, 400, 'a route schema still refuses bad input (validators compile on first use)');
    assert.match(JSON.stringify(await invalid.json()), /password/);
    assert.equal((await login({ username: 'olivia', password: 'not her password' })).status, 401);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
