import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import fc from 'fast-check';
import { validateCapXml } from '../alerts/index.js';
import { VigilError } from '../kernel/errors.js';
import { CAP_DOC, DE2_XML, HAVE_DOC, HUB_JSON, HUB_XML, RM_DOC, VIGIL_EARLIER_XML } from '../../test/support/edxl-fixtures.js';
import {
  ackFor,
  checkDistribution,
  distributionFromJson,
  distributionFromXml,
  distributionToJson,
  distributionToXml,
  envelope,
  errorFor,
  parseDistribution,
  parseReference,
  referenceOf,
  route,
  unwrap,
  wrapCap,
  DISTRIBUTION_KINDS,
  DISTRIBUTION_STATUSES,
  type EdxlDistribution,
} from './edxl/edxl-de.js';
import { haveFromXml, haveToXml, type HospitalReport } from './edxl/have.js';
import { rmFromXml, rmToXml, RM_TYPES, type RmMessage } from './edxl/rm.js';
import { sitRepFromXml, sitRepToXml, type SitRep } from './edxl/sitrep.js';
import { children as xmlChildren, type XmlElement } from './edxl/xml.js';
import { readIncidentMessage } from './incident-message.js';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
/** fast-check builds some records without a prototype: compare plain data. */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const refused = (fn: () => unknown, pattern: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof VigilError && e.code === 'bad_request' && pattern.test(e.message));

test('EDXL-DE: a CAP alert wrapped, written as XML and JSON, read back, unwrapped, still valid CAP 1.2', async () => {
  const d = wrapCap(CAP_DOC, { distributionId: 'd-1', senderId: 'city-a', to: ['agency-b'], now: NOW });
  const xml = distributionToXml(d);
  assert.match(xml, /^<\?xml[^>]*>\n<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0"/);
  assert.match(
    xml,
    /<DistributionKind><DistributionKindDefault><ct:ValueListURI>urn:oasis:names:tc:emergency:EDXL:DE:2.0:Defaults:DistributionType<\/ct:ValueListURI><ct:Value>Report<\/ct:Value><\/DistributionKindDefault><\/DistributionKind>/,
  );
  assert.match(xml, /<Content><ContentObject><ContentDescriptor>.*<\/ContentDescriptor><ContentXML><EmbeddedXMLContent><alert /);
  for (const back of [distributionFromXml(xml), distributionFromJson(JSON.parse(JSON.stringify(distributionToJson(d))))]) {
    assert.equal(back.distributionId, 'd-1');
    assert.deepEqual(back.explicitAddresses, [{ scheme: 'urn:vigil:agency', values: ['agency-b'] }]);
    const [part] = unwrap(back);
    assert.equal(part!.type, 'cap');
    const validation = await validateCapXml(part!.content.xml!);
    assert.deepEqual(validation.errors, []);
    assert.match(part!.content.xml!, /<headline>Flash flood in Fontvieille<\/headline>/);
  }
});

test("EDXL-DE JSON: a national hub's envelope (one explicit address, embedded JSON message) is read", () => {
  const d = parseDistribution(HUB_JSON);
  assert.equal(d.senderId, 'fr.health.samuA');
  assert.deepEqual(d.explicitAddresses, [{ scheme: 'hubex', values: ['fr.fire.sdis06'] }]);
  assert.equal(d.language, 'fr-FR');
  assert.deepEqual(unwrap(d)[0]!.type, 'json');
  assert.equal((d.contents[0]!.json as { createCase: { caseId: string } }).createCase.caseId, 'fr.health.samuA.DRFR15.2026.1');
  // And back out in the same shape, through XML too.
  const again = parseDistribution(distributionToXml(d));
  assert.deepEqual(again.contents[0]!.json, d.contents[0]!.json);
});

test('EDXL-DE: routing by recipient, sender, keyword and area; acknowledgements and error reports name what they answer', () => {
  const d = envelope({
    distributionId: 'x-7',
    senderId: 'city-a',
    to: ['agency-b', 'hospital-1'],
    kind: 'Report',
    now: NOW,
    keywords: [{ valueListUri: 'urn:vigil:content', values: ['incident', 'fire'] }],
    targetAreas: [{ circle: { lat: 43.735, lon: 7.4246, radiusKm: 0.1 } }],
    contents: [{ json: { hello: 1 } }],
  });
  const rules = [
    { name: 'to-b', recipients: ['agency-b'] },
    { name: 'to-c', recipients: ['agency-c'] },
    { name: 'from-a', senders: ['city-a'] },
    { name: 'fires', keywords: ['fire'] },
    { name: 'floods', keywords: ['flood'] },
    { name: 'monaco', bbox: [7.4, 43.72, 7.44, 43.76] as const },
    { name: 'nice', bbox: [7.2, 43.65, 7.3, 43.72] as const },
    { name: 'fires-in-monaco-from-a', senders: ['city-a'], keywords: ['fire'], bbox: [7.4, 43.72, 7.44, 43.76] as const },
  ];
  assert.deepEqual(route(d, rules), ['to-b', 'from-a', 'fires', 'monaco', 'fires-in-monaco-from-a']);
  const ack = ackFor(d, { distributionId: 'ack-1', senderId: 'agency-b', now: NOW + 1000 });
  assert.equal(ack.kind, 'Ack');
  assert.deepEqual(ack.explicitAddresses![0]!.values, ['city-a']);
  assert.deepEqual(parseReference(ack.references![0]!), { distributionId: 'x-7', senderId: 'city-a', dateTimeSent: d.dateTimeSent });
  const error = parseDistribution(
    JSON.stringify(distributionToJson(errorFor(d, { distributionId: 'err-1', senderId: 'agency-b', now: NOW }, ['unknown incident type']))),
  );
  assert.equal(error.kind, 'Error');
  assert.equal(error.references![0], referenceOf(d));
  assert.deepEqual(error.contents[0]!.json, { errors: ['unknown incident type'] });
});

test('EDXL-DE: what is refused, and why', () => {
  const ok = distributionToXml(envelope({ distributionId: 'a', senderId: 's', to: ['b'], kind: 'Report', now: NOW, contents: [{ json: {} }] }));
  refused(() => distributionFromXml(`<!DOCTYPE a [<!ENTITY x "y">]>${ok}`), /DOCTYPE/);
  refused(() => distributionFromXml(ok.replace('EDXL:DE:2.0"', 'EDXL:DE:1.0"')), /root element/);
  refused(() => distributionFromXml(ok.replace(/<DistributionID>a<\/DistributionID>/, '')), /<DistributionID> is missing/);
  refused(() => distributionFromXml(ok.replace('<Content>', '<Content')), /well-formed/);
  refused(() => distributionFromXml(ok.replace(/<DateTimeExpires>[^<]+/, '<DateTimeExpires>2020-01-01T00:00:00Z')), /before dateTimeSent/);
  refused(() => distributionFromXml(ok.replace(/<DistributionStatus>.*<\/DistributionStatus>/, '')), /<DistributionStatus> is missing/);
  refused(() => distributionFromXml(ok.replace(/<ContentObject>.*<\/ContentObject>/, '')), /a Content holds at least one ContentObject/);
  refused(() => distributionFromXml(ok.replace(/<NonXMLContent>.*<\/NonXMLContent>/, '')), /a ContentObject holds ContentXML or NonXMLContent/);
  refused(
    () =>
      distributionFromXml(ok.replace('<MIMEType>application/json', '<MIMEType>application/json').replace(/<ContentData>[^<]*/, '<ContentData>bm90IGpzb24=')),
    /not valid JSON/,
  );
  refused(() => distributionFromXml(ok.replace('<ct:Value>Report', '<ct:Value>Gossip')), /distributionKind "Gossip"/);
  refused(() => parseDistribution('{"distributionID": 1}'), /distributionID must be a string/);
  refused(() => parseDistribution('{oops'), /not valid JSON/);
  assert.deepEqual(checkDistribution({ ...envelope({ distributionId: 'a', senderId: 's', to: [], kind: 'Report', now: NOW, contents: [{}] }) }), [
    'content 1 must hold exactly one of embedded XML, embedded JSON or data',
  ]);
});

/** The local names of an element's element children, in order. */
const names = (e: XmlElement): string[] => xmlChildren(e).map((c) => c.localName ?? '');
const parseRoot = (xml: string): XmlElement => new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
const first = (e: XmlElement, name: string): XmlElement => {
  const found = xmlChildren(e, name)[0];
  assert.ok(found, `<${name}> in <${e.localName}>`);
  return found;
};

test('EDXL-DE XML form: DE 2.0 names and structure (value-list wrappers, Descriptor, Content of ContentObjects)', () => {
  const d = envelope({
    distributionId: 'vigil:41',
    senderId: 'city-a',
    to: ['agency-b'],
    kind: 'Update',
    now: NOW,
    language: 'en',
    keywords: [{ valueListUri: 'urn:vigil:content', values: ['incident'] }],
    references: ['vigil:40,city-a,2026-12-03T11:00:00Z'],
    targetAreas: [
      {
        polygon: [
          [43.7, 7.4],
          [43.71, 7.4],
          [43.71, 7.41],
          [43.7, 7.4],
        ],
      },
    ],
    contents: [{ description: 'incident', incidentId: 'inc_1', json: { vigil: 'incident' } }, { xml: '<note xmlns="urn:example">n</note>' }],
  });
  const root = parseRoot(distributionToXml(d));
  assert.equal(root.namespaceURI, 'urn:oasis:names:tc:emergency:EDXL:DE:2.0');
  assert.deepEqual(names(root), [
    'DistributionID',
    'SenderID',
    'DateTimeSent',
    'DateTimeExpires',
    'DistributionStatus',
    'DistributionKind',
    'Descriptor',
    'TargetArea',
    'Content',
  ]);
  for (const [name, wrapper, list, value] of [
    ['DistributionStatus', 'StatusKindDefault', 'urn:oasis:names:tc:emergency:EDXL:DE:2.0:Defaults:StatusKind', 'Actual'],
    ['DistributionKind', 'DistributionKindDefault', 'urn:oasis:names:tc:emergency:EDXL:DE:2.0:Defaults:DistributionType', 'Update'],
  ] as const) {
    const inner = first(first(root, name), wrapper);
    assert.deepEqual(names(inner), ['ValueListURI', 'Value']);
    assert.ok(xmlChildren(inner).every((c) => c.namespaceURI === 'urn:oasis:names:tc:emergency:edxl:ct:1.0'));
    assert.deepEqual(
      xmlChildren(inner).map((c) => c.textContent),
      [list, value],
    );
  }
  assert.deepEqual(names(first(root, 'Descriptor')), ['Language', 'Keyword', 'DistributionReference', 'ExplicitAddress']);
  assert.deepEqual(names(first(first(root, 'Descriptor'), 'ExplicitAddress')), ['ExplicitAddressScheme', 'ExplicitAddressValue']);
  const content = first(root, 'Content');
  assert.deepEqual(names(content), ['ContentObject', 'ContentObject']);
  const [json, xml] = xmlChildren(content);
  assert.deepEqual(names(json!), ['ContentDescriptor', 'NonXMLContent']);
  assert.deepEqual(names(first(json!, 'ContentDescriptor')), ['ContentDescription', 'IncidentID']);
  assert.deepEqual(names(first(json!, 'NonXMLContent')), ['MIMEType', 'ContentData']);
  assert.deepEqual(names(xml!), ['ContentXML']);
  assert.deepEqual(names(first(first(xml!, 'ContentXML'), 'EmbeddedXMLContent')), ['note']);
  assert.deepEqual(plain(parseDistribution(distributionToXml(d))), plain(d));
  // An acknowledgement carries no content: no Content element at all.
  const ack = parseRoot(distributionToXml(ackFor(d, { distributionId: 'ack-41', senderId: 'agency-b', now: NOW })));
  assert.deepEqual(names(ack).slice(-1), ['Descriptor']);
});

test('EDXL-DE XML: SitRep, RM and HAVE messages wrapped, read back and unwrapped unchanged', () => {
  const sitRep: SitRep = {
    messageId: 'vigil:sitrep:inc_7:3',
    preparedBy: 'City A Fire & Rescue',
    reportNumber: 3,
    version: 'Update',
    from: iso(NOW),
    to: iso(NOW + 3600_000),
    title: 'Warehouse fire <east quay>',
    incidentId: 'inc_7',
    lifecyclePhase: 'Response',
    urgency: 'Urgent',
    situation: {
      incidentName: 'INC-0007 Warehouse fire',
      incidentType: 'fire',
      location: [43.735, 7.421],
      address: 'Quai Est',
      status: 'on-scene',
      priority: 1,
      summary: 'Two engines on scene',
    },
    resources: [{ callSign: 'FPT-2', kind: 'engine', organisation: 'City A Fire & Rescue', committedAt: iso(NOW), releasedAt: null }],
    casualties: { immediate: 1, delayed: 0, minor: 2, deceased: 0, unknown: 0 },
  };
  const rm = rmFromXml(RM_DOC);
  const hospitals = haveFromXml(HAVE_DOC);
  const d = envelope({
    distributionId: 'vigil:88',
    senderId: 'city-a',
    to: ['agency-b'],
    kind: 'Report',
    now: NOW,
    contents: [
      { description: 'situation report', incidentId: 'inc_7', xml: sitRepToXml(sitRep) },
      { description: 'resource request', xml: rmToXml(rm) },
      { description: 'hospital availability', xml: haveToXml(hospitals) },
    ],
  });
  const xml = distributionToXml(d);
  for (const back of [parseDistribution(xml), parseDistribution(JSON.stringify(distributionToJson(d)))]) {
    const parts = unwrap(back);
    assert.deepEqual(
      parts.map((p) => p.type),
      ['sitrep', 'rm', 'have'],
    );
    assert.deepEqual(plain(sitRepFromXml(parts[0]!.content.xml!)), plain(sitRep));
    assert.deepEqual(plain(rmFromXml(parts[1]!.content.xml!)), plain(rm));
    assert.deepEqual(plain(haveFromXml(parts[2]!.content.xml!)), plain(hospitals));
    assert.equal(parts[0]!.content.incidentId, 'inc_7');
  }
});

test("EDXL-DE 2.0: a partner's envelope in the OASIS examples' shape is read, routed and unwrapped", async () => {
  const d = parseDistribution(DE2_XML);
  assert.equal(d.distributionId, 'riviera-dispatch/2026/0412');
  assert.equal(d.senderId, 'duty.officer@riviera-fire.example');
  assert.equal(d.dateTimeSent, '2026-12-04T21:15:00+01:00');
  assert.equal(d.dateTimeExpires, '2026-12-04T23:15:00+01:00');
  assert.equal(d.status, 'Exercise');
  assert.equal(d.kind, 'Update');
  assert.equal(d.language, 'en-GB');
  assert.deepEqual(d.senderRoles, [{ valueListUri: 'urn:riviera-fire:roles', values: ['duty officer'] }]);
  assert.deepEqual(d.keywords, [{ valueListUri: 'urn:riviera-fire:topics', values: ['wildfire', 'evacuation'] }]);
  assert.deepEqual(parseReference(d.references![0]!), {
    distributionId: 'riviera-dispatch/2026/0411',
    senderId: 'duty.officer@riviera-fire.example',
    dateTimeSent: '2026-12-04T20:40:00+01:00',
  });
  assert.deepEqual(d.explicitAddresses, [{ scheme: 'urn:vigil:agency', values: ['city-a', 'agency-c'] }]);
  // EDXL-GSF/GML geometry is not read (Vigil reads its own circles and polygons only): no target area, and no refusal.
  assert.equal(d.targetAreas, undefined);
  assert.deepEqual(
    route(d, [
      { name: 'to-a', recipients: ['city-a'] },
      { name: 'fires', keywords: ['wildfire'] },
      { name: 'floods', keywords: ['flood'] },
    ]),
    ['to-a', 'fires'],
  );

  const [alert, attachment, ...rest] = unwrap(d);
  assert.equal(rest.length, 0);
  assert.equal(alert!.type, 'cap');
  assert.equal(alert!.content.description, 'Evacuation advice for the upper Carei valley');
  assert.equal(alert!.content.incidentId, 'RF-2026-0412');
  assert.deepEqual(alert!.content.keywords, [{ valueListUri: 'urn:vigil:content', values: ['cap'] }]);
  assert.deepEqual((await validateCapXml(alert!.content.xml!)).errors, []);
  assert.match(alert!.content.xml!, /<headline>Exercise: leave the upper Carei valley by the coast road<\/headline>/);
  assert.equal(attachment!.type, 'data');
  assert.equal(attachment!.content.data!.mimeType, 'text/plain');
  assert.equal(Buffer.from(attachment!.content.data!.base64, 'base64').toString('utf8'), 'Stadium, marina, station square');

  // Written again by Vigil, the same envelope (in DE 2.0 form) reads back the same.
  assert.deepEqual(plain(parseDistribution(distributionToXml(d))), plain(d));
});

test("EDXL-DE XML: what Vigil wrote before (lower camel, no wrappers) and a hub's lower-camel XML still read", () => {
  const earlier = parseDistribution(VIGIL_EARLIER_XML);
  assert.deepEqual(plain(earlier), {
    distributionId: 'old-7',
    senderId: 'city-a',
    dateTimeSent: '2026-11-20T08:00:00Z',
    dateTimeExpires: '2026-11-21T08:00:00Z',
    status: 'Actual',
    kind: 'Update',
    contents: [
      { description: 'note', incidentId: 'inc_9', xml: '<note xmlns="urn:example">kept</note>' },
      { json: { vigil: 'incident', n: 1 } },
      { data: { mimeType: 'text/plain', base64: Buffer.from('hello').toString('base64') } },
    ],
    language: 'fr',
    keywords: [{ valueListUri: 'urn:vigil:content', values: ['incident'] }],
    references: ['old-6,city-a,2026-11-20T07:00:00Z'],
    explicitAddresses: [{ scheme: 'urn:vigil:agency', values: ['agency-b'] }],
    targetAreas: [{ circle: { lat: 43.7, lon: 7.4, radiusKm: 2 } }],
  });
  // Rewritten in the DE 2.0 form, nothing is lost.
  assert.deepEqual(plain(parseDistribution(distributionToXml(earlier))), plain(earlier));

  const hub = parseDistribution(HUB_XML);
  assert.equal(hub.status, 'Actual');
  assert.equal(hub.kind, 'Report');
  assert.equal(hub.language, 'fr-FR');
  assert.deepEqual(hub.explicitAddresses, [{ scheme: 'hubex', values: ['fr.health.samu06'] }]);
  const [part] = unwrap(hub);
  assert.equal(part!.type, 'xml');
  assert.match(part!.content.xml!, /^<message xmlns="urn:example:hub:message"><caseId>sdis06-2026-4410<\/caseId>/);
});

test('EDXL-DE XML: error reports and acknowledgements in the DE 2.0 form name what they answer', () => {
  const received = parseDistribution(DE2_XML);
  const report = errorFor(received, { distributionId: 'city-a:err-3', senderId: 'city-a', now: NOW }, ['unknown incident type "brushfire"']);
  const xml = distributionToXml(report);
  assert.match(xml, /<DistributionKindDefault><ct:ValueListURI>[^<]+<\/ct:ValueListURI><ct:Value>Error<\/ct:Value><\/DistributionKindDefault>/);
  assert.match(
    xml,
    /<Descriptor><DistributionReference>riviera-dispatch\/2026\/0412,duty\.officer@riviera-fire\.example,2026-12-04T21:15:00\+01:00<\/DistributionReference>/,
  );
  const back = parseDistribution(xml);
  assert.equal(back.kind, 'Error');
  assert.equal(back.references![0], referenceOf(received));
  assert.deepEqual(back.explicitAddresses, [{ scheme: 'urn:vigil:agency', values: ['duty.officer@riviera-fire.example'] }]);
  assert.deepEqual(back.contents[0]!.json, { errors: ['unknown incident type "brushfire"'] });
  const ack = parseDistribution(distributionToXml(ackFor(received, { distributionId: 'city-a:ack-3', senderId: 'city-a', now: NOW })));
  assert.equal(ack.kind, 'Ack');
  assert.deepEqual(ack.contents, []);
  assert.equal(ack.references![0], referenceOf(received));
});

const token = fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/);
/** Characters XML 1.0 can carry as text (and that survive trimming and line-end normalisation). */
const xmlChar = (c: number): boolean => c === 0x09 || c === 0x0a || (c >= 0x20 && c < 0xd800) || (c > 0xdfff && c < 0xfffe);
const freeText = fc.string({ maxLength: 40 }).filter((s) => s === s.trim() && [...s].every((ch) => xmlChar(ch.charCodeAt(0))));
const valueList = fc.record({ valueListUri: token, values: fc.array(token, { minLength: 1, maxLength: 3 }) });
const lat = fc.double({ min: -89, max: 89, noNaN: true }).map((x) => Math.round(x * 1e5) / 1e5);
const lon = fc.double({ min: -179, max: 179, noNaN: true }).map((x) => Math.round(x * 1e5) / 1e5);
const content = fc.oneof(
  fc.record({ json: fc.jsonValue().filter((v) => v !== null), description: freeText.filter((t) => t.length > 0) }),
  fc.record({
    xml: freeText
      .filter((t) => t.length > 0)
      .map((t) => `<note xmlns="urn:example">${t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</note>`),
  }),
  fc.record({
    data: fc.record({
      mimeType: fc.constantFrom('text/plain', 'image/png'),
      base64: fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b).toString('base64')),
    }),
  }),
);
const distribution: fc.Arbitrary<EdxlDistribution> = fc
  .record({
    distributionId: token,
    senderId: token,
    sent: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2090, 0, 1) }),
    ttl: fc.integer({ min: 0, max: 7 * 86_400 }),
    status: fc.constantFrom(...DISTRIBUTION_STATUSES),
    kind: fc.constantFrom(...DISTRIBUTION_KINDS),
    keywords: fc.array(valueList, { maxLength: 2 }),
    to: fc.array(token, { maxLength: 3 }),
    references: fc.array(
      token.map((t) => `${t},sender,2026-12-03T12:00:00Z`),
      { maxLength: 2 },
    ),
    circle: fc.option(fc.record({ lat, lon, radiusKm: fc.integer({ min: 0, max: 50 }) }), { nil: undefined }),
    contents: fc.array(content, { maxLength: 3 }),
  })
  .map((r) => ({
    ...envelope({
      distributionId: r.distributionId,
      senderId: r.senderId,
      to: r.to,
      kind: r.kind,
      status: r.status,
      now: r.sent,
      ttlMs: r.ttl * 1000,
      keywords: r.keywords,
      references: r.references,
      targetAreas: r.circle ? [{ circle: r.circle }] : [],
      contents: r.contents.map((c) => ({ ...c }) as EdxlDistribution['contents'][number]),
    }),
  }));

test('EDXL-DE property: random valid envelopes pass the structural check and round-trip through XML and JSON unchanged', () => {
  fc.assert(
    fc.property(distribution, (d) => {
      assert.deepEqual(checkDistribution(d), []);
      const viaJson = parseDistribution(JSON.stringify(distributionToJson(d)));
      assert.deepEqual(plain(viaJson), plain(d));
      const viaXml = parseDistribution(distributionToXml(d));
      // XML re-serialises embedded documents; the rest is identical.
      assert.deepEqual(
        plain({ ...viaXml, contents: viaXml.contents.map((c) => ({ ...c, xml: c.xml && 'xml' })) }),
        plain({ ...d, contents: d.contents.map((c) => ({ ...c, xml: c.xml && 'xml' })) }),
      );
      assert.deepEqual(
        viaXml.contents.map((c) => c.xml),
        d.contents.map((c) => c.xml),
      );
    }),
    { numRuns: 150 },
  );
});

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

test('EDXL-SitRep: generated shape round-trips (property) and refuses what is wrong', () => {
  const sitRep: fc.Arbitrary<SitRep> = fc.record({
    messageId: token,
    preparedBy: freeText.filter((s) => s.length > 0),
    reportNumber: fc.integer({ min: 1, max: 99 }),
    version: fc.constantFrom('Initial' as const, 'Update' as const, 'Final' as const),
    from: fc.constant(iso(NOW)),
    to: fc.constant(iso(NOW + 3600_000)),
    title: freeText,
    incidentId: token,
    lifecyclePhase: fc.constantFrom('Response' as const, 'Recovery' as const),
    urgency: fc.constantFrom('Urgent' as const, 'NotUrgent' as const),
    situation: fc.record({
      incidentName: freeText,
      incidentType: token,
      location: fc.tuple(lat, lon),
      address: fc.option(
        freeText.filter((s) => s.length > 0),
        { nil: null },
      ),
      status: fc.constantFrom('new', 'on-scene', 'closed'),
      priority: fc.integer({ min: 1, max: 5 }),
      summary: freeText,
    }),
    resources: fc.array(
      fc.record({
        callSign: token,
        kind: token,
        organisation: token,
        committedAt: fc.constant(iso(NOW)),
        releasedAt: fc.option(fc.constant(iso(NOW + 60_000)), { nil: null }),
      }),
      { maxLength: 4 },
    ),
    casualties: fc.option(fc.record({ immediate: fc.nat(50), delayed: fc.nat(50), minor: fc.nat(100), deceased: fc.nat(10), unknown: fc.nat(20) }), {
      nil: null,
    }),
  });
  fc.assert(
    fc.property(sitRep, (s) => {
      const back = sitRepFromXml(sitRepToXml(s));
      // Empty optional text is not written.
      assert.deepEqual(plain(back), plain(s));
    }),
    { numRuns: 100 },
  );
  refused(() => sitRepFromXml('<SitRep xmlns="urn:oasis:names:tc:emergency:EDXL:SitRep:1.0"><MessageID>m</MessageID></SitRep>'), /SituationInformation/);
});

test('EDXL-SitRep casualties: SitRep 1.0 categories with the triage breakdown beside them; none recorded writes nothing', () => {
  const base: SitRep = {
    messageId: 'vigil:sitrep:inc_1:2',
    preparedBy: 'Fire & Rescue',
    reportNumber: 2,
    version: 'Update',
    from: iso(NOW),
    to: iso(NOW + 3600_000),
    title: 'Bus crash',
    incidentId: 'inc_1',
    lifecyclePhase: 'Response',
    urgency: 'Urgent',
    situation: {
      incidentName: 'INC-0001 Bus crash',
      incidentType: 'traffic',
      location: [43.73, 7.42],
      address: null,
      status: 'on-scene',
      priority: 1,
      summary: 'Bus crash',
    },
    resources: [],
    casualties: null,
  };
  const none = sitRepToXml(base);
  assert.doesNotMatch(none, /Casualty|Fatalities|Triage/);
  assert.equal(sitRepFromXml(none).casualties, null);

  const xml = sitRepToXml({ ...base, casualties: { immediate: 2, delayed: 3, minor: 7, deceased: 1, unknown: 0 } });
  const summary = /<CasualtyAndIllnessSummary>[\s\S]*<\/CasualtyAndIllnessSummary>/.exec(xml)?.[0] ?? '';
  assert.equal(
    summary,
    '<CasualtyAndIllnessSummary><TotalNumberToDate>13</TotalNumberToDate>' +
      '<CasualtyAndIllnessSummaryByCategory><Fatalities>1</Fatalities><WithInjuryOrIllness>12</WithInjuryOrIllness></CasualtyAndIllnessSummaryByCategory>' +
      '<TriageSummary xmlns="urn:vigil:edxl:sitrep:triage:1"><Immediate>2</Immediate><Delayed>3</Delayed><Minor>7</Minor><Deceased>1</Deceased><Unknown>0</Unknown></TriageSummary>' +
      '</CasualtyAndIllnessSummary>',
  );
  // After the situation and the resources, as the last report section.
  assert.ok(xml.indexOf('<CasualtyAndIllnessSummary>') > xml.indexOf('</ResponseResources>'));
  assert.deepEqual(sitRepFromXml(xml).casualties, { immediate: 2, delayed: 3, minor: 7, deceased: 1, unknown: 0 });

  // Another agency's SitRep with the standard categories only: the dead kept, the living as not triaged.
  const standardOnly = xml.replace(/<TriageSummary[\s\S]*<\/TriageSummary>/, '');
  assert.deepEqual(sitRepFromXml(standardOnly).casualties, { immediate: 0, delayed: 0, minor: 0, deceased: 1, unknown: 12 });
  refused(() => sitRepToXml({ ...base, casualties: { immediate: -1, delayed: 0, minor: 0, deceased: 0, unknown: 0 } }), /casualty counts/);
});

test('EDXL-RM: request, answer, commitment and release round-trip (property); an answer names its request', () => {
  const rm: fc.Arbitrary<RmMessage> = fc
    .record({
      type: fc.constantFrom(...RM_TYPES),
      messageId: token,
      originating: token,
      incidentId: fc.option(token, { nil: undefined }),
      from: token,
      to: token,
      resources: fc.array(
        fc.record({
          elementId: token,
          typeName: token,
          quantity: fc.integer({ min: 1, max: 20 }),
          response: fc.constantFrom('Accept' as const, 'Decline' as const, 'Provisional' as const),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map((r) => ({
      type: r.type,
      messageId: r.messageId,
      sentDateTime: iso(NOW),
      ...(r.type !== 'RequestResource' ? { originatingMessageId: r.originating } : {}),
      ...(r.incidentId ? { incidentId: r.incidentId } : {}),
      fromOrganisation: r.from,
      toOrganisation: r.to,
      resources: r.resources.map((x) => (r.type === 'RequestResource' ? { elementId: x.elementId, typeName: x.typeName, quantity: x.quantity } : x)),
    }));
  fc.assert(
    fc.property(rm, (m) => assert.deepEqual(plain(rmFromXml(rmToXml(m))), plain(m))),
    { numRuns: 100 },
  );
  const request = rmFromXml(RM_DOC);
  assert.equal(request.resources[0]!.typeName, 'ambulance');
  refused(() => rmToXml({ ...request, type: 'CommitResource' }), /OriginatingMessageID/);
});

test('EDXL-HAVE: a hospital report (prefixed, GML position) is read; generated reports round-trip (property)', () => {
  const [h] = haveFromXml(HAVE_DOC);
  assert.deepEqual(h, {
    hospitalId: 'chpg',
    name: 'Centre Hospitalier Princesse Grace',
    position: [7.4115, 43.7325],
    edStatus: 'Advisory',
    beds: [
      { type: 'AdultICU', available: 3, baseline: 12 },
      { type: 'Burn', available: 0, baseline: null },
    ],
    lastUpdate: '2026-12-03T11:55:00Z',
  });
  const hospital: fc.Arbitrary<HospitalReport> = fc.record({
    hospitalId: token,
    name: freeText.filter((s) => s.length > 0),
    position: fc.option(fc.tuple(lon, lat), { nil: null }),
    edStatus: fc.constantFrom('Normal' as const, 'Advisory' as const, 'Closed' as const, 'NotApplicable' as const),
    beds: fc.array(fc.record({ type: token, available: fc.nat(50), baseline: fc.option(fc.nat(100), { nil: null }) }), { maxLength: 4 }),
    lastUpdate: fc.constant(iso(NOW)),
  });
  fc.assert(
    fc.property(fc.array(hospital, { minLength: 1, maxLength: 3 }), (hs) => assert.deepEqual(plain(haveFromXml(haveToXml(hs))), plain(hs))),
    { numRuns: 100 },
  );
  refused(() => haveFromXml(HAVE_DOC.replace('Advisory', 'Overwhelmed')), /EMS traffic status/);
});

test('incident messages: bounds and types of what a partner sends are checked', () => {
  const good = {
    vigil: 'incident',
    change: 'opened',
    note: null,
    incident: {
      id: 'inc_1',
      reference: 'INC-0001',
      version: 7,
      type: 'fire',
      priority: 2,
      title: 't',
      description: '',
      position: [7.42, 43.73],
      address: null,
      status: 'new',
      resolution: null,
      createdAt: iso(NOW),
      closedAt: null,
      units: [],
    },
  };
  assert.equal(readIncidentMessage(good).incident.version, 7);
  refused(() => readIncidentMessage({ ...good, incident: { ...good.incident, position: [400, 0] } }), /position/);
  refused(() => readIncidentMessage({ ...good, incident: { ...good.incident, status: 'burning' } }), /status/);
  refused(() => readIncidentMessage({ ...good, incident: { ...good.incident, title: 'x'.repeat(600) } }), /title/);
  refused(() => readIncidentMessage({ ...good, incident: { ...good.incident, priority: 9 } }), /priority/);
});
