import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dc09Panel as panel, withReceiverMode } from '../../test/support/dc09-panel.js';
import { serveVigil, type RunningVigil } from '../app.js';
import { parseKey } from '../adapters/protocols/dc09/dc09-crypto.js';
import { decryptBody } from '../adapters/protocols/dc09/dc09-crypto.js';
import { Dc09Framer } from '../adapters/protocols/dc09/dc09-framer.js';
import { frameOf, signalFrame } from '../adapters/protocols/dc09/dc09-reply.js';
import { loadConfig } from '../kernel/config.js';
import { ManualClock } from '../kernel/time.js';

const KEY = '00112233445566778899AABBCCDDEEFF';

/** The receiver on its own thread (the default) and on the main thread: every test over sockets runs in both. */
const MODES = ['thread', 'main'] as const;

async function start(mode: (typeof MODES)[number], clock?: ManualClock): Promise<{ vigil: RunningVigil; dir: string; token: (u: string) => Promise<string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rx-'));
  const vigil = await withReceiverMode(mode, () =>
    serveVigil(
      { ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'silent' }), dataDir: dir, port: 0, host: '127.0.0.1' },
      clock ? { clock } : {},
    ),
  );
  assert.equal(vigil.capabilities.alarms.receiver.dc09Mode, mode);
  const token = async (username: string): Promise<string> =>
    (await vigil.capabilities.identity.service.login({ username, password: 'vigil-demo' }, '127.0.0.1')).token;
  return { vigil, dir, token };
}

for (const mode of MODES)
  test(`[${mode}] receiver: frames over TCP become durable signals and alarms; the operator handles them over the API`, async () => {
    const { vigil, dir, token } = await start(mode);
    try {
      const port = vigil.capabilities.alarms.receiver.tcpPort!;
      const panels = [...vigil.capabilities.city.service.state.devices.values()].filter((d) => d.kind === 'alarm-panel');
      const school = panels.find((p) => vigil.capabilities.city.service.state.sites.get(p.siteId!)!.category === 'school')!;
      const p = panel(port);
      await p.ready;
      const before = await vigil.ctx.log.lastSeq();
      // Two frames in one segment: a burglary in zone 3, then a fire in zone 1.
      const [ack1, ack2] = await p.send(
        Buffer.concat([
          signalFrame({ id: 'SIA-DCS', seq: 1, account: school.account!, data: 'Nri1/BA003', now: Date.now() }),
          signalFrame({ id: 'SIA-DCS', seq: 2, account: school.account!, data: 'Nri1/FA001', now: Date.now() }),
        ]),
        2,
      );
      assert.match(ack1!, new RegExp(`"ACK"0001L0#${school.account}\\[\\]\\r$`));
      assert.match(ack2!, /"ACK"0002/);
      await vigil.capabilities.alarms.receiverSettled();
      // Durable before acknowledged: both signals are in the log by the time the ACK arrived.
      const written = await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['alarms.'] });
      // One event per frame, carrying what the rules decided.
      assert.deepEqual(
        written.map((e) => [e.type, (e.data as { decision?: { rule: string } }).decision?.rule]),
        [
          ['alarms.signal.received', 'raised'],
          ['alarms.signal.received', 'correlated'],
        ],
      );

      const operator = { cookie: `vigil_session=${await token('operator')}` };
      const queue = (await vigil.server.app.inject({ method: 'GET', url: '/api/alarms', headers: operator })).json().alarms;
      assert.equal(queue.length, 1, 'the burst of one premise is one alarm');
      const alarm = queue[0];
      assert.equal(alarm.priority, 1, 'the fire raised the priority');
      assert.equal(alarm.siteId, school.siteId);
      assert.equal(alarm.signalIds.length, 2);
      // The steward's organisation does not see the MARC's alarms; the police commander does (shared).
      assert.equal(
        (await vigil.server.app.inject({ method: 'GET', url: '/api/alarms', headers: { cookie: `vigil_session=${await token('commander')}` } })).json().alarms
          .length,
        1,
      );
      assert.equal(
        (await vigil.server.app.inject({ method: 'GET', url: '/api/alarms', headers: { cookie: `vigil_session=${await token('steward')}` } })).statusCode,
        403,
      );

      const act = (action: string, payload?: object) =>
        vigil.server.app.inject({ method: 'POST', url: `/api/alarms/${alarm.alarmId}/${action}`, headers: operator, ...(payload ? { payload } : {}) });
      assert.equal((await act('close', { resolution: 'false-environment' })).statusCode, 409, 'not before acknowledgement');
      assert.equal((await act('claim')).statusCode, 200);
      assert.equal((await act('acknowledge')).statusCode, 200);
      assert.equal((await act('close', { resolution: 'genuine' })).statusCode, 400, 'a genuine alarm needs a note');
      // The fire plan applies (the burst's fire raised it): notifying the fire service is mandatory.
      const detail = (await vigil.server.app.inject({ method: 'GET', url: `/api/alarms/${alarm.alarmId}`, headers: operator })).json();
      assert.equal(detail.plan.name, 'Fire');
      assert.ok(detail.verification.cameras.length > 0, 'nearest cameras for verification');
      assert.ok(
        detail.verification.siteDevices.some(
          (d: { kind: string }) =>
            d.kind === 'smoke-detector' || d.kind === 'motion-detector' || d.kind === 'door-contact' || d.kind === 'glass-break' || d.kind === 'heat-detector',
        ),
      );
      const refused = await act('close', { resolution: 'false-user-error', note: 'cleaner set it off' });
      assert.equal(refused.statusCode, 409);
      assert.deepEqual(refused.json().error.details.missing, ['fire-service']);
      assert.equal((await act('steps/fire-service', { outcome: 'fire service informed, stood down after call' })).statusCode, 200);
      assert.equal((await act('close', { resolution: 'false-user-error', note: 'cleaner set it off' })).statusCode, 200);
      const stats = (await vigil.server.app.inject({ method: 'GET', url: '/api/alarms/stats', headers: operator })).json();
      assert.equal(stats.acknowledged, 1);
      assert.equal(stats.within60s, 1);
      assert.equal(stats.falseAlarmRate, 1);
      assert.ok(stats.medianCloseSeconds >= 0 && stats.medianCloseSeconds < 60);
      const perSite = (await vigil.server.app.inject({ method: 'GET', url: '/api/alarms/false-alarms?per=site', headers: operator })).json().rates;
      assert.deepEqual(
        perSite.map((r: { id: string; closed: number; false: number; rate: number }) => [r.id, r.closed, r.false, r.rate]),
        [[school.siteId, 1, 1, 1]],
      );
      const perDevice = (await vigil.server.app.inject({ method: 'GET', url: '/api/alarms/false-alarms?per=device', headers: operator })).json().rates;
      assert.equal(perDevice[0].id, school.id);
      const metrics = (await vigil.server.app.inject({ method: 'GET', url: '/metrics', headers: { cookie: `vigil_session=${await token('supervisor')}` } }))
        .body;
      assert.match(metrics, /vigil_alarms_ack_within_60s_ratio\{[^}]*\} 1/);
      assert.match(metrics, /vigil_alarms_false_ratio\{[^}]*\} 1/);

      // Test signals, open/close and restores raise no alarm; unknown codes are ACKed and flagged.
      await p.send(signalFrame({ id: 'SIA-DCS', seq: 3, account: school.account!, data: 'NRP0000', now: Date.now() }));
      await p.send(signalFrame({ id: 'ADM-CID', seq: 4, account: school.account!, data: '1401 01 012', now: Date.now() }));
      const [unknownAck] = await p.send(signalFrame({ id: 'SIA-DCS', seq: 5, account: school.account!, data: 'NJQ001', now: Date.now() }));
      assert.match(unknownAck!, /"ACK"0005/);
      await vigil.capabilities.alarms.receiverSettled();
      // Every ACK is timed from its frame read to the ACK written (the node's part of the panel's wait).
      const acks = (await vigil.server.app.inject({ method: 'GET', url: '/metrics', headers: { cookie: `vigil_session=${await token('supervisor')}` } })).body;
      const timed = Number(/^vigil_dc09_ack_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(acks)?.[1]);
      assert.ok(timed >= 5, `${timed} ACKs timed in vigil_dc09_ack_seconds, 5 at least were written`);
      assert.match(acks, /^vigil_dc09_ack_seconds_bucket\{[^}]*le="0\.005"[^}]*\} \d+/m);
      const signals = (await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['alarms.signal.'] })).map(
        (e) => (e.data as { signal: { kind: string; flags: string[] } }).signal,
      );
      assert.deepEqual(
        signals.slice(2).map((s) => s.kind),
        ['test', 'open', 'other'],
      );
      assert.ok(signals[4]!.flags.includes('unknown-code'));
      p.close();
    } finally {
      await vigil.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

for (const mode of MODES)
  test(`[${mode}] receiver: encrypted frames with the account key, *ACK back; wrong key DUH; bad CRC NAK; UDP too`, async () => {
    const { vigil, dir, token } = await start(mode);
    try {
      const supervisor = { cookie: `vigil_session=${await token('supervisor')}`, 'content-type': 'application/json' };
      const account = [...vigil.capabilities.city.service.state.devices.values()].find((d) => d.kind === 'alarm-panel')!.account!;
      const set = await vigil.server.app.inject({
        method: 'PUT',
        url: `/api/alarms/accounts/${account}`,
        headers: supervisor,
        payload: JSON.stringify({ key: KEY, preset: 'SP5' }),
      });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().supervisionSeconds, 90);
      const list = (await vigil.server.app.inject({ method: 'GET', url: '/api/alarms/accounts', headers: supervisor })).body;
      assert.ok(!list.includes(KEY), 'keys never leave the server');
      const configured = await vigil.ctx.log.read({ typePrefixes: ['alarms.account.configured'] });
      assert.ok(!JSON.stringify(configured).includes(KEY), 'and are sealed in the log');
      const key = parseKey(KEY)!;
      const p = panel(vigil.capabilities.alarms.receiver.tcpPort!);
      await p.ready;
      const [ack] = await p.send(signalFrame({ id: 'SIA-DCS', seq: 21, account, data: 'Nri1/PA001', key, now: Date.now() }));
      assert.match(ack!, new RegExp(`"\\*ACK"0021L0#${account}\\[([0-9A-F]+)\\r$`));
      assert.match(decryptBody(/\[([0-9A-F]+)\r$/.exec(ack!)![1]!, key)!, /^\]_\d\d:\d\d:\d\d,\d\d-\d\d-\d{4}$/);
      const [duh] = await p.send(
        signalFrame({ id: 'SIA-DCS', seq: 22, account, data: 'Nri1/PA001', key: parseKey('FFEEDDCCBBAA99887766554433221100')!, now: Date.now() }),
      );
      assert.match(duh!, /"DUH"0022/);
      const bad = Buffer.from(frameOf(`"SIA-DCS"0023L0#${account}[#${account}|NBA001]`));
      bad[2] = bad[2] === 0x30 ? 0x31 : 0x30;
      const [nak] = await p.send(bad);
      assert.match(nak!, /"NAK"0000R0L0A0\[\]_\d\d:\d\d:\d\d,\d\d-\d\d-\d{4}\r$/);
      p.close();
      // UDP: one frame per datagram.
      const udp = createSocket('udp4');
      const reply = await new Promise<string>((resolve) => {
        udp.once('message', (m) => resolve(m.toString('latin1')));
        udp.send(
          signalFrame({ id: 'SIA-DCS', seq: 24, account, data: 'NHA002', key, now: Date.now() }),
          vigil.capabilities.alarms.receiver.udpPort!,
          '127.0.0.1',
        );
      });
      udp.close();
      assert.match(reply, /"\*ACK"0024/);
      await vigil.capabilities.alarms.receiverSettled();
      const metrics = await vigil.server.app.inject({ method: 'GET', url: '/metrics', headers: supervisor });
      assert.match(metrics.body, /vigil_dc09_frames_total\{outcome="duh-key"[^}]*\} 1/);
      assert.match(metrics.body, /vigil_dc09_frames_total\{outcome="nak-crc"[^}]*\} 1/);
    } finally {
      await vigil.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

for (const mode of MODES)
  test(`[${mode}] supervision: a missed poll raises a path-fault alarm within a second of the deadline; the next frame restores it`, async () => {
    const clock = new ManualClock(Date.now());
    const { vigil, dir } = await start(mode, clock);
    try {
      const alarms = vigil.capabilities.alarms;
      const account = [...vigil.capabilities.city.service.state.devices.values()].find((d) => d.kind === 'alarm-panel')!.account!;
      await alarms.plans.configureAccount({ account, supervisionSeconds: 30 }, 'system');
      clock.advance(29_900);
      assert.equal(await alarms.supervision.superviseTick(), 0);
      clock.advance(350); // 250 ms past the deadline
      assert.equal(await alarms.supervision.superviseTick(), 1);
      const failed = (await vigil.ctx.log.read({ typePrefixes: ['alarms.path.failed'] }))[0]!;
      assert.ok((failed.data as { lateMs: number }).lateMs < 1000);
      const alarm = alarms.state.queue().find((a) => a.kind === 'path-fault')!;
      assert.equal(alarm.account, account);
      // A NULL poll (link test) restores the path.
      const p = panel(vigil.capabilities.alarms.receiver.tcpPort!);
      await p.ready;
      const [ack] = await p.send(frameOf(`"NULL"0031L0#${account}[]`));
      assert.match(ack!, /"ACK"0031/);
      await alarms.receiverSettled();
      assert.equal(alarms.state.faultedPaths.has(account), false);
      assert.equal(alarms.state.alarms.get(alarm.alarmId)!.restored, true);
      p.close();
    } finally {
      await vigil.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

test('receiver: frames handled in the same turn are decided and committed together (one burst of a premise, one alarm)', async () => {
  const { vigil, dir } = await start('main');
  try {
    const panels = [...vigil.capabilities.city.service.state.devices.values()].filter((d) => d.kind === 'alarm-panel');
    const school = panels.find((p) => vigil.capabilities.city.service.state.sites.get(p.siteId!)!.category === 'school')!;
    const account = school.account!;
    const ingest = vigil.capabilities.alarms.ingest.dc09;
    const framer = new Dc09Framer();
    const frame = (seq: number, data: string) => framer.push(signalFrame({ id: 'SIA-DCS', seq, account, data, now: Date.now() })).frames[0]!;
    const before = await vigil.ctx.log.lastSeq();
    // Two connections of one premise deliver in the same moment: a burglary in zone 3 and a fire in zone 1.
    const replies = await Promise.all([ingest.handleDc09(frame(1, 'Nri1/BA003'), 'a'), ingest.handleDc09(frame(2, 'Nri1/FA001'), 'b')]);
    for (const r of replies) assert.match(r!.toString('latin1'), /"ACK"/);
    const written = await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['alarms.'] });
    assert.deepEqual(
      written.map((e) => [e.type, (e.data as { decision?: { rule: string } }).decision?.rule]),
      [
        ['alarms.signal.received', 'raised'],
        ['alarms.signal.received', 'correlated'],
      ],
      'the second frame joins the alarm the first raised, in the same commit',
    );
    assert.equal(new Set(written.map((e) => e.seq)).size, 2);
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
