import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { repoRoot } from '../kernel/config.js';

const vigil = (dataDir: string, args: string[], env: Record<string, string> = {}, input?: string) =>
  spawnSync(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), ...args], {
    env: { ...process.env, VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    input,
  });

test('vigil CLI: demo, user add, migrate, and audit verify catching a tampered event', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  try {
    const demo = vigil(dataDir, ['demo']);
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, /demo city loaded .* 38367 residents/);
    assert.equal(vigil(dataDir, ['demo']).status, 1, 'the demo loads only into an empty store');

    const add = vigil(
      dataDir,
      ['user', 'add', '--username', 'chief', '--org', 'Monaco Fire and Rescue', '--roles', 'commander,responder', '--password-stdin'],
      {},
      'a strong password\n',
    );
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /created user chief .* in Monaco Fire and Rescue with roles commander, responder/);
    const badOrg = vigil(dataDir, ['user', 'add', '--username', 'x2', '--org', 'Nowhere', '--roles', 'operator'], {
      VIGIL_NEW_USER_PASSWORD: 'a strong password',
    });
    assert.equal(badOrg.status, 1);
    assert.match(badOrg.stderr, /no organisation "Nowhere"/);
    assert.equal(vigil(dataDir, ['frobnicate']).status, 2);

    const migrate = vigil(dataDir, ['migrate']);
    assert.match(migrate.stdout, /store sqlite is migrated; it holds \d+ events/);

    const intact = vigil(dataDir, ['audit', 'verify']);
    assert.equal(intact.status, 0, intact.stdout + intact.stderr);
    assert.match(intact.stdout, /audit chain intact: \d+ events verified/);

    // Someone with access to the database file rewrites history: grants themselves admin.
    const db = new Database(join(dataDir, 'vigil.sqlite'));
    const row = db.prepare("SELECT seq, data FROM events WHERE type = 'identity.user.created' AND data LIKE '%\"chief\"%'").get() as {
      seq: number;
      data: string;
    };
    db.prepare('UPDATE events SET data = ? WHERE seq = ?').run(row.data.replace('"commander","responder"', '"admin"'), row.seq);
    db.close();
    const broken = vigil(dataDir, ['audit', 'verify']);
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, new RegExp(`audit chain BROKEN at event ${row.seq}: event ${row.seq} was altered after it was written`));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('vigil dc09-send dials a receiver and reports its ACKs', async () => {
  const { serveVigil } = await import('../app.js');
  const { loadConfig } = await import('../kernel/config.js');
  const { spawn } = await import('node:child_process');
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-dial-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO: 'false' }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  try {
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), 'dc09-send', ...args], {
          env: { ...process.env, VIGIL_LOG_LEVEL: 'silent' },
        });
        let stdout = '';
        child.stdout.on('data', (d) => (stdout += String(d)));
        child.on('close', (status) => resolve({ status, stdout }));
      });
    const tcp = await run(['--port', String(vigil.capabilities.alarms.receiver.tcpPort), '--account', '1234', '--data', 'Nri1/BA001', '--count', '3']);
    assert.equal(tcp.status, 0, tcp.stdout);
    assert.equal(tcp.stdout.match(/: ACK seq/g)?.length, 3);
    const udp = await run(['--udp', '--port', String(vigil.capabilities.alarms.receiver.udpPort), '--account', '1234', '--id', 'NULL']);
    assert.equal(udp.status, 0, udp.stdout);
    const refused = await run(['--port', String(vigil.capabilities.alarms.receiver.tcpPort), '--account', '1234', '--key', '00112233445566778899AABBCCDDEEFF']);
    assert.equal(refused.status, 1, 'an encrypted frame for an account without a key is not ACKed');
    assert.match(refused.stdout, /DUH/);
    assert.equal((await vigil.ctx.log.read({ typePrefixes: ['alarms.signal.received'] })).length, 3);

    // The variant forms of other diallers and panels (docs/dc09-conformance.md).
    const help = await run(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--no-prefix/);
    assert.match(help.stdout, /--data-account/);
    const tcpPort = String(vigil.capabilities.alarms.receiver.tcpPort);
    const dialler = await run([
      '--port',
      tcpPort,
      '--account',
      '1234',
      '--no-prefix',
      '--data-account',
      'bar',
      '--data',
      'Nri1^Hall^/BA002^Door^',
      '--xdata',
      'IEntrée',
    ]);
    assert.equal(dialler.status, 0, dialler.stdout);
    assert.match(dialler.stdout, /ACK seq 0001 .*\\"ACK\\"0001L0#1234\[\]/);
    const cid = await run(['--port', tcpPort, '--account', '1234', '--id', 'ADM-CID', '--data-account', 'bar', '--data', '1602 00 000', '--no-timestamp']);
    assert.equal(cid.status, 0, cid.stdout);
    await vigil.capabilities.alarms.plans.configureAccount({ account: 'ABCD', key: '00112233445566778899AABBCCDDEEFF' }, 'system');
    const wireless = await run(['--port', tcpPort, '--account', 'ABCD', '--key', '00112233445566778899AABBCCDDEEFF', '--pad-without-bar', '--prefix', '0A0']);
    assert.equal(wireless.status, 0, wireless.stdout);
    assert.match(wireless.stdout, /ACK \(encrypted\) seq 0001 .*\\"\*ACK\\"0001L0A0#ABCD\[/);
    const tooLong = await run(['--port', tcpPort, '--raw', '"SIA-DCS"0009L0#1234[#1234|NBA001]', '--length-delta', '4', '--expect-refusal']);
    assert.equal(tooLong.status, 0, tooLong.stdout);
    assert.match(tooLong.stdout, /NAK/);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
