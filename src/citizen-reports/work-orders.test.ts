import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil, type RunningVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { zonedParts } from '../kernel/time.js';
import { LiveViews } from '../platform/live-view.js';
import { signedIn } from '../../test/support/api-client.js';
import { submitOpen311 } from '../../test/support/open311.js';
import type { StaffReportView, WorkOrderView } from './model.js';
import { endOfDayIn } from './work-orders.js';

/*
 * Work orders from citizen reports, through the API: the fire service makes one from a hydrant report
 * (the report reads "a work order has been issued", Open311 keeps it `open` with status_notes and
 * expected_datetime), starts it and completes it (the report resolved with the public note, the
 * reporter's notice due as for any resolution); another one is cancelled with a reason. An unrelated
 * organisation and a citizen are refused (the policy decides, as for the report's other triage steps).
 */

test('endOfDayIn: the last second of a day in the city’s zone', () => {
  assert.equal(endOfDayIn('2026-12-05', 'Europe/Monaco'), '2026-12-05T22:59:59.000Z');
  assert.equal(endOfDayIn('2026-07-01', 'Europe/Monaco'), '2026-07-01T21:59:59.000Z');
  assert.equal(endOfDayIn('2026-07-01', 'UTC'), '2026-07-01T23:59:59.000Z');
});

/** A demo node (its organisations, users and shares) on a fresh data folder. */
const demoNode = async (): Promise<RunningVigil> =>
  serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO_SINKS: 'false' }),
    dataDir: mkdtempSync(join(tmpdir(), 'vigil-work-orders-')),
    port: 0,
    host: '127.0.0.1',
  });

/** A resident's report through Open311 (a leaking hydrant: the fire service's, unless another service is given); its id. */
const submit = async (vigil: RunningVigil, description: string, service: Record<string, string> = HYDRANT): Promise<string> =>
  (
    await submitOpen311(vigil, {
      ...service,
      lat: '43.7371',
      long: '7.4219',
      description,
      email: 'hydrant.reporter@example.invalid',
      notify: 'email',
    })
  ).service_request_id;
const HYDRANT = { service_code: 'damaged-fire-hydrant', 'attribute[hydrant_problem]': 'leaking' };
const GRAFFITI = { service_code: 'graffiti', 'attribute[offensive]': 'no' };

test('work orders: make, start, complete (report resolved, reporter notified), cancel; refused for another organisation and a citizen; Open311 shows them', async () => {
  const vigil = await demoNode();
  const app = vigil.server.app;
  try {
    const fire = await signedIn(vigil, 'responder');
    const guard = await signedIn(vigil, 'guard');
    const due = zonedParts(Date.now() + 3 * 86_400_000, vigil.ctx.config.timeZone).date;
    const order = { priority: 'high', dueDate: due, team: 'Hydrant crew 2', instructions: 'Replace the cap and check the pressure' };

    const id = await submit(vigil, 'The hydrant on the corner leaks');
    const orgId = vigil.capabilities.citizenReports.state.reports.get(id)!.orgId;

    // Refused: an unrelated organisation (not found: it may not even read the report), a citizen without a session.
    assert.equal((await guard('POST', `/api/citizen-reports/${id}/work-order`, order)).status, 404);
    const anonymous = await app.inject({ method: 'POST', url: `/api/citizen-reports/${id}/work-order`, payload: order });
    assert.equal(anonymous.statusCode, 401);
    assert.equal((await fire('POST', `/api/citizen-reports/${id}/work-order`, { ...order, dueDate: '2020-01-01' })).status, 400, 'a due date in the past');
    assert.equal((await fire('POST', `/api/citizen-reports/${id}/work-order`, { ...order, priority: 'whenever' })).status, 400);

    // Made: assigned to the responsible organisation by default.
    const made = await fire('POST', `/api/citizen-reports/${id}/work-order`, order);
    assert.equal(made.status, 201, made.body);
    const report = made.json.report as StaffReportView;
    assert.equal(report.status, 'work-order');
    const w = report.workOrder!;
    assert.equal(w.assigneeOrgId, orgId);
    assert.equal(w.state, 'assigned');
    assert.equal(w.dueAt, endOfDayIn(due, vigil.ctx.config.timeZone));
    assert.equal((await fire('POST', `/api/citizen-reports/${id}/work-order`, order)).status, 409, 'one open work order per report');
    assert.equal((await fire('POST', `/api/citizen-reports/${id}/resolve`, { note: 'x' })).status, 409, 'resolved through its work order');

    // Open311: still open, with the status note and the expected time; the reporter's link says it in words.
    const o311 = (await app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.json` })).json()[0];
    assert.equal(o311.status, 'open');
    assert.match(o311.status_notes, /^A work order has been issued; the work is due by \d+ \w+\.$/);
    assert.equal(o311.expected_datetime, w.dueAt);
    const fr = (await app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.json?locale=fr` })).json()[0];
    assert.match(fr.status_notes, /^Un ordre de travail a été émis/);
    const x = (await app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.xml` })).body;
    assert.ok(x.includes(`<expected_datetime>${w.dueAt}</expected_datetime>`), x);

    // The list: the fire service's, with names; the unrelated organisation sees none of it.
    const list = await fire('GET', '/api/citizen-reports/work-orders');
    assert.equal(list.status, 200);
    const mine = (list.json.workOrders as WorkOrderView[]).find((x) => x.workOrderId === w.workOrderId)!;
    assert.equal(mine.assigneeName, vigil.capabilities.citizenReports.service.orgName(orgId));
    assert.notEqual(mine.assigneeName, orgId);
    assert.equal(mine.mayAct, true);
    assert.equal(mine.overdue, false);
    assert.ok((list.json.assignees as { orgId: string; name: string }[]).some((a) => a.orgId === orgId));
    const theirs = await guard('GET', '/api/citizen-reports/work-orders');
    assert.ok(!(theirs.json.workOrders as WorkOrderView[]).some((x) => x.workOrderId === w.workOrderId));

    // Its life: in progress, then done; the others are refused.
    assert.equal((await guard('POST', `/api/citizen-reports/work-orders/${w.workOrderId}/start`, {})).status, 404);
    const started = await fire('POST', `/api/citizen-reports/work-orders/${w.workOrderId}/start`, {});
    assert.equal(started.status, 200, started.body);
    assert.equal(started.json.workOrder.state, 'in-progress');
    assert.equal((await fire('POST', `/api/citizen-reports/work-orders/${w.workOrderId}/start`, {})).status, 409);
    const done = await fire('POST', `/api/citizen-reports/work-orders/${w.workOrderId}/complete`, { note: 'Cap replaced, pressure checked.' });
    assert.equal(done.status, 200, done.body);
    assert.equal(done.json.workOrder.state, 'done');
    const after = vigil.capabilities.citizenReports.state.reports.get(id)!;
    assert.equal(after.status, 'resolved');
    assert.equal(after.publicNote, 'Cap replaced, pressure checked.');
    assert.ok(vigil.capabilities.citizenReports.state.dueNotices.has(`${id}:resolved:email`), "the reporter's notice is due");
    assert.equal((await app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.json` })).json()[0].expected_datetime, null);
    const events = await vigil.ctx.log.read({
      subject: `citizen-report:${id}`,
      typePrefixes: ['citizen-reports.work-order.', 'citizen-reports.report.resolved'],
    });
    assert.deepEqual(
      events.map((e) => e.type),
      ['citizen-reports.work-order.issued', 'citizen-reports.work-order.started', 'citizen-reports.work-order.completed', 'citizen-reports.report.resolved'],
    );
    assert.ok(
      events.every((e) => e.actor === events[0]!.actor && e.actor.startsWith('user:')),
      'who, on each step',
    );
    assert.ok(!((await fire('GET', '/api/citizen-reports/work-orders')).json.workOrders as WorkOrderView[]).some((x) => x.workOrderId === w.workOrderId));

    // Cancelled with a reason: the report is back to acknowledged, no expected time.
    const id2 = await submit(vigil, 'Another leak, the same crew');
    const w2 = (await fire('POST', `/api/citizen-reports/${id2}/work-order`, order)).json.report.workOrder as WorkOrderView;
    assert.equal((await fire('POST', `/api/citizen-reports/work-orders/${w2.workOrderId}/cancel`, { reason: '' })).status, 400);
    const cancelled = await fire('POST', `/api/citizen-reports/work-orders/${w2.workOrderId}/cancel`, { reason: 'The water company handles it' });
    assert.equal(cancelled.status, 200, cancelled.body);
    assert.equal(cancelled.json.workOrder.cancelled.reason, 'The water company handles it');
    const r2 = vigil.capabilities.citizenReports.state.reports.get(id2)!;
    assert.equal(r2.status, 'acknowledged');
    assert.ok(!vigil.capabilities.citizenReports.state.dueNotices.has(`${id2}:resolved:email`));
    const o2 = (await app.inject({ method: 'GET', url: `/open311/v2/requests/${id2}.json` })).json()[0];
    assert.equal(o2.expected_datetime, null);
    assert.equal((await fire('POST', `/api/citizen-reports/work-orders/${w2.workOrderId}/complete`, { note: 'x' })).status, 404);
  } finally {
    await vigil.close();
  }
});

/*
 * Who reads and acts on a work order is the policy's answer (docs/security.md): its issuing organisation
 * (the report's) and those it shares with — 'act' acts, 'read' only reads (403 on a step) — and the
 * organisation it is assigned to; nobody else (404, not listed, nothing on the live feed). In the demo city
 * the fire service shares with the police to act and with the city office to read; the private security
 * company shares with the police to read. A share from the assignee does not reach the issuer's work orders:
 * the police, partners of the fire service, neither see nor complete the city office's work order assigned to
 * the fire service (before, they did: it resolved a city report they may not even read).
 */
test("work orders ask the one policy: owner, shares (act / read), the assignee; not the assignee's partners; the same on the live feed", async () => {
  const vigil = await demoNode();
  try {
    const fire = await signedIn(vigil, 'responder');
    const police = await signedIn(vigil, 'commander');
    const city = await signedIn(vigil, 'admin');
    const guard = await signedIn(vigil, 'guard');
    const orgs = vigil.capabilities.citizenReports.service.organisations();
    const orgOf = (kind: string): string => orgs.find((o) => (o as { kind?: string }).kind === kind)!.id;
    const due = zonedParts(Date.now() + 3 * 86_400_000, vigil.ctx.config.timeZone).date;
    const order = (assigneeOrgId?: string) => ({ dueDate: due, instructions: 'Fix it', ...(assigneeOrgId ? { assigneeOrgId } : {}) });
    const issue = async (call: typeof fire, reportId: string, assigneeOrgId?: string): Promise<string> => {
      const r = await call('POST', `/api/citizen-reports/${reportId}/work-order`, order(assigneeOrgId));
      assert.equal(r.status, 201, r.body);
      return (r.json.report as StaffReportView).workOrder!.workOrderId;
    };
    const listed = async (call: typeof fire): Promise<Map<string, boolean>> => {
      const r = await call('GET', '/api/citizen-reports/work-orders');
      assert.equal(r.status, 200, r.body);
      return new Map((r.json.workOrders as WorkOrderView[]).map((w) => [w.workOrderId, w.mayAct]));
    };
    const step = async (call: typeof fire, workOrderId: string, s: 'start' | 'complete' | 'cancel'): Promise<number> =>
      (
        await call(
          'POST',
          `/api/citizen-reports/work-orders/${workOrderId}/${s}`,
          s === 'complete' ? { note: 'Done.' } : s === 'cancel' ? { reason: 'No.' } : {},
        )
      ).status;

    const fireReport = await submit(vigil, 'The hydrant by the school leaks');
    assert.equal(vigil.capabilities.citizenReports.state.reports.get(fireReport)!.orgId, orgOf('fire'));
    const cityReport = await submit(vigil, 'Tags on the underpass', GRAFFITI);
    const cityReport2 = await submit(vigil, 'Tags on the car park', GRAFFITI);
    assert.equal(vigil.capabilities.citizenReports.state.reports.get(cityReport)!.orgId, orgOf('city'));

    const ofFire = await issue(fire, fireReport); // the fire service's own
    const cityToFire = await issue(city, cityReport, orgOf('fire')); // the city office's, assigned to the fire service
    const cityToSecurity = await issue(city, cityReport2, orgOf('security')); // the city office's, assigned to the security company

    // The owner and the assignee: listed, may act.
    assert.equal((await listed(fire)).get(ofFire), true);
    assert.equal((await listed(fire)).get(cityToFire), true, 'the assignee lists it and may act');
    assert.equal((await listed(city)).get(cityToFire), true, 'the issuer lists it and may act');
    assert.equal((await listed(guard)).get(cityToSecurity), true, 'the assignee lists it and may act');

    // The police: the fire service's own work order is shared with them to act (the demo agreement) — listed, may act.
    assert.equal((await listed(police)).get(ofFire), true);
    // The city office's work orders are not shared with the police: a share from the assignee (fire: act, security: read) does not reach them.
    const policeList = await listed(police);
    assert.ok(!policeList.has(cityToFire), "the city's work order assigned to the fire service is not the police's");
    assert.ok(!policeList.has(cityToSecurity), "the city's work order assigned to the security company is not the police's");
    for (const s of ['start', 'complete', 'cancel'] as const) assert.equal(await step(police, cityToFire, s), 404, `police ${s}: not found`);

    // Shared to read (fire → city office): listed without the right to act; a step is forbidden.
    assert.equal((await listed(city)).get(ofFire), false);
    for (const s of ['start', 'complete', 'cancel'] as const) assert.equal(await step(city, ofFire, s), 403, `city ${s} on the fire service's: forbidden`);
    // Unrelated (the security company and the fire service): not listed, not found.
    assert.ok(!(await listed(guard)).has(ofFire));
    for (const s of ['start', 'complete', 'cancel'] as const) assert.equal(await step(guard, ofFire, s), 404, `guard ${s}: not found`);
    // The assignee of another's work order acts on that one only.
    assert.ok(!(await listed(guard)).has(cityToFire));
    assert.equal(await step(guard, cityToFire, 'start'), 404);

    // Allowed steps go through: the police on the fire service's (shared to act), the fire service on the city's it was assigned.
    assert.equal(await step(police, ofFire, 'start'), 200);
    assert.equal(await step(fire, cityToFire, 'start'), 200);
    assert.equal(await step(fire, cityToFire, 'complete'), 200);
    assert.equal(vigil.capabilities.citizenReports.state.reports.get(cityReport)!.status, 'resolved');
    assert.equal(await step(guard, cityToSecurity, 'cancel'), 200);

    // The live feed (and webhooks, which ask the same views) send each work order's steps to the same organisations.
    const views = new LiveViews(vigil.capabilities.citizenReports.liveViews ?? []);
    const who = (username: string) => vigil.capabilities.identity.service.resolvePrincipalOf(username);
    const stepsOf = async (reportId: string) => vigil.ctx.log.read({ subject: `citizen-report:${reportId}`, typePrefixes: ['citizen-reports.work-order.'] });
    const sees = async (username: string, reportId: string): Promise<string[]> =>
      (await stepsOf(reportId)).filter((e) => views.project(who(username), e) !== null).map((e) => e.type.replace('citizen-reports.work-order.', ''));
    assert.deepEqual(await sees('responder', cityReport), ['issued', 'started', 'completed'], 'the assignee follows it');
    assert.deepEqual(await sees('admin', cityReport), ['issued', 'started', 'completed'], 'the issuer follows it');
    assert.deepEqual(await sees('commander', cityReport), [], "not the assignee's partners");
    assert.deepEqual(await sees('guard', cityReport2), ['issued', 'cancelled'], 'the assignee follows it');
    assert.deepEqual(await sees('commander', cityReport2), [], "not the assignee's partners");
    assert.deepEqual(await sees('commander', fireReport), ['issued', 'started'], 'shared with the police');
    assert.deepEqual(await sees('guard', fireReport), [], 'unrelated');
  } finally {
    await vigil.close();
  }
});
