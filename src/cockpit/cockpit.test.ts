import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil, type RunningVigil } from '../app.js';
import { signedIn } from '../../test/support/api-client.js';
import { alarmEvent, type Alarm, type Resolution } from '../alarms/contract.js';
import { loadConfig } from '../kernel/config.js';

const config = (dataDir: string) => ({
  ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});

/** One alarm through its life as the alarms capability records it, at given times (seconds after `t0`). */
async function alarmLife(vigil: RunningVigil, n: number, siteId: string, t0: number, ackAfter: number, resolution: Resolution) {
  const alarmId = `alm_cockpit_${n}`;
  const alarm: Alarm = {
    alarmId,
    account: null,
    correlationKey: null,
    siteId,
    orgId: null,
    kind: 'burglary',
    priority: 3,
    status: 'new',
    title: 'test',
    raisedAt: new Date(t0).toISOString(),
    signalIds: [],
    restored: false,
    claimedBy: null,
    acknowledgedAt: null,
    closedAt: null,
    resolution: null,
    note: null,
  };
  await vigil.ctx.record([
    { ...alarmEvent('alarms.alarm.raised', `alarm:${alarmId}`, null, 'system', { alarm }), at: t0 },
    {
      ...alarmEvent('alarms.alarm.acknowledged', `alarm:${alarmId}`, null, 'user:test', { alarmId, by: 'user:test' }),
      at: t0 + ackAfter * 1000,
      id: `evt_ack_${n}`,
    },
    {
      ...alarmEvent('alarms.alarm.closed', `alarm:${alarmId}`, null, 'user:test', { alarmId, by: 'user:test', resolution, note: null }),
      at: t0 + (ackAfter + 60) * 1000,
      id: `evt_close_${n}`,
    },
  ]);
}

test('cockpit end to end: alarm indicators per site, neighbourhood and city from real events, statistics and peers imports, export, replay', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-cockpit-'));
  let vigil = await serveVigil(config(dataDir));
  try {
    const analyst = await signedIn(vigil, 'analyst');
    const operator = await signedIn(vigil, 'operator');
    assert.equal((await operator('GET', '/api/cockpit/catalogue')).status, 403, 'the cockpit is for city managers (analyst) and admins');
    const catalogue = (await analyst('GET', '/api/cockpit/catalogue')).json;
    assert.ok(catalogue.indicators.some((i: { id: string }) => i.id === 'vigil.alarm-ack-time'));

    // Two sites in one neighbourhood, one in another.
    const tree = (await analyst('GET', '/api/cockpit/areas')).json;
    const cityPath = encodeURIComponent(tree.cityId);
    const hoods = tree.areas.filter((a: { level: string }) => a.level === 'neighbourhood');
    assert.equal(hoods.length, 4);
    const sites = [...vigil.capabilities.city.service.state.sites.values()];
    const [a, b] = sites.filter((s) => s.areaId === hoods[0].id);
    const c = sites.find((s) => s.areaId === hoods[1].id)!;
    const t0 = Date.UTC(2026, 2, 10, 12); // March 2026
    // Site a: acks after 10, 20, 30 s, one false of three; site b: 40, 50 s, both false; site c: 100 s, genuine.
    let n = 0;
    for (const [site, ack, res] of [
      [a!, 10, 'genuine'],
      [a!, 20, 'false-user-error'],
      [a!, 30, 'genuine'],
      [b!, 40, 'false-device-fault'],
      [b!, 50, 'false-environment'],
      [c, 100, 'genuine'],
    ] as const) {
      await alarmLife(vigil, n++, site.id, t0 + n * 3_600_000, ack, res);
    }
    const hood = (await analyst('GET', `/api/cockpit/indicators/vigil.alarm-ack-time/values?period=2026-03&level=neighbourhood`)).json.values;
    const h0 = hood.find((v: { areaId: string }) => v.areaId === hoods[0].id);
    // 10 20 30 40 50: median 30 (the median of the site medians 20 and 45 would be 32.5); p90 h = 3.6 → 40 + 0.6 × 10 = 46.
    assert.equal(h0.percentiles.p50, 30);
    assert.ok(Math.abs(h0.percentiles.p90 - 46) < 1e-9, String(h0.percentiles.p90));
    const fa = (await analyst('GET', `/api/cockpit/indicators/vigil.false-alarm-rate/values?period=2026-03&level=neighbourhood`)).json.values;
    const f0 = fa.find((v: { areaId: string }) => v.areaId === hoods[0].id);
    assert.equal(f0.value, 60, '3 false of 5 closed (the average of the site rates 33 % and 100 % would be 67 %)');
    const city = (await analyst('GET', `/api/cockpit/indicators/vigil.false-alarm-rate/areas/${cityPath}?period=2026`)).json.value;
    assert.equal(city.value, 50, '3 of 6');
    // Districts (the demo's, grouping neighbourhoods): building → neighbourhood → district → city, sums of counts and percentiles from the raw times.
    const districts = tree.areas.filter((a: { level: string }) => a.level === 'district');
    assert.equal(districts.length, 2);
    for (const h of hoods)
      assert.ok(
        districts.some((d: { id: string }) => d.id === h.parentId),
        `${h.name} sits in a district`,
      );
    for (const d of districts) assert.equal(d.parentId, tree.cityId);
    const districtOf = (hoodId: string) => hoods.find((h: { id: string }) => h.id === hoodId).parentId as string;
    // Per site (false, closed, ack times): a 1 of 3 (10 20 30), b 2 of 2 (40 50), c 0 of 1 (100).
    const bySite: [string, number, number, number[]][] = [
      [a!.id, 1, 3, [10, 20, 30]],
      [b!.id, 2, 2, [40, 50]],
      [c.id, 0, 1, [100]],
    ];
    const siteDistrict = (siteId: string) => districtOf(sites.find((s) => s.id === siteId)!.areaId!);
    const dRate = (await analyst('GET', '/api/cockpit/indicators/vigil.false-alarm-rate/values?period=2026-03&level=district')).json.values;
    const dAck = (await analyst('GET', '/api/cockpit/indicators/vigil.alarm-ack-time/values?period=2026-03&level=district')).json.values;
    for (const d of districts) {
      const mine = bySite.filter(([id]) => siteDistrict(id) === d.id);
      const rate = dRate.find((v: { areaId: string }) => v.areaId === d.id);
      const ack = dAck.find((v: { areaId: string }) => v.areaId === d.id);
      if (mine.length === 0) {
        assert.equal(rate.value, null);
        continue;
      }
      const falses = mine.reduce((n, m) => n + m[1], 0),
        closed = mine.reduce((n, m) => n + m[2], 0);
      assert.deepEqual([rate.numerator.value, rate.denominator.value], [falses, closed], d.name);
      assert.ok(Math.abs(rate.value - (100 * falses) / closed) < 1e-9);
      const times = mine.flatMap((m) => m[3]).sort((x, y) => x - y);
      const h = (times.length - 1) / 2; // R-7 median of the raw times
      assert.equal(ack.percentiles.p50, times[Math.floor(h)]! + (h - Math.floor(h)) * (times[Math.ceil(h)]! - times[Math.floor(h)]!), d.name);
    }
    const closedRefs = city.provenance.find((p: { variable: string }) => p.variable === 'alarms-closed');
    assert.equal(closedRefs.total, 6);
    assert.ok(closedRefs.refs.includes('evt_close_0'));
    const siteAck = (await analyst('GET', `/api/cockpit/indicators/vigil.alarm-ack-time/areas/${encodeURIComponent(c.id)}?period=2026-Q1`)).json.value;
    assert.deepEqual([siteAck.percentiles.p50, siteAck.provenance[0].refs], [100, ['evt_ack_5']]);
    // The alarm queue's own figure agrees (odd count: its lower median is the median).
    const cityAck = (await analyst('GET', `/api/cockpit/indicators/vigil.alarm-ack-time/areas/${cityPath}?period=2026`)).json.value;
    assert.equal(cityAck.count, 6);
    const trend = (await analyst('GET', `/api/cockpit/indicators/vigil.false-alarm-rate/areas/${cityPath}/trend?by=month`)).json;
    assert.equal(trend.points.find((p: { period: string }) => p.period === '2026-03').value, 50);
    assert.equal(trend.points.find((p: { period: string }) => p.period === '2026-04').value, null, 'no alarm closed in April: unknown, not 0 %');
    assert.equal(trend.points[0].period, '2026-03', 'the trend starts with the first month with data');

    // Statistics: a bad file is refused line by line and nothing is stored; a good one is.
    const bad = await analyst('POST', '/api/cockpit/statistics', {
      source: 'test',
      format: 'csv',
      content: `variable,area,period,value\nfire-deaths,Nowhere,2025,1\nfire-deaths,${hoods[0].name},2025-13,1\nalarms-closed,${hoods[0].name},2025,1\nfire-deaths,${hoods[0].name},2025,-2\n`,
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.json.error.details.errors.map((e: { line: number }) => e.line),
      [2, 3, 4, 5],
    );
    assert.match(bad.json.error.details.errors[0].message, /unknown area "Nowhere"/);
    assert.match(bad.json.error.details.errors[2].message, /measured by Vigil/);
    const csv = [
      'variable,area,period,value',
      ...hoods.map((h: { name: string }, i: number) => `fire-deaths,"${h.name}",2025,${i + 1}`),
      'population,Monaco,2025,40000',
      'firefighters,Monaco,2025,120',
    ].join('\n');
    const good = await analyst('POST', '/api/cockpit/statistics', { source: 'IMSEE test figures', format: 'csv', content: csv });
    assert.equal(good.status, 201, good.body);
    const deaths = (await analyst('GET', `/api/cockpit/indicators/iso37120.fire-deaths-per-100k/areas/${cityPath}?period=2025`)).json.value;
    assert.equal(deaths.value, 25, '(1 + 2 + 3 + 4) / 40 000 × 100 000');
    assert.equal(deaths.provenance.find((p: { variable: string }) => p.variable === 'fire-deaths').total, 4);
    const perHood = (await analyst('GET', `/api/cockpit/indicators/iso37120.fire-deaths-per-100k/values?period=2025`)).json.values;
    const pop0 = vigil.capabilities.city.service.state.populationOf(hoods[0].id)!;
    assert.ok(
      Math.abs(perHood.find((v: { areaId: string }) => v.areaId === hoods[0].id).value - (1 / pop0) * 100_000) < 1e-9,
      'a neighbourhood without an imported population uses the city model',
    );
    assert.equal((await analyst('GET', '/api/cockpit/indicators/iso37120.firefighters-per-100k/values?level=site')).status, 400, 'not computed per site');

    // Peers of similar size (20 000 – 80 000 residents): percentile position and gaps. Lower is better for fire deaths.
    const peers = await analyst('POST', '/api/cockpit/peers', {
      source: 'WCCD-like test set',
      format: 'json',
      records: [
        { city: 'Alpha', country: 'FR', population: 30000, indicator: 'iso37120.fire-deaths-per-100k', period: '2025', value: 10 },
        { city: 'Beta', country: 'IT', population: 50000, indicator: 'iso37120.fire-deaths-per-100k', period: '2025', value: 30 },
        { city: 'Gamma', country: 'CH', population: 70000, indicator: 'iso37120.fire-deaths-per-100k', period: '2025', value: 40 },
        { city: 'Huge', country: 'XX', population: 9000000, indicator: 'iso37120.fire-deaths-per-100k', period: '2025', value: 1 },
      ],
    });
    assert.equal(peers.status, 201, peers.body);
    const cmp = (await analyst('GET', '/api/cockpit/indicators/iso37120.fire-deaths-per-100k/peers?period=2025')).json;
    assert.deepEqual(
      cmp.peers.map((p: { city: string }) => p.city),
      ['Alpha', 'Beta', 'Gamma'],
    );
    assert.equal(cmp.median, 30);
    assert.equal(cmp.best, 10);
    assert.equal(cmp.gapToMedian, -5);
    assert.ok(Math.abs(cmp.percentile - 200 / 3) < 1e-9, 'better than or equal to 2 of 3 peers');
    assert.equal(
      (await analyst('POST', '/api/cockpit/peers', { source: 'x y z', format: 'json', records: [{ city: 'A', indicator: 'nope', period: '2025', value: 1 }] }))
        .status,
      400,
    );

    // The overview the cockpit opens on: only indicators with a city value, each with its twelve months and its peer position.
    const overview = (await analyst('GET', '/api/cockpit/overview?period=2025')).json;
    assert.equal(overview.period, '2025');
    const deathsCard = overview.indicators.find((i: { indicatorId: string }) => i.indicatorId === 'iso37120.fire-deaths-per-100k');
    assert.equal(deathsCard.value, 25);
    assert.equal(deathsCard.trend.length, 12);
    assert.deepEqual(deathsCard.peers, { count: 3, percentile: cmp.percentile, median: 30 });
    assert.ok(
      overview.indicators.every((i: { value: number | null }) => i.value !== null),
      'no card without data',
    );
    assert.ok(!overview.indicators.some((i: { indicatorId: string }) => i.indicatorId === 'vigil.false-alarm-rate'), 'no alarm closed in 2025');
    assert.equal((await operator('GET', '/api/cockpit/overview')).status, 403);

    // Warning coverage: population-weighted, and neighbourhoods add up to the city.
    const cov = (await analyst('GET', '/api/cockpit/indicators/vigil.warning-coverage-two-channels/values?level=neighbourhood')).json.values;
    const covCity = (await analyst('GET', `/api/cockpit/indicators/vigil.warning-coverage-two-channels/areas/${cityPath}`)).json.value;
    const sum = (k: 'numerator' | 'denominator') => cov.reduce((s: number, v: Record<string, { value: number }>) => s + v[k]!.value, 0);
    assert.equal(sum('denominator'), covCity.denominator.value);
    assert.equal(sum('numerator'), covCity.numerator.value);
    assert.ok(covCity.value > 0 && covCity.value < 100, String(covCity.value));

    // Export: CSV, JSON and NGSI-LD KeyPerformanceIndicator.
    const exportCsv = await analyst('GET', '/api/cockpit/export?format=csv&period=2026-03&level=neighbourhood');
    assert.equal(exportCsv.status, 200);
    assert.match(exportCsv.body, /^indicator,name,standard,clause,confirmed,area_id/);
    assert.match(exportCsv.body, /vigil\.false-alarm-rate,False-alarm rate,Vigil,vigil\.false-alarm-rate,true,[^\n]*,neighbourhood,2026-03,60,%/);
    const ngsi = (await analyst('GET', '/api/cockpit/export?format=ngsi-ld&period=2026-03&level=city')).json;
    const kpi = ngsi.find((e: { alternateName: string }) => e.alternateName === 'vigil.false-alarm-rate');
    assert.equal(kpi.type, 'KeyPerformanceIndicator');
    assert.equal(kpi.kpiValue, 50);
    assert.deepEqual(kpi.calculationPeriod, { from: '2026-03-01', to: '2026-03-31' });
    assert.match(kpi.id, /^urn:ngsi-ld:KeyPerformanceIndicator:/);

    // Restart: every value is rebuilt from the log.
    await vigil.close();
    vigil = await serveVigil(config(dataDir));
    const again = await signedIn(vigil, 'analyst');
    assert.equal((await again('GET', `/api/cockpit/indicators/vigil.false-alarm-rate/areas/${cityPath}?period=2026`)).json.value.value, 50);
    assert.equal((await again('GET', `/api/cockpit/indicators/iso37120.fire-deaths-per-100k/areas/${cityPath}?period=2025`)).json.value.value, 25);
    assert.equal((await again('GET', '/api/cockpit/imports')).json.imports.length, 2);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('KPI-based agreement: the city evaluates its alarm-response provider each month against a target, with a minimum-sample condition', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-cockpit-agr-'));
  const vigil = await serveVigil(config(dataDir));
  try {
    const analyst = await signedIn(vigil, 'analyst');
    const operator = await signedIn(vigil, 'operator');
    const site = [...vigil.capabilities.city.service.state.sites.values()][0]!;
    const body = {
      agreementId: 'riviera-2026',
      name: 'Alarm monitoring 2026',
      provider: 'Riviera Alarm Monitoring',
      periodKind: 'month',
      startsWith: '2026-02',
      clauses: [{ indicatorId: 'vigil.false-alarm-rate', statistic: 'value', comparator: '<=', target: 40, minimumCount: 2 }],
    };
    assert.equal((await operator('POST', '/api/cockpit/agreements', body)).status, 403, 'the provider does not examine itself');
    const wrong = await analyst('POST', '/api/cockpit/agreements', { ...body, clauses: [{ ...body.clauses[0], statistic: 'p90' }] });
    assert.equal(wrong.status, 400);
    assert.match(wrong.json.error.message, /has no statistic p90/);
    assert.equal((await analyst('POST', '/api/cockpit/agreements', { ...body, startsWith: '2026' })).status, 400, 'a monthly agreement starts with a month');
    assert.equal((await analyst('POST', '/api/cockpit/agreements', body)).status, 201);
    // March: 1 false of 2 (50 %); April: 1 genuine (too few to judge); May: 2 genuine (0 %).
    let n = 100;
    for (const [month, res] of [
      [2, 'false-user-error'],
      [2, 'genuine'],
      [3, 'genuine'],
      [4, 'genuine'],
      [4, 'genuine'],
    ] as const) {
      await alarmLife(vigil, n++, site.id, Date.UTC(2026, month, 12, 10) + n * 60_000, 30, res);
    }
    const report = (await analyst('GET', '/api/cockpit/agreements/riviera-2026/report')).json;
    const by = Object.fromEntries(report.periods.map((p: { period: string }) => [p.period, p]));
    assert.equal(by['2026-02'].status, 'incomplete');
    assert.equal(by['2026-02'].clauses[0].reason, 'no value for the period');
    assert.equal(by['2026-03'].status, 'breached');
    assert.equal(by['2026-03'].clauses[0].value, 50);
    assert.equal(by['2026-04'].status, 'incomplete');
    assert.match(by['2026-04'].clauses[0].reason, /1 sample\(s\), the agreement requires 2/);
    assert.equal(by['2026-05'].status, 'met');
    assert.equal(report.periods.at(-1).inProgress, true, 'the current month is still open');
    const board = (await analyst('GET', '/api/cockpit/agreements')).json.agreements;
    assert.equal(board[0].agreement.provider, 'Riviera Alarm Monitoring');
    // One period's report, as JSON and as the examiner's HTML page.
    const march = (await analyst('GET', '/api/cockpit/agreements/riviera-2026/report?period=2026-03')).json;
    assert.deepEqual(
      march.periods.map((p: { period: string }) => p.period),
      ['2026-03'],
    );
    assert.equal((await analyst('GET', '/api/cockpit/agreements/riviera-2026/report?period=2025-12')).status, 404, 'before the first period');
    const html = await analyst('GET', '/api/cockpit/agreements/riviera-2026/report.html?period=2026-03');
    assert.equal(html.status, 200);
    assert.match(html.body, /^<!doctype html>/);
    assert.match(html.body, /Riviera Alarm Monitoring/);
    assert.match(html.body, /data-period="2026-03"[\s\S]*breached[\s\S]*False-alarm rate[\s\S]*50 %/);
    assert.doesNotMatch(html.body, /data-period="2026-04"/);
    assert.equal((await operator('GET', '/api/cockpit/agreements/riviera-2026/report.html')).status, 403);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
