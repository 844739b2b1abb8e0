import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Dc09Framer } from '../adapters/protocols/dc09/dc09-framer.js';
import { signalFrame } from '../adapters/protocols/dc09/dc09-reply.js';
import { openVigil, type Vigil } from '../app.js';
import { seedDemo } from '../demo/seed-demo.js';
import { loadConfig } from '../kernel/config.js';
import type { Principal } from '../platform/access.js';
import { PlanNotifier } from './accounts-plans/plan-notifier.js';

/** A real HTTP endpoint on loopback that records what it receives and answers `status`. */
async function hook(status: () => number): Promise<{ url: string; received: { headers: IncomingHttpHeaders; body: unknown }[]; close: () => Promise<void> }> {
  const received: { headers: IncomingHttpHeaders; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as unknown });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alarm-hook`, received, close: () => new Promise((r) => server.close(() => r())) };
}

async function demo(): Promise<{ vigil: Vigil; panel: { account: string; siteId: string; orgId: string }; steward: Principal; close: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-plans-'));
  const config = { ...loadConfig({ VIGIL_LOG_LEVEL: 'silent' }), dataDir };
  const vigil = await openVigil(config);
  await seedDemo(vigil, config);
  const device = [...vigil.capabilities.city.service.state.devices.values()].find((d) => d.kind === 'alarm-panel' && d.siteId)!;
  const steward: Principal = {
    kind: 'user',
    actor: 'user:test-supervisor',
    userId: 'test-supervisor',
    orgId: device.orgId,
    roles: ['supervisor'],
    authLevel: 1,
    displayName: 'Supervisor',
    visibleOrgIds: new Set([device.orgId!]),
    actableOrgIds: new Set([device.orgId!]),
    platformOrg: false,
  };
  return {
    vigil,
    panel: { account: device.account!, siteId: device.siteId!, orgId: device.orgId! },
    steward,
    close: async () => {
      await vigil.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check(), `timed out waiting for ${what}`);
}

test('a plan step with a notification URL POSTs the raised alarm there and is ticked by the notifier', async () => {
  const endpoint = await hook(() => 200);
  const { vigil, panel, steward, close } = await demo();
  try {
    const alarms = vigil.capabilities.alarms;
    await alarms.plans.definePlan(
      {
        name: 'Fire at this site',
        kinds: ['fire'],
        siteIds: [panel.siteId],
        steps: [
          { stepId: 'fire-service', kind: 'notify', text: 'Fire service control room (automatic)', mandatory: true, timerSeconds: 30, notifyUrl: endpoint.url },
          { stepId: 'keyholder', kind: 'call', text: 'Call the keyholders in order', mandatory: false, timerSeconds: null },
        ],
      },
      steward,
    );
    const frame = new Dc09Framer().push(signalFrame({ id: 'SIA-DCS', seq: 1, account: panel.account, data: 'Nri1/FA012', now: Date.now() })).frames[0]!;
    assert.match((await alarms.ingest.dc09.handleDc09(frame, 'test'))!.toString('latin1'), /"ACK"/);
    const alarm = alarms.state.queue().find((a) => a.account === panel.account)!;
    await until(() => (alarms.state.steps.get(alarm.alarmId) ?? []).length > 0, 'the automatic step');
    const [done] = alarms.state.steps.get(alarm.alarmId)!;
    assert.equal(done!.stepId, 'fire-service');
    assert.equal(done!.by, 'system:notifier');
    assert.match(done!.outcome, /^notified automatically: HTTP 200 from 127\.0\.0\.1:\d+$/);
    assert.equal(endpoint.received.length, 1);
    const { headers, body } = endpoint.received[0]!;
    assert.equal(headers['x-vigil-delivery'], `${alarm.alarmId}:fire-service`);
    const sent = body as { alarm: { id: string; kind: string; account: string }; site: { id: string; position: number[] }; plan: { step: string } };
    assert.deepEqual(
      [sent.alarm.id, sent.alarm.kind, sent.alarm.account, sent.site.id, sent.plan.step],
      [alarm.alarmId, 'fire', panel.account, panel.siteId, 'fire-service'],
    );
    assert.equal(sent.site.position.length, 2);
    assert.deepEqual(alarms.queue.missingMandatorySteps(alarm), [], 'the mandatory notification is done');
  } finally {
    await close();
    await endpoint.close();
  }
});

test('a notification that keeps failing is retried, then recorded as failed with the step left open', async () => {
  let calls = 0;
  const endpoint = await hook(() => (++calls < 10 ? 503 : 200));
  const { vigil, panel, steward, close } = await demo();
  try {
    const alarms = vigil.capabilities.alarms;
    const plan = await alarms.plans.definePlan(
      {
        name: 'Hold-up',
        kinds: ['hold-up'],
        siteIds: [panel.siteId],
        steps: [{ stepId: 'police', kind: 'notify', text: 'Police (automatic)', mandatory: true, timerSeconds: null, notifyUrl: endpoint.url }],
      },
      steward,
    );
    const alarm = {
      alarmId: 'alm_test',
      account: panel.account,
      correlationKey: panel.account,
      siteId: panel.siteId,
      orgId: panel.orgId,
      kind: 'hold-up' as const,
      priority: 1,
      status: 'new' as const,
      title: 'Hold-up',
      raisedAt: new Date().toISOString(),
      signalIds: [],
      restored: false,
      confirmation: null,
      claimedBy: null,
      acknowledgedAt: null,
      closedAt: null,
      resolution: null,
      note: null,
    };
    const notifier = new PlanNotifier(vigil.ctx, alarms.state, vigil.capabilities.city.service.state, { backoffMs: [5, 5] });
    assert.equal(await notifier.deliver(alarm, plan, plan.steps[0]!, endpoint.url), 'failed');
    assert.equal(endpoint.received.length, 3, 'one attempt and two retries');
    const failed = alarms.state.failedNotifications.get('alm_test');
    assert.equal(failed?.length, 1);
    assert.equal(failed![0]!.error, 'HTTP 503 Service Unavailable');
    assert.equal(failed![0]!.attempts, 3);
    assert.equal(alarms.state.steps.get('alm_test'), undefined, 'not ticked');
    // An address nobody listens on: a connection error, not a crash.
    const closed = await hook(() => 200);
    await closed.close();
    assert.equal(await notifier.deliver(alarm, plan, plan.steps[0]!, closed.url), 'failed');
    assert.match(alarms.state.failedNotifications.get('alm_test')![1]!.error, /ECONNREFUSED/);
  } finally {
    await close();
    await endpoint.close();
  }
});

test('keyholders per site and organisation, in calling order, validated; plans stay with their organisation', async () => {
  const { vigil, panel, steward, close } = await demo();
  try {
    const alarms = vigil.capabilities.alarms;
    await assert.rejects(alarms.plans.setKeyholders(panel.siteId, [{ name: 'A', phone: 'call me', note: null }], steward), /not a phone number/);
    await assert.rejects(alarms.plans.setKeyholders('site-that-does-not-exist', [], steward), /does not exist/);
    const list = [
      { name: ' Marie Rossi ', phone: '+377 6 12 34 56 78', note: 'has the alarm code' },
      { name: 'Luca Bianchi', phone: '+377 93 15 00 00', note: '' },
    ];
    assert.deepEqual(await alarms.plans.setKeyholders(panel.siteId, list, steward), [
      { name: 'Marie Rossi', phone: '+377 6 12 34 56 78', note: 'has the alarm code' },
      { name: 'Luca Bianchi', phone: '+377 93 15 00 00', note: null },
    ]);
    const alarm = { siteId: panel.siteId, orgId: panel.orgId } as Parameters<typeof alarms.state.keyholdersFor>[0];
    assert.deepEqual(
      alarms.state.keyholdersFor(alarm).map((k) => k.name),
      ['Marie Rossi', 'Luca Bianchi'],
    );
    assert.deepEqual(alarms.state.keyholdersFor({ ...alarm, orgId: 'org_other' }), [], "another centre's alarm does not see this list");
    await alarms.plans.setKeyholders(panel.siteId, [], steward);
    assert.deepEqual(alarms.state.keyholdersFor(alarm), []);
    // Plans: replacing or removing another organisation's plan is refused.
    const plan = await alarms.plans.definePlan(
      { name: 'Mine', kinds: ['medical'], siteIds: [], steps: [{ stepId: 's', kind: 'check', text: 'Check', mandatory: false, timerSeconds: null }] },
      steward,
    );
    const stranger = { ...steward, orgId: 'org_other', actor: 'user:stranger', visibleOrgIds: new Set(['org_other']), actableOrgIds: new Set(['org_other']) };
    // Unrelated: the plan is not even found (the policy does not leak its existence).
    await assert.rejects(
      alarms.plans.definePlan({ planId: plan.planId, name: 'Theirs', kinds: ['medical'], siteIds: [], steps: plan.steps }, stranger),
      /does not exist/,
    );
    await assert.rejects(alarms.plans.removePlan(plan.planId, stranger), /does not exist/);
    await assert.rejects(
      alarms.plans.definePlan(
        {
          name: 'Bad',
          kinds: ['fire'],
          siteIds: [],
          steps: [{ stepId: 'n', kind: 'notify', text: 'x', mandatory: false, timerSeconds: null, notifyUrl: 'ftp://example.org/' }],
        },
        steward,
      ),
      /http: or https:/,
    );
    await alarms.plans.removePlan(plan.planId, steward);
    assert.equal(alarms.state.plans.has(plan.planId), false);
  } finally {
    await close();
  }
});
