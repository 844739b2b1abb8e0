import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Dc09Framer } from '../adapters/protocols/dc09/dc09-framer.js';
import { signalFrame } from '../adapters/protocols/dc09/dc09-reply.js';
import { openVigil, type Vigil } from '../app.js';
import { seedDemo } from '../demo/seed-demo.js';
import { loadConfig } from '../kernel/config.js';
import { ManualClock } from '../kernel/time.js';

async function demo(clock: ManualClock): Promise<{ vigil: Vigil; send: (account: string, data: string) => Promise<string>; close: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const config = { ...loadConfig({ VIGIL_LOG_LEVEL: 'silent' }), dataDir };
  const vigil = await openVigil(config, { clock });
  await seedDemo(vigil, config);
  let seq = 0;
  const send = async (account: string, data: string): Promise<string> => {
    const frame = new Dc09Framer().push(signalFrame({ id: 'SIA-DCS', seq: ++seq, account, data, now: clock.now() })).frames[0]!;
    return (await vigil.capabilities.alarms.ingest.dc09.handleDc09(frame, 'test'))!.toString('latin1');
  };
  return {
    vigil,
    send,
    close: async () => {
      await vigil.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const accounts = (vigil: Vigil): string[] =>
  [...vigil.capabilities.city.service.state.devices.values()].filter((d) => d.kind === 'alarm-panel').map((d) => d.account!);

test('restore delay: a trouble restored in time raises nothing; one that is not becomes an alarm', async () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8));
  const { vigil, send, close } = await demo(clock);
  try {
    const [a, b] = accounts(vigil);
    const alarms = vigil.capabilities.alarms;
    assert.match(await send(a!, 'NAT0000'), /"ACK"/); // AC power lost…
    clock.advance(40_000);
    await send(a!, 'NAR0000'); // …and back after 40 s
    await send(b!, 'NAT0000'); // this one stays off
    assert.equal(alarms.state.queue().length, 0, 'held, not raised');
    clock.advance(119_000);
    assert.equal(await alarms.queue.holdTick(), 0, 'still within its 120 s restore delay');
    clock.advance(2_000);
    assert.equal(await alarms.queue.holdTick(), 1);
    const queue = alarms.state.queue();
    assert.equal(queue.length, 1);
    assert.equal(queue[0]!.account, b);
    assert.match(queue[0]!.title, /AC trouble \(not restored\)/);
    assert.equal(await alarms.queue.holdTick(), 0, 'raised once');
    // The restore's own event says it released the held signal (one event per signal).
    const released = (await vigil.ctx.log.read({ typePrefixes: ['alarms.signal.received'] })).filter(
      (e) => (e.data as { decision?: { rule: string } }).decision?.rule === 'released',
    );
    assert.equal(released.length, 1);
  } finally {
    await close();
  }
});

test('intrusion confirmation: a second zone confirms, the same zone again is a two-trip', async () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8));
  const { vigil, send, close } = await demo(clock);
  try {
    const [a, b] = accounts(vigil);
    const state = vigil.capabilities.alarms.state;
    await send(a!, 'NBA001');
    clock.advance(60_000);
    await send(a!, 'NBA004');
    await send(b!, 'NBA002');
    clock.advance(60_000);
    await send(b!, 'NBA002');
    const byAccount = new Map(state.queue().map((x) => [x.account, x]));
    assert.equal(byAccount.get(a!)!.confirmation, 'confirmed');
    assert.equal(byAccount.get(b!)!.confirmation, 'two-trip');
    // Both frames in one segment (one commit) count as well.
    const [c] = accounts(vigil).slice(2);
    await send(c!, 'Nri1/BA001/BA002');
    assert.equal([...state.alarms.values()].find((x) => x.account === c)!.confirmation, 'confirmed');
  } finally {
    await close();
  }
});

test('escalation: an alarm nobody claims within 30 s is escalated once', async () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8));
  const { vigil, send, close } = await demo(clock);
  try {
    const [a] = accounts(vigil);
    const alarms = vigil.capabilities.alarms;
    await send(a!, 'NFA001');
    clock.advance(29_000);
    assert.equal(await alarms.queue.escalateTick(), 0);
    clock.advance(2_000);
    assert.equal(await alarms.queue.escalateTick(), 1);
    assert.equal(await alarms.queue.escalateTick(), 0);
    assert.equal(alarms.state.escalated.size, 1);
  } finally {
    await close();
  }
});

test('schedules: late to open and late to close, in the city time zone, once per day', async () => {
  // Monday 23 November 2026, 08:00 in Monaco (07:00 UTC).
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 7, 0));
  const { vigil, send, close } = await demo(clock);
  try {
    const [late, punctual] = accounts(vigil);
    const alarms = vigil.capabilities.alarms;
    const weekdays = { open: '08:30', close: '18:00' };
    const schedule = { days: [null, weekdays, weekdays, weekdays, weekdays, weekdays, null], graceMinutes: 15 };
    for (const account of [late!, punctual!]) await alarms.plans.configureAccount({ account, schedule }, 'system');
    await assert.rejects(alarms.plans.configureAccount({ account: late!, schedule: { days: [weekdays], graceMinutes: 15 } }, 'system'), /7 days/);
    clock.advance(40 * 60_000); // 08:40
    await send(punctual!, 'NOP001');
    clock.advance(4 * 60_000); // 08:44
    assert.equal(await alarms.schedules.scheduleTick(), 0);
    clock.advance(2 * 60_000); // 08:46
    assert.equal(await alarms.schedules.scheduleTick(), 1);
    assert.equal(await alarms.schedules.scheduleTick(), 0, 'once per day');
    const lateOpen = alarms.state.queue().find((a) => a.account === late)!;
    assert.equal(lateOpen.kind, 'schedule');
    assert.match(lateOpen.title, /Late to open \(08:30 \+ 15 min\)/);
    await send(late!, 'NOP002'); // opens at last
    clock.set(Date.UTC(2026, 10, 23, 16, 50)); // 17:50
    await send(punctual!, 'NCL001');
    clock.set(Date.UTC(2026, 10, 23, 17, 16)); // 18:16
    assert.equal(await alarms.schedules.scheduleTick(), 1, 'only the one still open is late to close');
    const lateClose = [...alarms.state.signals.values()].filter((s) => s.code === 'OT');
    assert.deepEqual(
      lateClose.map((s) => s.account),
      [late],
    );
  } finally {
    await close();
  }
});
