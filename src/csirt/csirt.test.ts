import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { test } from 'node:test';
import type { RunningVigil } from '../app.js';
import { restartTestNode, startTestNode, stopTestNode } from '../../test/support/test-node.js';
import { signedIn } from '../../test/support/api-client.js';
import { until } from '../../test/support/until.js';
import type { SecurityAlert } from './contract.js';

/** A demo node with both syslog listeners on free ports (no road graph). */
const node = (): Promise<RunningVigil> => startTestNode('csirt', { VIGIL_ROUTING_OSM: 'off', VIGIL_SYSLOG_UDP_PORT: '0', VIGIL_SYSLOG_TCP_PORT: '0' });

test('csirt: syslog from logger (UDP) and TCP become events; failed sign-ins raise one alert; a case from it with tasks, observables, advisory to the owner, STIX/MISP export, closing; only the owner and the CSIRT see it; a restart rebuilds it', async () => {
  let vigil = await node();
  try {
    // The demo city (with its own CSIRT desk: a case, alerts, an advisory to the city) is loaded first.
    await vigil.demoLoaded;
    const csirt = vigil.capabilities.csirt;
    const ports = csirt.syslogPorts;
    assert.ok(ports.udp && ports.tcp, 'syslog listeners are open');
    assert.equal(ports.tls, null, 'TLS is off without a certificate');

    // A real client: logger (bsdutils) over UDP, RFC 5424; and a device over TCP, octet counting and LF.
    execFileSync('logger', [
      '-n',
      '127.0.0.1',
      '-P',
      String(ports.udp),
      '-d',
      '--rfc5424',
      '-t',
      'sshd',
      '-p',
      'auth.crit',
      '--sd-id',
      'auth@32473',
      '--sd-param',
      'src="203.0.113.9"',
      'Failed password for root',
    ]);
    const tcp = connect(ports.tcp!, '127.0.0.1');
    // The node closes the connection when it stops (a reset if still open): not what this test is about.
    tcp.on('error', () => {});
    await new Promise<void>((resolve) => tcp.once('connect', () => resolve()));
    const line = '<13>Dec  4 09:14:15 siren-ctl-7 kernel: IN=eth0 SRC=198.51.100.7 DST=10.0.0.2';
    const counted = '<86>1 2026-12-04T09:14:16Z fw-1 pf - - - blocked';
    tcp.end(`${line}\n${Buffer.byteLength(counted)} ${counted}`);
    const recent = () => csirt.service.state.recent;
    await until(
      () => recent().some((e) => e.app === 'sshd') && recent().some((e) => e.host === 'siren-ctl-7') && recent().some((e) => e.host === 'fw-1'),
      'three syslog events',
      10_000,
    );
    const fromLogger = csirt.service.state.recent.find((e) => e.app === 'sshd')!;
    assert.equal(fromLogger.srcIp, '203.0.113.9');
    assert.equal(fromLogger.severity, 2);
    assert.ok(csirt.service.state.recent.some((e) => e.host === 'siren-ctl-7' && e.srcIp === '198.51.100.7'));

    // Six failed sign-ins from one address: one alert (from the fifth on), the sixth joins it.
    for (let i = 0; i < 6; i++) {
      const r = await vigil.server.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: `spray-${i}`, password: 'wrong' },
        remoteAddress: '192.0.2.50',
      });
      assert.equal(r.statusCode, 401);
    }
    const alertOf = () => [...csirt.service.state.alerts.values()].find((a) => a.rule === 'failed-signins' && a.key === '192.0.2.50');
    await until(() => alertOf()?.count === 2 && !csirt.service.state.pending.has(alertOf()!.alertId), 'the failed sign-in alert', 10_000);

    const analyst = await signedIn(vigil, 'csirt');
    const alerts = (await analyst('GET', '/api/csirt/alerts')).json.alerts as SecurityAlert[];
    const alert = alerts.find((a) => a.rule === 'failed-signins' && a.key === '192.0.2.50')!;
    assert.ok(alert, 'the CSIRT sees the alert');
    assert.ok(
      alerts.some((a) => a.rule === 'syslog-critical'),
      'a critical syslog message raised an alert too',
    );
    const marc = vigil.capabilities.identity.reads.orgs().find((o) => o.name.includes('Monitoring'))!;

    const opened = await analyst('POST', '/api/csirt/cases', {
      title: 'Password spraying on the console',
      orgId: marc.id,
      tlp: 'amber',
      pap: 'green',
      alertIds: [alert.alertId],
      observables: [{ type: 'domain', value: 'spray.example', ioc: true }],
    });
    assert.equal(opened.status, 201, opened.body);
    const caseId = opened.json.case.caseId as string;
    assert.match(opened.json.case.ref, /^CSIRT-\d{4}-\d{4}$/);
    assert.ok(
      opened.json.case.observables.some((o: { type: string; value: string }) => o.type === 'ipv4' && o.value === '192.0.2.50'),
      'the alert’s address joins the case',
    );
    // Over the API too: the observable says it came from that alert by rule and parameters, not only in English.
    const fromAlert = opened.json.case.observables.find((o: { value: string }) => o.value === '192.0.2.50');
    assert.deepEqual(fromAlert.origin, { kind: 'alert', rule: 'failed-signins', params: alert.params });
    assert.equal(fromAlert.origin.params.ip, '192.0.2.50');
    assert.equal((await analyst('POST', '/api/csirt/cases', { title: 'again', alertIds: [alert.alertId] })).status, 409, 'an alert is in one case');
    // The incident a case names is one the CSIRT reads (review of 5 December): a made-up id or another organisation's
    // incident the city may not read is unknown (404), nothing recorded; one it reads is linked.
    assert.equal((await analyst('POST', '/api/csirt/cases', { title: 'linked', incidentId: 'inc_made_up' })).status, 404);
    const incidents = vigil.capabilities.incidents.service;
    const asCsirt = vigil.capabilities.identity.service.resolvePrincipalOf('csirt');
    const hidden = [...incidents.state.incidents.values()].find((i) => !incidents.canSee(i, asCsirt));
    if (hidden) assert.equal((await analyst('POST', '/api/csirt/cases', { title: 'linked', incidentId: hidden.incidentId })).status, 404);
    const police = await (
      await signedIn(vigil, 'commander')
    )('POST', '/api/incidents', { type: 'other', position: [7.42, 43.73], source: 'call', title: 'Console' });
    assert.equal(police.status, 201, police.body);
    const linked = await analyst('POST', '/api/csirt/cases', { title: 'linked', incidentId: police.json.incident.incidentId });
    assert.equal(linked.status, 201, linked.body);
    assert.equal(linked.json.case.incidentId, police.json.incident.incidentId);
    assert.equal((await analyst('POST', `/api/csirt/cases/${caseId}/observables`, { type: 'ipv4', value: '999.1.1.1' })).status, 400);
    assert.equal((await analyst('POST', `/api/csirt/cases/${caseId}/observables`, { type: 'cve', value: 'CVE-2024-3400', note: 'the firewall' })).status, 201);
    assert.equal(
      (await analyst('POST', `/api/csirt/cases/${caseId}/tasks`, { title: 'Block the address at the edge', owner: 'csirt', dueAt: '2026-12-05T12:00:00Z' }))
        .status,
      201,
    );
    const assigned = await analyst('PATCH', `/api/csirt/cases/${caseId}`, { assignee: 'csirt', status: 'in-progress', severity: 'high' });
    assert.equal(assigned.status, 200, assigned.body);
    assert.ok(assigned.json.case.triagedAt, 'taking the case triages it');
    // People by name for the page: the assignee and task owner (usernames) come with their display names.
    assert.equal(assigned.json.case.people.csirt, 'Cyril CSIRT');
    assert.equal(
      ((await analyst('GET', '/api/csirt/cases')).json.cases as { caseId: string; people: Record<string, string> }[]).find((c) => c.caseId === caseId)!.people
        .csirt,
      'Cyril CSIRT',
    );
    const task = assigned.json.case.tasks[0];
    assert.equal((await analyst('POST', `/api/csirt/cases/${caseId}/tasks/${task.taskId}`, { done: true })).status, 200);

    const stix = await analyst('GET', `/api/csirt/cases/${caseId}/stix`);
    assert.equal(stix.status, 200);
    assert.equal(stix.json.type, 'bundle');
    const patterns = stix.json.objects.filter((o: { type: string }) => o.type === 'indicator').map((o: { pattern: string }) => o.pattern);
    assert.ok(patterns.includes("[ipv4-addr:value = '192.0.2.50']") && patterns.includes("[domain-name:value = 'spray.example']"), patterns.join());
    assert.ok(stix.json.objects.some((o: { type: string; name: string }) => o.type === 'vulnerability' && o.name === 'CVE-2024-3400'));
    assert.ok(
      stix.json.objects.every(
        (o: { type: string; object_marking_refs?: string[] }) =>
          o.type === 'identity' || o.object_marking_refs?.[0] === 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
      ),
    );
    const misp = await analyst('GET', `/api/csirt/cases/${caseId}/misp`);
    assert.ok(
      misp.json.Event.Attribute.some((a: { type: string; value: string; to_ids: boolean }) => a.type === 'ip-src' && a.value === '192.0.2.50' && a.to_ids),
    );
    assert.ok(misp.json.Event.Tag.some((t: { name: string }) => t.name === 'tlp:amber'));

    // The bundle read back as indicators: an event from that address now matches.
    const imported = await analyst('POST', '/api/csirt/indicators', { source: 'national CERT', bundle: stix.json });
    assert.equal(imported.json.imported, 2);
    const sent = await analyst('POST', '/api/csirt/events', { message: 'connection from peer', srcIp: '192.0.2.50', host: 'edge-fw' });
    assert.equal(sent.status, 202, sent.body);
    await until(() => [...csirt.service.state.alerts.values()].some((a) => a.rule === 'indicator-match'), 'an indicator match', 10_000);

    // The advisory reaches the monitoring centre; its supervisor confirms; the city's admin sees none of it.
    const advised = await analyst('POST', `/api/csirt/cases/${caseId}/advisories`, {
      orgId: marc.id,
      title: 'Password spraying',
      body: 'Enable second factors.',
    });
    assert.equal(advised.status, 201, advised.body);
    const supervisor = await signedIn(vigil, 'supervisor');
    const theirs = await supervisor('GET', '/api/csirt/advisories');
    assert.equal(theirs.json.advisories.length, 1);
    assert.equal((await supervisor('POST', `/api/csirt/advisories/${theirs.json.advisories[0].advisoryId}/confirm`)).status, 200);
    assert.equal((await supervisor('GET', `/api/csirt/cases/${caseId}`)).status, 200, 'the owner organisation reads its case');
    assert.equal((await supervisor('POST', `/api/csirt/cases/${caseId}/comments`, { text: 'x' })).status, 403, 'its supervisor does not work the case');
    const admin = await signedIn(vigil, 'admin');
    assert.equal((await admin('GET', `/api/csirt/cases/${caseId}`)).status, 404, 'the city admin does not see another organisation’s case');
    assert.ok(
      ((await admin('GET', '/api/csirt/advisories')).json.advisories as { orgId: string }[]).every((a) => a.orgId !== marc.id),
      "the city admin reads none of the monitoring centre's advisories",
    );
    assert.equal((await (await signedIn(vigil, 'commander'))('GET', '/api/csirt/cases')).status, 403);
    // The desk's figures follow the same rule (audit of 5 December): the city-wide counts of events received, refused
    // and dropped are the CSIRT's; an owner organisation's supervisor counts the events it may read, not the city's.
    const whole = (await analyst('GET', '/api/csirt/summary')).json.summary;
    const theirFigures = (await supervisor('GET', '/api/csirt/summary')).json.summary;
    const theirEvents = (await supervisor('GET', '/api/csirt/events?limit=1000')).json.events as { orgId: string | null }[];
    assert.ok(
      theirEvents.every((e) => e.orgId === marc.id),
      'the supervisor reads only its organisation’s events',
    );
    assert.ok(whole.events > theirEvents.length, `the city received more (${whole.events}) than the monitoring centre may read`);
    assert.equal(theirFigures.events, theirEvents.length, 'the supervisor counts what it may read, not the city-wide total');
    assert.equal(theirFigures.eventsRefused, 0);
    assert.equal(theirFigures.eventsDropped, 0);

    const closed = await analyst('POST', `/api/csirt/cases/${caseId}/close`, { resolution: 'true-positive', note: 'blocked' });
    assert.equal(closed.json.case.status, 'closed');
    assert.ok(closed.json.case.advisories[0].confirmedAt);
    const summary = (await analyst('GET', '/api/csirt/summary')).json.summary;
    assert.equal(summary.openCases, [...csirt.service.state.cases.values()].filter((c) => c.status !== 'closed').length, "only the demo's own case stays open");
    assert.equal(typeof summary.medianCloseMinutes, 'number');

    // The cockpit's city figures: time to triage and to close, from the cases (values only, nothing of the case).
    for (const id of ['vigil.csirt-time-to-triage', 'vigil.csirt-time-to-close']) {
      const figures = await admin('GET', `/api/cockpit/indicators/${id}/values?level=city`);
      assert.equal(figures.status, 200, figures.body);
      assert.match(figures.body, /"(value|p50)":\s*\d/, `${id}: ${figures.body.slice(0, 300)}`);
      assert.doesNotMatch(figures.body, /Password spraying/);
    }
    // Device security's city figures, as its read port counts them; a provider agreement can hold a target on them.
    const security = vigil.capabilities.deviceSecurity.reads;
    const share = security.knownExploitedShare(null);
    const coverage = security.patchCoverage(null);
    assert.ok(share.devices > 0 && share.withKnownExploited > 0, 'the demo has devices with known exploited vulnerabilities');
    for (const [id, expected] of [
      ['vigil.devices-known-exploited', (100 * share.withKnownExploited) / share.devices],
      ['vigil.device-patch-coverage', (100 * coverage.resolved) / coverage.findings],
    ] as const) {
      const figures = await admin('GET', `/api/cockpit/indicators/${id}/values?level=city`);
      assert.equal(figures.status, 200, figures.body);
      assert.ok(Math.abs(figures.json.values[0].value - expected) < 1e-9, `${id}: ${figures.body.slice(0, 300)}`);
    }
    const analystOfCity = await signedIn(vigil, 'analyst');
    const agreement = await analystOfCity('POST', '/api/cockpit/agreements', {
      agreementId: 'siren-maintainer-2026',
      name: 'Siren maintenance 2026',
      provider: 'Telegrafia service partner',
      periodKind: 'month',
      startsWith: '2026-12',
      clauses: [
        { indicatorId: 'vigil.devices-known-exploited', statistic: 'value', comparator: '<=', target: 5, minimumCount: 0 },
        { indicatorId: 'vigil.device-patch-coverage', statistic: 'value', comparator: '>=', target: 90, minimumCount: 0 },
      ],
    });
    assert.equal(agreement.status, 201, agreement.body);
    const report = (await analystOfCity('GET', '/api/cockpit/agreements/siren-maintainer-2026/report')).json;
    const clauses = report.periods.at(-1).clauses as { indicatorId: string; value: number | null; outcome: string }[];
    assert.deepEqual(
      clauses.map((c) => c.outcome === 'met' || c.outcome === 'missed'),
      [true, true],
      JSON.stringify(clauses),
    );

    vigil = await restartTestNode(vigil);
    const again = vigil.capabilities.csirt.service.state;
    assert.equal(again.cases.get(caseId)!.status, 'closed');
    assert.equal(again.alerts.get(alert.alertId)!.count, 2, 'the alert rebuilt with the same count');
    assert.equal(again.pending.size, 0, 'no alert is written twice');
  } finally {
    await stopTestNode(vigil);
  }
});
