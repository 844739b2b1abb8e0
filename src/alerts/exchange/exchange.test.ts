import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedInNode } from '../../../test/support/test-node.js';
import { agencyAlert, agencyServer, makeSigningKey, signAlert } from '../../../test/support/cap-documents.js';
import { verifyCapSignature } from './cap-signature.js';

const demo = () =>
  signedInNode('capx', {
    // The feeds of these tests are served on 127.0.0.1.
    VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true',
    VIGIL_CAP_FEED_TICK_MS: '3600000',
  });

const CAP = 'application/cap+xml';

test('charsets: ISO-8859-1 by declaration and UTF-16 by BOM are read right, and the received copy keeps the bytes; unknown encodings are 415', async () => {
  const { as, close } = await demo();
  try {
    const officer = await as('alert-officer');
    const latin = Buffer.from(agencyAlert({ id: 'LATIN-1' }).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1');
    assert.ok(latin.includes(Buffer.from([0x55, 0x73, 0x75, 0x6c, 0x75, 0x74, 0xe1, 0x6e])), 'Usulután in one byte per letter');
    const a = await officer('POST', '/api/alerts/import', latin, CAP);
    assert.equal(a.status, 201, a.body);
    assert.equal(a.json.alert.cap.info[0].area[0].areaDesc, 'Usulután');
    assert.deepEqual([a.json.alert.imported.encoding, a.json.alert.imported.encodingBy], ['ISO-8859-1', 'declaration']);
    const received = await officer('GET', `/api/alerts/${a.json.alert.alertId}/received`);
    assert.equal(received.status, 200);
    assert.ok(Buffer.from(received.body, 'latin1').equals(latin) || received.body.includes('Usulut'), 'stored as received');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(agencyAlert({ id: 'UTF-16' }).replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le'),
    ]);
    const b = await officer('POST', '/api/alerts/import', utf16, 'application/xml');
    assert.equal(b.status, 201, b.body);
    assert.deepEqual([b.json.alert.imported.encoding, b.json.alert.cap.info[0].area[0].areaDesc], ['UTF-16LE', 'Usulután']);
    const sjis = await officer('POST', '/api/alerts/import', agencyAlert({ id: 'SJIS' }).replace('encoding="UTF-8"', 'encoding="Shift_JIS"'), CAP);
    assert.equal(sjis.status, 415);
    assert.match(sjis.json.error.message, /Shift_JIS.*does not read/);
    const badUtf8 = await officer('POST', '/api/alerts/import', Buffer.from(agencyAlert({ id: 'BAD' }), 'latin1'), CAP);
    assert.equal(badUtf8.status, 400);
    assert.match(badUtf8.json.error.message, /not valid UTF-8 \(at byte \d+/);
  } finally {
    await close();
  }
});

test('duplicates: the same message again is one alert; the same sender, identifier and sent with other content is 409 saying what differs', async () => {
  const { as, close } = await demo();
  try {
    const officer = await as('alert-officer');
    const first = await officer('POST', '/api/alerts/import', agencyAlert({ id: 'DUP-1' }), CAP);
    assert.equal(first.status, 201, first.body);
    // Same content, other whitespace: idempotent.
    const again = await officer('POST', '/api/alerts/import', agencyAlert({ id: 'DUP-1' }).replace(/\n {4}/g, '\n\t'), CAP);
    assert.deepEqual([again.status, again.json.duplicate, again.json.alert.alertId], [200, true, first.json.alert.alertId]);
    const conflicting = await officer('POST', '/api/alerts/import', agencyAlert({ id: 'DUP-1', severity: 'Severe' }), CAP);
    assert.equal(conflicting.status, 409);
    assert.match(conflicting.json.error.message, /other content.*info\[0\]\.severity: "Moderate" → "Severe"/);
    assert.deepEqual(conflicting.json.error.details.differences, ['cap.info[0].severity: "Moderate" → "Severe"']);
  } finally {
    await close();
  }
});

test('the rules of authoring apply to imports: errors refuse, warnings are kept with the alert', async () => {
  const { as, close } = await demo();
  try {
    const officer = await as('alert-officer');
    const update = agencyAlert({ id: 'UPD-1' }).replace('<msgType>Alert</msgType>', '<msgType>Update</msgType>');
    const noRefs = await officer('POST', '/api/alerts/import', update, CAP);
    assert.equal(noRefs.status, 400);
    assert.match(noRefs.json.error.message, /Update names the message\(s\) it refers to in <references>/);
    // The rule and what it names, for the reader's language (not the English message).
    assert.equal(noRefs.json.error.reason, 'cap.references-required');
    assert.deepEqual(noRefs.json.error.params, { msgType: 'Update' });
    const open = agencyAlert({ id: 'POLY-1' }).replace('13.3,-88.3 13.3,-88.5</polygon>', '13.3,-88.3 13.2,-88.5</polygon>');
    const unclosed = await officer('POST', '/api/alerts/import', open, CAP);
    assert.equal(unclosed.status, 400);
    assert.equal(unclosed.json.error.details.findings[0].rule, 'polygon-closed');
    assert.equal(unclosed.json.error.reason, 'cap.polygon-closed');
    assert.deepEqual(Object.keys(unclosed.json.error.params).sort(), ['area', 'info', 'language']);
    const garbage = await officer(
      'POST',
      '/api/alerts/import',
      agencyAlert({ id: 'CIRC-1', area: 'X' }).replace('</polygon>', '</polygon>\n      <circle>13.3,-88.5 -4</circle>'),
      CAP,
    );
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json.error.details.findings[0].rule, 'circle-form');
    const restricted = agencyAlert({ id: 'WARN-1', expires: '2026-12-04T05:00:00-06:00' }).replace(
      '<scope>Public</scope>',
      '<scope>Public</scope>\n  <restriction>staff only</restriction>',
    );
    const kept = await officer('POST', '/api/alerts/import', restricted, CAP);
    assert.equal(kept.status, 201, kept.body);
    assert.deepEqual(
      kept.json.alert.imported.warnings.map((w: { rule: string }) => w.rule),
      ['restriction-unused', 'expires-before-effective'],
    );
    // Each warning with what it names: the client words it in the reader's language.
    assert.deepEqual(kept.json.alert.imported.warnings[0].params, { scope: 'Public' });
    assert.deepEqual(Object.keys(kept.json.alert.imported.warnings[1].params).sort(), ['effective', 'expires', 'info', 'language']);
    assert.equal(kept.json.alert.imported.warnings[1].params.expires, '2026-12-04T05:00:00-06:00');
    // The same rule refuses Vigil's own alert (authoring treats warnings as errors).
    const own = await officer('POST', '/api/alerts', {
      status: 'Actual',
      scope: 'Public',
      restriction: 'staff only',
      channels: [],
      info: [{ category: ['Met'], event: 'Storm', urgency: 'Expected', severity: 'Minor', certainty: 'Likely' }],
    });
    assert.equal(own.status, 400);
    assert.equal(own.json.error.details.findings[0].rule, 'restriction-unused');
    assert.equal(own.json.error.reason, 'cap.restriction-unused');
  } finally {
    await close();
  }
});

test('limits say what they are: a 1 MiB document with an embedded resource is accepted and kept whole; one byte more is 413', async () => {
  const { as, close } = await demo();
  try {
    const officer = await as('alert-officer');
    const base = agencyAlert({ id: 'BIG-1' });
    const shell = base.replace(
      '<area>',
      '<resource>\n      <resourceDesc>map</resourceDesc>\n      <mimeType>image/png</mimeType>\n      <derefUri>DEREF_HERE</derefUri>\n    </resource>\n    <area>',
    );
    const room = 1024 * 1024 - Buffer.byteLength(shell) + 'DEREF_HERE'.length;
    const doc = shell.replace('DEREF_HERE', 'A'.repeat(room - (room % 4)).padEnd(room, '='));
    assert.equal(Buffer.byteLength(doc), 1024 * 1024);
    const big = await officer('POST', '/api/alerts/import', doc, CAP);
    assert.equal(big.status, 201, big.body.slice(0, 300));
    assert.equal(big.json.alert.imported.received.parts, 2);
    assert.equal(big.json.alert.imported.omitted[0].chars, room);
    const received = await officer('GET', `/api/alerts/${big.json.alert.alertId}/received`);
    assert.equal(received.body, doc);
    const tooBig = await officer('POST', '/api/alerts/import', doc.replace('<status>', ' <status>'), CAP);
    assert.equal(tooBig.status, 413);
    assert.match(tooBig.body, /1048576/);
  } finally {
    await close();
  }
});

test('CAP 1.1 is converted to 1.2 and says what changed; CAP 1.0 is refused with a clear 415', async () => {
  const { as, close } = await demo();
  try {
    const officer = await as('alert-officer');
    const v11 = agencyAlert({ id: 'V11-1', sent: '2026-12-04T12:00:00Z' })
      .replace('urn:oasis:names:tc:emergency:cap:1.2', 'urn:oasis:names:tc:emergency:cap:1.1')
      .replace('<area>', '<resource>\n      <resourceDesc>bulletin</resourceDesc>\n      <uri>https://snet.example/b.pdf</uri>\n    </resource>\n    <area>');
    const a = await officer('POST', '/api/alerts/import', v11, CAP);
    assert.equal(a.status, 201, a.body);
    assert.equal(a.json.alert.imported.version, '1.1');
    assert.equal(a.json.alert.cap.sent, '2026-12-04T12:00:00+00:00');
    assert.equal(a.json.alert.cap.info[0].resource[0].mimeType, 'application/octet-stream');
    assert.ok(a.json.alert.imported.converted.some((c: string) => /<sent> 2026-12-04T12:00:00Z → 2026-12-04T12:00:00\+00:00/.test(c)));
    const served = await officer('GET', `/api/alerts/${a.json.alert.alertId}/cap.xml`);
    assert.match(served.body, /urn:oasis:names:tc:emergency:cap:1\.2/);
    const v10 = await officer(
      'POST',
      '/api/alerts/import',
      agencyAlert({ id: 'V10-1' }).replace('urn:oasis:names:tc:emergency:cap:1.2', 'http://www.incident.com/cap/1.0'),
      CAP,
    );
    assert.equal(v10.status, 415);
    assert.match(v10.json.error.message, /CAP 1\.0 .* is not accepted/);
    assert.equal(v10.json.error.reason, 'cap.version-1.0');
  } finally {
    await close();
  }
});

test('signed alerts: verified with the sender’s trusted signer, tampering and unsigned ones refused, the signature kept and re-exported', async () => {
  const { as, close } = await demo();
  try {
    const officer = await as('alert-officer');
    const { keyPem, certPem } = makeSigningKey();
    const other = makeSigningKey('Somebody else');
    const signed = signAlert(agencyAlert({ id: 'SIG-1' }), keyPem, certPem);
    // No trusted signer yet: kept, marked unverified.
    const before = await officer('POST', '/api/alerts/import', signed, CAP);
    assert.equal(before.status, 201, before.body);
    assert.equal(before.json.alert.imported.signature.status, 'unverified');
    const trusted = await officer('POST', '/api/alerts/signers', { sender: 'alertas@snet.example', name: 'SNET 2026', pem: certPem });
    assert.equal(trusted.status, 201, trusted.body);
    assert.match(trusted.json.signer.subject, /SNET CAP signing/);
    assert.equal((await officer('GET', '/api/alerts/signers')).json.signers.length, 1);
    const good = signAlert(agencyAlert({ id: 'SIG-2' }), keyPem, certPem);
    const ok = await officer('POST', '/api/alerts/import', good, CAP);
    assert.equal(ok.status, 201, ok.body);
    assert.deepEqual(ok.json.alert.imported.signature, { status: 'valid', signerId: trusted.json.signer.signerId, signerName: 'SNET 2026' });
    const exported = await officer('GET', `/api/alerts/${ok.json.alert.alertId}/cap.xml`);
    assert.equal(exported.body, good, 'exported as received, signature included');
    assert.equal(verifyCapSignature(exported.body, [{ signerId: 's', name: 'n', pem: certPem }]).status, 'valid');
    const tampered = await officer('POST', '/api/alerts/import', signAlert(agencyAlert({ id: 'SIG-3' }), keyPem, certPem).replace('Moderate', 'Extreme'), CAP);
    assert.equal(tampered.status, 400);
    assert.match(tampered.json.error.message, /signature is refused/);
    const wrongKey = await officer('POST', '/api/alerts/import', signAlert(agencyAlert({ id: 'SIG-4' }), other.keyPem, other.certPem), CAP);
    assert.equal(wrongKey.status, 400);
    const unsigned = await officer('POST', '/api/alerts/import', agencyAlert({ id: 'SIG-5' }), CAP);
    assert.equal(unsigned.status, 400);
    assert.match(unsigned.json.error.message, /signs its alerts .* not signed/);
    const operator = await as('operator');
    assert.equal((await operator('GET', '/api/alerts/signers')).status, 403);
    assert.equal((await officer('DELETE', `/api/alerts/signers/${trusted.json.signer.signerId}`)).status, 204);
  } finally {
    await close();
  }
});

test('feed subscriptions: an Atom index is polled, what is new imported, unchanged feeds answer 304, errors back off, relays wait for approval', async () => {
  const { as, close } = await demo();
  const agency = agencyServer();
  await new Promise((r) => setTimeout(r, 50));
  try {
    const officer = await as('alert-officer');
    const sub = await officer('POST', '/api/alerts/feeds', { name: 'SNET', url: `${agency.url()}/atom`, intervalSeconds: 60, relayChannels: ['cap-feed'] });
    assert.equal(sub.status, 201, sub.body);
    const feedId = sub.json.feed.feedId;
    const polled = await officer('POST', `/api/alerts/feeds/${feedId}/poll`);
    assert.equal(polled.status, 200, polled.body);
    assert.equal(polled.json.feed.status.ok, true);
    assert.equal(polled.json.feed.status.imported, 2);
    const others = (await officer('GET', '/api/alerts/other-agencies')).json.alerts as {
      cap: { identifier: string };
      imported: { via: string; feedId: string };
    }[];
    assert.deepEqual(others.map((a) => a.cap.identifier).sort(), ['FEED-1', 'FEED-2']);
    assert.ok(others.every((a) => a.imported.via === 'feed' && a.imported.feedId === feedId));
    // Relayed for approval: drafts of Vigil's own waiting for a second alert officer.
    const relays = ((await officer('GET', '/api/alerts')).json.alerts as { relayOf?: string; state: string }[]).filter((a) => a.relayOf);
    assert.deepEqual(
      relays.map((a) => a.state),
      ['pending-approval', 'pending-approval'],
    );
    // Unchanged: a conditional GET, nothing imported.
    await officer('POST', `/api/alerts/feeds/${feedId}/poll`);
    assert.equal(agency.state.conditionalHits, 1);
    // A new entry: only it is fetched.
    agency.state.alerts.push('FEED-3');
    const requestsBefore = agency.state.requests;
    const third = await officer('POST', `/api/alerts/feeds/${feedId}/poll`);
    assert.equal(third.json.feed.status.imported, 1);
    assert.equal(agency.state.requests - requestsBefore, 2, 'the index and the one new document');
    assert.equal(third.json.feed.status.importedTotal, 3);
    // The agency fails: the status says so, and the next poll is pushed back.
    agency.state.fail = true;
    const failing = await officer('POST', `/api/alerts/feeds/${feedId}/poll`);
    assert.deepEqual([failing.json.feed.status.ok, failing.json.feed.status.failures], [false, 1]);
    assert.match(failing.json.feed.status.error, /HTTP 503/);
    // A private address is refused when the installation does not allow it (checked by the URL rules at subscription).
    assert.equal((await officer('POST', '/api/alerts/feeds', { url: 'ftp://example.org/feed' })).status, 400);
    assert.equal((await officer('DELETE', `/api/alerts/feeds/${feedId}`)).status, 204);
  } finally {
    await agency.close();
    await close();
  }
});
