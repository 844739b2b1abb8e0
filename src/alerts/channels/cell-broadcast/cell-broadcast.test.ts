import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flood } from '../../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../../test/support/api-client.js';
import { startCbcPeer } from '../../../../test/support/cbc-peer.js';
import { channelTexts } from '../../messages/channel-text.js';
import { targetAreaOf } from '../../targeting/area-geometry.js';
import { coverageIntersects } from '../../targeting/coverage.js';
import { cbsMessageIdentifier, readSerialNumber, serialNumber } from './cell-broadcast.js';
import type { CapInfo } from '../../cap/cap-model.js';
import fc from 'fast-check';
import { parseCbcResponse } from './cell-broadcast-channel.js';
import { until } from '../../../../test/support/until.js';
import { startTestNode, stopTestNode } from '../../../../test/support/test-node.js';

test('message identifiers: TS 23.041 CMAS / EU-Alert channels by status, severity, urgency, certainty; additional languages', () => {
  const info = (severity: string, urgency: string, certainty: string, extra: Partial<CapInfo> = {}): CapInfo =>
    ({ category: ['Met'], event: 'x', severity, urgency, certainty, ...extra }) as CapInfo;
  const actual = { status: 'Actual' } as const;
  assert.equal(cbsMessageIdentifier(actual, info('Extreme', 'Immediate', 'Observed'), false), 4371);
  assert.equal(cbsMessageIdentifier(actual, info('Extreme', 'Immediate', 'Likely'), false), 4372);
  assert.equal(cbsMessageIdentifier(actual, info('Extreme', 'Expected', 'Observed'), false), 4373);
  assert.equal(cbsMessageIdentifier(actual, info('Extreme', 'Expected', 'Likely'), false), 4374);
  assert.equal(cbsMessageIdentifier(actual, info('Severe', 'Immediate', 'Observed'), false), 4375);
  assert.equal(cbsMessageIdentifier(actual, info('Severe', 'Expected', 'Likely'), false), 4378);
  assert.equal(cbsMessageIdentifier(actual, info('Severe', 'Expected', 'Likely'), true), 4391);
  assert.equal(cbsMessageIdentifier(actual, info('Moderate', 'Immediate', 'Observed'), false), 4396, 'below the CMAS thresholds: public safety');
  assert.equal(cbsMessageIdentifier(actual, info('Severe', 'Future', 'Observed'), true), 4397);
  assert.equal(
    cbsMessageIdentifier(actual, info('Extreme', 'Immediate', 'Observed', { parameter: [{ valueName: 'EU-Alert level', value: '1' }] }), false),
    4370,
  );
  assert.equal(
    cbsMessageIdentifier(actual, info('Extreme', 'Immediate', 'Observed', { parameter: [{ valueName: 'EU-Alert level', value: '1' }] }), true),
    4383,
  );
  assert.equal(cbsMessageIdentifier(actual, info('Severe', 'Immediate', 'Likely', { eventCode: [{ valueName: 'SAME', value: 'CAE' }] }), false), 4379);
  assert.equal(cbsMessageIdentifier({ status: 'Exercise' }, info('Extreme', 'Immediate', 'Observed'), false), 4381);
  assert.equal(cbsMessageIdentifier({ status: 'Exercise' }, info('Extreme', 'Immediate', 'Observed'), true), 4394);
  assert.equal(cbsMessageIdentifier({ status: 'Test' }, info('Extreme', 'Immediate', 'Observed'), false), 4380);
  assert.deepEqual(readSerialNumber(serialNumber(1023, 17)), { gs: 1, messageCode: 1023, updateNumber: 1 });
  assert.throws(() => serialNumber(1024, 0), /0–1023/);
});

test('cell broadcast: per language a CBS message to the cells covering the area; Update replaces with the next update number; Cancel stops', async () => {
  const cbc = await startCbcPeer({ failFirst: 1 });
  const vigil = await startTestNode('cbc', { VIGIL_CBC_URL: cbc.url });
  try {
    const area = targetAreaOf(flood.info[0]!.area);
    const cells = [...vigil.capabilities.city.service.state.devices.values()]
      .filter((d) => d.kind === 'cell-site' && coverageIntersects(d.cell!.coverage, area))
      .map((d) => d.cell!.cellId)
      .sort();
    const allCells = [...vigil.capabilities.city.service.state.devices.values()].filter((d) => d.kind === 'cell-site');
    assert.ok(cells.length > 0 && cells.length < allCells.length, `some but not all of the ${allCells.length} demo cells cover Fontvieille (${cells.length})`);
    const author = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const { json } = await author('POST', '/api/alerts', { ...flood, channels: ['cell-broadcast'] });
    const id = json.alert.alertId as string;
    await author('POST', `/api/alerts/${id}/submit`);
    await second('POST', `/api/alerts/${id}/approve`);
    const progress = () => vigil.capabilities.alerts.delivery.of(id).find((p) => p.channel === 'cell-broadcast');
    await until(() => progress()?.status === 'done', 'the cell-broadcast channel to finish (after one 503 and a retry)');
    assert.deepEqual(cbc.problems, []);
    assert.equal(cbc.received.length, 2);
    const [fr, en] = ['fr-MC', 'en-GB'].map((l) => cbc.received.find((m) => m.language === l)!);
    assert.equal(fr!.messageIdentifier, 4375, 'Severe, Immediate, Observed');
    assert.equal(en!.messageIdentifier, 4375 + 13, 'the additional language channel');
    assert.notEqual(fr!.messageCode, en!.messageCode);
    assert.deepEqual([fr!.updateNumber, en!.updateNumber], [0, 0]);
    for (const [m, info] of [
      [fr!, flood.info[0]!],
      [en!, flood.info[1]!],
    ] as const) {
      assert.equal(
        m.pages.join(''),
        channelTexts({ status: 'Actual', msgType: 'Alert' }, info as CapInfo).sms,
        `${m.language}: the phones show the alert text`,
      );
      assert.deepEqual([...m.cells].sort(), cells);
    }
    assert.deepEqual([progress()!.queued, progress()!.sent, progress()!.failed], [cells.length * 2, cells.length * 2, 0]);
    const detail = await author('GET', `/api/alerts/${id}/channels`);
    assert.deepEqual(
      detail.json.cellBroadcast.map((m: { messageIdentifier: number; answer: { accepted: number } }) => [m.messageIdentifier, m.answer.accepted]),
      [
        [4375, cells.length],
        [4388, cells.length],
      ],
    );

    // Update: same message codes, update number 1, replacing the messages on air.
    const upd = await author('POST', `/api/alerts/${id}/update`);
    const updId = upd.json.alert.alertId as string;
    const changed = { ...flood, channels: ['cell-broadcast'], info: flood.info.map((i) => ({ ...i, instruction: `${i.instruction} 2` })) };
    assert.equal((await author('PUT', `/api/alerts/${updId}`, changed)).status, 200);
    await author('POST', `/api/alerts/${updId}/submit`);
    await second('POST', `/api/alerts/${updId}/approve`);
    await until(() => vigil.capabilities.alerts.delivery.of(updId).find((p) => p.channel === 'cell-broadcast')?.status === 'done', 'the update to go out');
    assert.deepEqual(cbc.problems, []);
    const frUpd = cbc.received.slice(2).find((m) => m.language === 'fr-MC')!;
    assert.deepEqual([frUpd.messageIdentifier, frUpd.messageCode, frUpd.updateNumber], [4375, fr!.messageCode, 1]);
    assert.ok(frUpd.pages.join('').endsWith('Montez aux étages. 2'));

    // Cancel: both languages stopped in the same cells.
    const cancel = await author('POST', `/api/alerts/${updId}/cancel`);
    await author('POST', `/api/alerts/${cancel.json.alert.alertId}/submit`);
    await until(
      () => vigil.capabilities.alerts.delivery.of(cancel.json.alert.alertId).find((p) => p.channel === 'cell-broadcast')?.status === 'done',
      'the stop',
    );
    assert.deepEqual(cbc.problems, []);
    assert.deepEqual(
      cbc.received.slice(4).map((m) => m.operation),
      ['stop', 'stop'],
    );
    assert.equal(cbc.onAir.size, 0, 'nothing left on air');
  } finally {
    await stopTestNode(vigil);
    await cbc.close();
  }
});

test('cell broadcast: cells the CBC refuses are failures with the cause; a CBC that stays down fails every cell after the retries', async () => {
  const cbc = await startCbcPeer();
  const vigil = await startTestNode('cbc', { VIGIL_CBC_URL: cbc.url, VIGIL_DELIVERY_BACKOFF_MS: '10,10,10' });
  try {
    const author = await signedIn(vigil, 'alert-officer');
    const moderate = {
      ...flood,
      scope: 'Restricted',
      restriction: 'test',
      info: flood.info.map((i) => ({ ...i, severity: 'Moderate' })),
      channels: ['cell-broadcast'],
    };
    const area = targetAreaOf(flood.info[0]!.area);
    const refused = [...vigil.capabilities.city.service.state.devices.values()].find(
      (d) => d.kind === 'cell-site' && coverageIntersects(d.cell!.coverage, area),
    )!.cell!.cellId;
    cbc.control.failCells.add(refused);
    const first = await author('POST', '/api/alerts', moderate);
    await author('POST', `/api/alerts/${first.json.alert.alertId}/submit`);
    const p = (id: string) => vigil.capabilities.alerts.delivery.of(id).find((x) => x.channel === 'cell-broadcast');
    await until(() => p(first.json.alert.alertId)?.status === 'done', 'the first alert');
    assert.deepEqual(
      cbc.received.map((m) => m.messageIdentifier),
      [4396, 4397],
      'Moderate: public safety, and its additional-language twin',
    );
    assert.equal(p(first.json.alert.alertId)!.failed, 2, 'one refused cell in each language');
    assert.deepEqual(
      p(first.json.alert.alertId)!.lastFailures.map(([, cause]) => cause),
      ['cell-not-operational', 'cell-not-operational'],
    );

    cbc.control.failFirst = 1000;
    const second = await author('POST', '/api/alerts', moderate);
    await author('POST', `/api/alerts/${second.json.alert.alertId}/submit`);
    await until(() => p(second.json.alert.alertId)?.status === 'done', 'all retries to be used');
    assert.equal(p(second.json.alert.alertId)!.sent, 0);
    assert.equal(p(second.json.alert.alertId)!.failed, p(second.json.alert.alertId)!.queued);
    assert.match(p(second.json.alert.alertId)!.lastFailures[0]![1], /HTTP 503.*after 4 attempt/);
    assert.equal(cbc.control.failFirst, 1000 - 8, 'two messages × four attempts');
  } finally {
    await stopTestNode(vigil);
    await cbc.close();
  }
});

test('property: any CBC answer reads as accepted + failed covering exactly the requested cells, or as an error', () => {
  const cell = fc.constantFrom('001-01-D000101', '001-01-D000102', '001-01-D000203', 'x');
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.record({ accepted: fc.array(cell), failed: fc.array(fc.record({ cell, cause: fc.string() })) }).map((x) => JSON.stringify(x)),
      ),
      (text) => {
        const requested = ['001-01-D000101', '001-01-D000102', '001-01-D000203'];
        const r = parseCbcResponse(text, requested);
        if (!r.ok) return;
        const all = [...r.value.accepted, ...r.value.failed.map((f) => f.cell)];
        assert.deepEqual([...all].sort(), requested, 'each requested cell exactly once');
      },
    ),
    { numRuns: 2000 },
  );
});
