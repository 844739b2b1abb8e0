import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedInNode } from '../../test/support/test-node.js';
import { flood } from '../../test/support/alert-fixtures.js';
import { validateCapXml } from './cap/cap-validate.js';

const demo = () => signedInNode('alerts');

test('a public alert needs a second alert officer: drafted, submitted, refused to its author, approved by another, in the feed', async () => {
  const { as, close } = await demo();
  try {
    const author = await as('alert-officer');
    const second = await as('duty-officer');
    const operator = await as('operator');
    assert.equal((await operator('POST', '/api/alerts', flood)).status, 403, 'only alert officers write alerts');
    const bad = await author('POST', '/api/alerts', {
      ...flood,
      info: [{ ...flood.info[0], area: [{ areaDesc: 'x', polygon: ['43.72,7.41 43.73,7.41 43.73,7.42'] }] }],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /polygon has at least 4 points/);
    const drafted = await author('POST', '/api/alerts', flood);
    assert.equal(drafted.status, 201, drafted.body);
    const id = drafted.json.alert.alertId;
    assert.equal(drafted.json.alert.needsApproval, true);
    assert.equal((await author('POST', `/api/alerts/${id}/submit`)).json.alert.state, 'pending-approval');
    const self = await author('POST', `/api/alerts/${id}/approve`);
    assert.equal(self.status, 403);
    assert.match(self.json.error.message, /author cannot approve/);
    const approved = await second('POST', `/api/alerts/${id}/approve`);
    assert.equal(approved.json.alert.state, 'issued');
    assert.match(approved.json.alert.approvedBy, /^user:/);
    // The CAP document as issued: valid, two languages, sent at issue time.
    const xml = (await second('GET', `/api/alerts/${id}/cap.xml`)).body;
    assert.deepEqual(await validateCapXml(xml), { valid: true, errors: [] });
    assert.match(xml, /<language>fr-MC<\/language>[\s\S]*<language>en-GB<\/language>/);
    // The public feed, without signing in.
    const anonymous = await as('nobody');
    const feed = await anonymous('GET', '/api/alerts/feed.atom');
    assert.equal(feed.status, 200);
    assert.match(feed.body, /<title>Crue rapide à Fontvieille<\/title>/);
    const href = /href="[^"]*(\/api\/alerts\/public\/[^"]+)"/.exec(feed.body)![1]!;
    assert.equal((await anonymous('GET', href)).status, 200);

    // An Update supersedes it; a Cancel of the update ends it; the feed empties.
    const update = await author('POST', `/api/alerts/${id}/update`);
    assert.equal(update.json.alert.cap.msgType, 'Update');
    assert.match(update.json.alert.cap.references, /^alerts@vigil\.invalid,alt_\w+,\d{4}-/);
    await author('POST', `/api/alerts/${update.json.alert.alertId}/submit`);
    await second('POST', `/api/alerts/${update.json.alert.alertId}/approve`);
    assert.equal((await author('GET', `/api/alerts/${id}`)).json.alert.state, 'superseded');
    const cancel = await author('POST', `/api/alerts/${update.json.alert.alertId}/cancel`);
    assert.equal(cancel.json.alert.needsApproval, false, 'an all-clear does not wait for a second person');
    assert.equal((await author('POST', `/api/alerts/${cancel.json.alert.alertId}/submit`)).json.alert.state, 'issued');
    assert.equal((await author('GET', `/api/alerts/${update.json.alert.alertId}`)).json.alert.state, 'cancelled');
    assert.doesNotMatch((await anonymous('GET', '/api/alerts/feed.atom')).body, /Fontvieille/);
  } finally {
    await close();
  }
});

test('exercise alerts are marked; a minor restricted alert goes out without approval; rejection goes back to the author', async () => {
  const { as, close } = await demo();
  try {
    const author = await as('alert-officer');
    const second = await as('duty-officer');
    const drill = await author('POST', '/api/alerts', { ...flood, status: 'Exercise' });
    await author('POST', `/api/alerts/${drill.json.alert.alertId}/submit`);
    await second('POST', `/api/alerts/${drill.json.alert.alertId}/approve`);
    assert.match((await author('GET', '/api/alerts/feed.atom')).body, /<title>\[EXERCISE\] Crue rapide à Fontvieille<\/title>/);
    const staff = { ...flood, scope: 'Restricted', restriction: 'city staff', info: [{ ...flood.info[1], severity: 'Minor' }] };
    const quick = await author('POST', '/api/alerts', staff);
    assert.equal(quick.json.alert.needsApproval, false);
    assert.equal((await author('POST', `/api/alerts/${quick.json.alert.alertId}/submit`)).json.alert.state, 'issued');
    const doubtful = await author('POST', '/api/alerts', flood);
    await author('POST', `/api/alerts/${doubtful.json.alert.alertId}/submit`);
    const rejected = await second('POST', `/api/alerts/${doubtful.json.alert.alertId}/reject`, { reason: 'the harbour gauge is faulty' });
    assert.equal(rejected.json.alert.state, 'rejected');
    assert.equal(rejected.json.alert.rejected.reason, 'the harbour gauge is faulty');
    const edited = await author('PUT', `/api/alerts/${doubtful.json.alert.alertId}`, { ...flood, info: [{ ...flood.info[0], certainty: 'Likely' }] });
    assert.equal(edited.json.alert.state, 'draft');
  } finally {
    await close();
  }
});

test('import: another agency’s CAP is validated, kept, served back equal, once; its Cancel ends it; invalid documents are refused with the schema errors', async () => {
  const { as, close } = await demo();
  try {
    const officer = await as('alert-officer');
    const external = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>FR-METEO-2026-11-23-0042</identifier>
  <sender>vigilance@meteo.example</sender>
  <sent>2026-11-23T06:00:00+01:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>fr-FR</language>
    <category>Met</category>
    <event>Vent violent</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
    <expires>2026-11-24T06:00:00+01:00</expires>
    <headline>Vigilance orange vent &amp; mer</headline>
    <area>
      <areaDesc>Alpes-Maritimes</areaDesc>
      <geocode><valueName>INSEE</valueName><value>06</value></geocode>
    </area>
  </info>
</alert>`;
    const first = await officer('POST', '/api/alerts/import', external, 'application/cap+xml');
    assert.equal(first.status, 201, first.body);
    assert.equal(first.json.alert.state, 'imported');
    const again = await officer('POST', '/api/alerts/import', external, 'application/xml');
    assert.deepEqual([again.status, again.json.duplicate, again.json.alert.alertId], [200, true, first.json.alert.alertId]);
    // Round trip: what Vigil serves back is valid and reads as the same alert.
    const served = (await officer('GET', `/api/alerts/${first.json.alert.alertId}/cap.xml`)).body;
    assert.deepEqual(await validateCapXml(served), { valid: true, errors: [] });
    const { parseCapXml } = await import('./cap/cap-xml.js');
    assert.deepEqual(parseCapXml(served), parseCapXml(external));
    const cancel = external
      .replace('<identifier>FR-METEO-2026-11-23-0042', '<identifier>FR-METEO-2026-11-23-0043')
      .replace('<msgType>Alert</msgType>', '<msgType>Cancel</msgType>')
      .replace(
        '<scope>Public</scope>',
        '<scope>Public</scope>\n  <references>vigilance@meteo.example,FR-METEO-2026-11-23-0042,2026-11-23T06:00:00+01:00</references>',
      );
    assert.equal((await officer('POST', '/api/alerts/import', cancel, 'application/cap+xml')).status, 201);
    assert.equal((await officer('GET', `/api/alerts/${first.json.alert.alertId}`)).json.alert.state, 'cancelled');
    const invalid = await officer('POST', '/api/alerts/import', external.replace('<severity>Moderate', '<severity>Orange'), 'application/cap+xml');
    assert.equal(invalid.status, 400);
    assert.match(invalid.json.error.details.errors[0], /^line 14: .*severity.*enumeration/);
    const notXml = await officer('POST', '/api/alerts/import', '<alert', 'application/xml');
    assert.equal(notXml.status, 400);
  } finally {
    await close();
  }
});
