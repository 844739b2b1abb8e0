import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Dc09Client } from '../../src/adapters/protocols/dc09/dc09-client.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { FileHeardCheckpoint } from '../../src/adapters/stores/file-heard-checkpoint.js';
import { openVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';

/**
 * The supervision heard state survives kill -9 (issue 14): the node saves it every few
 * seconds, never per poll. After a SIGKILL mid-polling and a restart, the path that was
 * polled up to the kill raises no false fault (its deadline is at least an interval after
 * its last ACKed poll), and the path whose fault was raised before the kill stays faulted —
 * no second fault.
 */
test('supervision: kill -9 while panels poll — no false fault after the restart, a raised fault is not raised again', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-heardkill-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'heard-worker.ts'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`node exited early (${code})`)));
      child.stdout.on('data', (d: Buffer) => {
        const m = /port (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
    });
    const client = await Dc09Client.connect('127.0.0.1', port, 5000);
    let seq = 0;
    let lastAck = 0;
    const pollFor = async (ms: number, until: () => Promise<boolean> = async () => false): Promise<void> => {
      const end = Date.now() + ms;
      while (Date.now() < end && !(await until())) {
        const reply = await client.send(signalFrame({ id: 'NULL', seq: ++seq % 10_000, account: '5001', data: '', now: Date.now() }));
        if (reply.kind === 'ACK') lastAck = Date.now();
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // Poll 5001 until a periodic snapshot holds 5003's raised fault, then one second more, then kill.
    const savedWithFault = async (): Promise<boolean> => {
      const store = new FileHeardCheckpoint(join(dataDir, 'supervision-heard.bin'));
      try {
        const s = await store.load();
        return s !== null && s.faulted[s.paths.indexOf('5003')] === 1;
      } finally {
        await store.close();
      }
    };
    await pollFor(120_000, savedWithFault);
    assert.ok(await savedWithFault(), 'a periodic snapshot was saved');
    await pollFor(1_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    client.close();

    const vigil = await openVigil({
      ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO: 'false' }),
      dataDir,
    });
    try {
      const monitor = vigil.capabilities.alarms.supervision.monitor;
      assert.ok(monitor.deadlineOf('5001')! >= lastAck + 600_000, 'the path polled up to the kill is due an interval after its last poll');
      assert.equal(monitor.isFaulted('5003'), true, 'the raised fault is still raised');
      await vigil.capabilities.alarms.supervision.superviseTick();
      const failed = (await vigil.ctx.log.read({ typePrefixes: ['alarms.path.failed'] })).map((e) => (e.data as { account: string }).account);
      assert.deepEqual(failed, ['5003'], 'one fault, raised before the kill; none after the restart');
    } finally {
      await vigil.close();
    }
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
