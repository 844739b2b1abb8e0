import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dc09Panel as panel, withReceiverMode } from '../support/dc09-panel.js';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import { encryptBody, parseKey } from '../../src/adapters/protocols/dc09/dc09-crypto.js';
import { dc09Timestamp, frameOf, signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { loadConfig } from '../../src/kernel/config.js';
import { ManualClock } from '../../src/kernel/time.js';

/**
 * Issue 13, item 2 (EN 50136 substitution and replay), against the real receiver of a
 * running node: an account with a key refuses plaintext, the data block's account must
 * be the header's, and a frame sent again is refused — also after a restart.
 */

const KEY = '00112233445566778899AABBCCDDEEFF';
const key = parseKey(KEY)!;

/** The receiver on its own thread and on the main thread: the same refusals in both. */
const MODES = ['thread', 'main'] as const;

async function start(dir: string, clock: ManualClock, mode: (typeof MODES)[number]): Promise<RunningVigil> {
  const vigil = await withReceiverMode(mode, () =>
    serveVigil(
      {
        ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off' }),
        dataDir: dir,
        port: 0,
        host: '127.0.0.1',
      },
      { clock },
    ),
  );
  assert.equal(vigil.capabilities.alarms.receiver.dc09Mode, mode);
  return vigil;
}

/** The node's metrics once every frame answered so far is counted (the receiver thread counts after its reply). */
async function metricsOf(vigil: RunningVigil): Promise<string> {
  await vigil.capabilities.alarms.receiverSettled();
  return (await vigil.server.app.inject({ method: 'GET', url: '/metrics', headers: await authorised(vigil, 'supervisor') })).body;
}

function udpSend(port: number, bytes: Buffer): Promise<string> {
  const udp = createSocket('udp4');
  return new Promise<string>((resolve) => {
    udp.once('message', (m) => {
      udp.close();
      resolve(m.toString('latin1'));
    });
    udp.send(bytes, port, '127.0.0.1');
  });
}

async function keyedAccount(vigil: RunningVigil): Promise<{ account: string; orgId: string; other: string }> {
  const panels = [...vigil.capabilities.city.service.state.devices.values()].filter((d) => d.kind === 'alarm-panel' && d.account);
  const [first, second] = panels;
  await vigil.capabilities.alarms.plans.configureAccount({ account: first!.account!, key: KEY }, 'system');
  return { account: first!.account!, orgId: first!.orgId, other: second!.account! };
}

async function authorised(vigil: RunningVigil, username: string): Promise<{ cookie: string }> {
  const { token } = await vigil.capabilities.identity.service.login({ username, password: 'vigil-demo' }, '127.0.0.1');
  return { cookie: `vigil_session=${token}` };
}

const signalsOf = async (vigil: RunningVigil, account: string) =>
  (await vigil.capabilities.alarms.receiverSettled(), await vigil.ctx.log.read({ typePrefixes: ['alarms.signal.received'] }))
    .map((e) => (e.data as { signal: { signalId: string; account: string; code: string; kind: string; flags: string[] } }).signal)
    .filter((s) => s.account === account);

for (const mode of MODES)
  test(`[${mode}] dc09: a plaintext frame for an account with a key is refused (DUH over TCP and UDP), counted, and shown as a substitution attempt`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-dc09-sub-'));
    const clock = new ManualClock(Date.UTC(2026, 11, 3, 12, 0, 0));
    const vigil = await start(dir, clock, mode);
    try {
      const { account, orgId } = await keyedAccount(vigil);
      const rx = vigil.capabilities.alarms.receiver;
      const p = panel(rx.tcpPort!);
      await p.ready;
      clock.advance(2000);
      const forged = signalFrame({ id: 'SIA-DCS', seq: 5, account, data: 'Nri1/OP001', now: clock.now() });
      assert.match(await p.reply(forged), new RegExp(`"DUH"0005L0#${account}\\[\\]\\r$`));
      // A NULL poll in plaintext would keep a cut path "alive": refused as well.
      assert.match(await p.reply(frameOf(`"NULL"0006L0#${account}[]`)), /"DUH"0006/);
      // No header account, the keyed account inside the data block: refused.
      assert.match(await p.reply(frameOf(`"SIA-DCS"0007L0[#${account}|NBA001]`)), /"DUH"0007/);
      assert.match(await udpSend(rx.udpPort!, signalFrame({ id: 'SIA-DCS', seq: 8, account, data: 'NBA002', now: clock.now() })), /"DUH"0008/);
      // The real panel, encrypted, still gets through.
      assert.match(await p.reply(signalFrame({ id: 'SIA-DCS', seq: 9, account, data: 'Nri1/BA003', key, now: clock.now() })), /"\*ACK"0009/);
      p.close();

      const stored = await signalsOf(vigil, account);
      assert.deepEqual(
        stored.filter((s) => s.code !== 'SUBST').map((s) => s.code),
        ['BA'],
        'only the encrypted frame became a signal',
      );
      const attempts = await vigil.ctx.log.read({ typePrefixes: ['alarms.substitution.attempted'] });
      assert.equal(attempts.length, 1, 'one recorded attempt per account a minute; the rest are counted');
      assert.equal(attempts[0]!.orgId, orgId);
      assert.equal((attempts[0]!.data as { problem: string }).problem, 'plaintext');
      // The account's organisation sees it in its queue: a tamper signal, flagged, in an open alarm.
      const substitution = stored.find((s) => s.code === 'SUBST')!;
      assert.equal(substitution.kind, 'tamper');
      assert.deepEqual(substitution.flags, ['substitution-attempt']);
      const alarm = vigil.capabilities.alarms.state.queue().find((a) => a.signalIds.includes(substitution.signalId));
      assert.ok(alarm, 'an alarm for the operator');
      assert.equal(alarm.orgId, orgId);
      const listed = await vigil.server.app.inject({ method: 'GET', url: '/api/alarms', headers: await authorised(vigil, 'operator') });
      assert.ok(
        (listed.json() as { alarms: { alarmId: string; title: string }[] }).alarms.some((a) => a.alarmId === alarm.alarmId),
        'the operator of the account’s organisation lists it',
      );
      assert.match(await metricsOf(vigil), /vigil_dc09_frames_total\{outcome="duh-plaintext"[^}]*\} 4/);
    } finally {
      await vigil.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

for (const mode of MODES)
  test(`[${mode}] dc09: the account inside decrypted data must equal the header account`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-dc09-acct-'));
    const clock = new ManualClock(Date.UTC(2026, 11, 3, 12, 0, 0));
    const vigil = await start(dir, clock, mode);
    try {
      const { account, other } = await keyedAccount(vigil);
      const p = panel(vigil.capabilities.alarms.receiver.tcpPort!);
      await p.ready;
      clock.advance(2000);
      // Encrypted with the right key, but the data block speaks for another account.
      const inner = encryptBody(`#${other}|Nri1/CL001]${dc09Timestamp(clock.now())}`, key);
      assert.match(await p.reply(frameOf(`"*SIA-DCS"0011L0#${account}[${inner}`)), new RegExp(`"DUH"0011L0#${account}\\[\\]`));
      p.close();
      assert.deepEqual(await signalsOf(vigil, other), [], 'nothing recorded for the account named inside');
      assert.deepEqual(
        (await signalsOf(vigil, account)).map((s) => s.code),
        ['SUBST'],
      );
      const attempts = await vigil.ctx.log.read({ typePrefixes: ['alarms.substitution.attempted'] });
      assert.equal((attempts[0]!.data as { problem: string }).problem, 'account-mismatch');
    } finally {
      await vigil.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

for (const mode of MODES)
  test(`[${mode}] dc09: a replayed frame (same account, sequence and timestamp) is refused, also after the node restarts`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-dc09-replay-'));
    let clock = new ManualClock(Date.UTC(2026, 11, 3, 12, 0, 0));
    let vigil = await start(dir, clock, mode);
    try {
      const { account } = await keyedAccount(vigil);
      clock.advance(2000);
      const opening = signalFrame({ id: 'SIA-DCS', seq: 21, account, data: 'Nid7/OP001', key, now: clock.now() });
      const p = panel(vigil.capabilities.alarms.receiver.tcpPort!);
      await p.ready;
      assert.match(await p.reply(opening), /"\*ACK"0021/);
      clock.advance(5000);
      // The same account, sequence and timestamp with other content: a replay, refused.
      const forged = signalFrame({ id: 'SIA-DCS', seq: 21, account, data: 'Nid7/CL001', key, now: clock.now() - 5000 });
      assert.notDeepEqual(forged, opening);
      assert.match(await p.reply(forged), /"NAK"0000R0L0A0\[\]_/, 'another frame with the same sequence and timestamp, inside the window');
      assert.match(await udpSend(vigil.capabilities.alarms.receiver.udpPort!, forged), /"NAK"/, 'and over UDP');
      // The very same bytes again (an ACK the panel never got): ACKed again, recorded once (below).
      assert.match(await p.reply(opening), /"\*ACK"0021/);
      // The panel's next frame (new sequence number) is fine.
      assert.match(await p.reply(signalFrame({ id: 'SIA-DCS', seq: 22, account, data: 'Nid7/CL001', key, now: clock.now() })), /"\*ACK"0022/);
      p.close();
      assert.deepEqual(
        (await signalsOf(vigil, account)).map((s) => s.code),
        ['OP', 'CL'],
      );
      await vigil.close();

      // Restart 10 s later: the frame's timestamp is still inside the 40 s window. The receiver thread
      // rebuilds its memory of accepted frames from the journal, so the same bytes are a resend, ACKed
      // and not recorded again; in `main` mode the memory is new and a frame made before the start is refused.
      clock = new ManualClock(clock.now() + 10_000);
      vigil = await start(dir, clock, mode);
      const q = panel(vigil.capabilities.alarms.receiver.tcpPort!);
      await q.ready;
      if (mode === 'thread') assert.match(await q.reply(opening), /"\*ACK"0021/, 'a frame journalled before the restart, sent again, is a resend');
      else assert.match(await q.reply(opening), /"NAK"/, 'a frame made before the restart is not accepted after it');
      assert.match(await q.reply(forged), /"NAK"/, 'other bytes under the same sequence and timestamp are refused after the restart too');
      clock.advance(1000);
      assert.match(await q.reply(signalFrame({ id: 'SIA-DCS', seq: 23, account, data: 'Nid7/OP001', key, now: clock.now() })), /"\*ACK"0023/);
      q.close();
      assert.deepEqual(
        (await signalsOf(vigil, account)).map((s) => s.code),
        ['OP', 'CL', 'OP'],
      );
      assert.match(
        await metricsOf(vigil),
        mode === 'thread' ? /vigil_dc09_frames_total\{outcome="ack-duplicate"[^}]*\} 1/ : /vigil_dc09_frames_total\{outcome="nak-before-start"[^}]*\} 2/,
      );
    } finally {
      await vigil.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

for (const mode of MODES)
  test(`[${mode}] dc09: a frame sent again because its ACK was lost (the same bytes, inside the window) is ACKed again and recorded once`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-dc09-dup-'));
    const clock = new ManualClock(Date.UTC(2026, 11, 3, 12, 0, 0));
    const vigil = await start(dir, clock, mode);
    try {
      const { account } = await keyedAccount(vigil);
      const rx = vigil.capabilities.alarms.receiver;
      clock.advance(2000);
      const fire = signalFrame({ id: 'SIA-DCS', seq: 31, account, data: 'Nri1/FA004', key, now: clock.now() });
      // The panel sends, its connection drops before it reads the ACK (the frame is journalled all the same).
      const first = panel(rx.tcpPort!);
      await first.ready;
      assert.match(await first.reply(fire), /"\*ACK"0031/);
      first.close();
      // It connects again and sends the very same frame: the receiver ACKs it, and records it no second time.
      clock.advance(3000);
      const again = panel(rx.tcpPort!);
      await again.ready;
      assert.match(await again.reply(fire), /"\*ACK"0031L0#/);
      again.close();
      assert.match(await udpSend(rx.udpPort!, fire), /"\*ACK"0031/, 'over UDP too');
      // Two copies at once on two connections (the first still being made durable, or already): both ACKed, one record.
      const burglary = signalFrame({ id: 'SIA-DCS', seq: 32, account, data: 'Nri1/BA005', key, now: clock.now() });
      const [a, b] = [panel(rx.tcpPort!), panel(rx.tcpPort!)];
      await Promise.all([a.ready, b.ready]);
      const replies = await Promise.all([a.reply(burglary), b.reply(burglary)]);
      for (const r of replies) assert.match(r, /"\*ACK"0032/);
      a.close();
      b.close();
      const stored = await signalsOf(vigil, account);
      assert.deepEqual(
        stored.map((s) => s.code),
        ['FA', 'BA'],
        'each alarm once',
      );
      // One alarm in the queue (the burglary joins the fire of the same premises), holding each signal once.
      const alarms = vigil.capabilities.alarms.state.queue().filter((al) => al.signalIds.includes(stored[0]!.signalId));
      assert.equal(alarms.length, 1);
      assert.deepEqual(
        alarms[0]!.signalIds,
        stored.map((s) => s.signalId),
      );
      assert.match(await metricsOf(vigil), /vigil_dc09_frames_total\{outcome="ack-duplicate"[^}]*\} 3/);
    } finally {
      await vigil.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

test('[thread] dc09: the replay window survives any number of restarts inside it — resends ACKed once, replays refused, a frame stamped ahead never accepted twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dc09-restarts-'));
  let clock = new ManualClock(Date.UTC(2026, 11, 3, 12, 0, 0));
  let vigil = await start(dir, clock, 'thread');
  try {
    const { account } = await keyedAccount(vigil);
    clock.advance(2000);
    const opening = signalFrame({ id: 'SIA-DCS', seq: 41, account, data: 'Nid7/OP001', key, now: clock.now() });
    // A panel whose clock runs 15 s fast (inside the 20 s the window allows ahead): its timestamp is later than the next starts.
    const ahead = signalFrame({ id: 'SIA-DCS', seq: 42, account, data: 'Nri1/BA002', key, now: clock.now() + 15_000 });
    const forged = signalFrame({ id: 'SIA-DCS', seq: 41, account, data: 'Nid7/CL001', key, now: clock.now() });
    let p = panel(vigil.capabilities.alarms.receiver.tcpPort!);
    await p.ready;
    assert.match(await p.reply(opening), /"\*ACK"0041/);
    assert.match(await p.reply(ahead), /"\*ACK"0042/);
    p.close();
    await vigil.capabilities.alarms.receiverSettled();

    // Three quick restarts, 3 s apart, each with a new alarm recorded (applied) before the next.
    for (let restart = 1; restart <= 3; restart++) {
      await vigil.close();
      clock = new ManualClock(clock.now() + 3000);
      vigil = await start(dir, clock, 'thread');
      p = panel(vigil.capabilities.alarms.receiver.tcpPort!);
      await p.ready;
      assert.match(await p.reply(opening), /"\*ACK"0041/, `restart ${restart}: a frame ACKed before the first restart, sent again, is a resend`);
      assert.match(await p.reply(ahead), /"\*ACK"0042/, `restart ${restart}: the frame stamped ahead, sent again, is a resend`);
      assert.match(await p.reply(forged), /"NAK"/, `restart ${restart}: other bytes under the same sequence and timestamp are refused`);
      clock.advance(500);
      const seq = 50 + restart;
      assert.match(
        await p.reply(signalFrame({ id: 'SIA-DCS', seq, account, data: `Nri1/FA00${restart}`, key, now: clock.now() })),
        new RegExp(`"\\*ACK"00${seq}`),
      );
      p.close();
      assert.match(await metricsOf(vigil), /vigil_dc09_frames_total\{outcome="ack-duplicate"[^}]*\} 2/);
    }
    assert.deepEqual(
      (await signalsOf(vigil, account)).map((s) => s.code),
      ['OP', 'BA', 'FA', 'FA', 'FA'],
      'each alarm once: no resend or replay recorded again across the restarts',
    );
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
