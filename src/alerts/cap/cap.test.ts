import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CATEGORIES,
  CERTAINTIES,
  MSG_TYPES,
  RESPONSE_TYPES,
  SCOPES,
  SEVERITIES,
  STATUSES,
  URGENCIES,
  capTime,
  type CapAlert,
  type CapArea,
  type CapInfo,
} from './cap-model.js';
import { validateCapDocuments, validateCapXml } from './cap-validate.js';
import { capToXml, parseCapXml } from './cap-xml.js';

// Text as people write it: any printable characters, XML-special ones included, trimmed.
const words = (max: number) =>
  fc
    .string({ minLength: 1, maxLength: max, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz éàçüÖ<>&"\'-.,;:!?0123456789'.split('')) })
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
const token = fc.string({
  minLength: 1,
  maxLength: 20,
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.@'.split('')),
});
const time = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }).map(capTime);
const point = fc.tuple(fc.integer({ min: -89_000, max: 89_000 }), fc.integer({ min: -179_000, max: 179_000 })).map(([a, b]) => `${a / 1000},${b / 1000}`);
const polygon = fc.array(point, { minLength: 3, maxLength: 8 }).map((ps) => [...ps, ps[0]!].join(' '));
const pair = fc.record({ valueName: token, value: words(30) });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const area: fc.Arbitrary<CapArea> = fc.record(
  {
    areaDesc: words(40),
    polygon: opt(fc.array(polygon, { minLength: 1, maxLength: 2 })),
    circle: opt(
      fc.array(
        fc.tuple(point, fc.integer({ min: 0, max: 50 })).map(([p, r]) => `${p} ${r}`),
        { minLength: 1, maxLength: 2 },
      ),
    ),
    geocode: opt(fc.array(pair, { minLength: 1, maxLength: 2 })),
    altitude: opt(fc.integer({ min: 0, max: 9000 })),
  },
  { requiredKeys: ['areaDesc'] },
);
const info: fc.Arbitrary<CapInfo> = fc.record(
  {
    language: opt(fc.constantFrom('fr-MC', 'en-GB', 'it-IT', 'de')),
    category: fc.uniqueArray(fc.constantFrom(...CATEGORIES), { minLength: 1, maxLength: 3 }),
    event: words(40),
    responseType: opt(fc.uniqueArray(fc.constantFrom(...RESPONSE_TYPES), { minLength: 1, maxLength: 2 })),
    urgency: fc.constantFrom(...URGENCIES),
    severity: fc.constantFrom(...SEVERITIES),
    certainty: fc.constantFrom(...CERTAINTIES),
    audience: opt(words(20)),
    eventCode: opt(fc.array(pair, { minLength: 1, maxLength: 2 })),
    effective: opt(time),
    expires: opt(time),
    senderName: opt(words(30)),
    headline: opt(words(80)),
    description: opt(words(200)),
    instruction: opt(words(200)),
    web: opt(fc.constant('https://example.org/alert')),
    parameter: opt(fc.array(pair, { minLength: 1, maxLength: 2 })),
    resource: opt(
      fc.array(
        fc.record(
          {
            resourceDesc: words(30),
            mimeType: fc.constant('image/png'),
            size: opt(fc.integer({ min: 0, max: 1e6 })),
            uri: opt(fc.constant('https://example.org/map.png')),
          },
          { requiredKeys: ['resourceDesc', 'mimeType'] },
        ),
        { minLength: 1, maxLength: 2 },
      ),
    ),
    area: opt(fc.array(area, { minLength: 1, maxLength: 2 })),
  },
  { requiredKeys: ['category', 'event', 'urgency', 'severity', 'certainty'] },
);
const alert: fc.Arbitrary<CapAlert> = fc.record(
  {
    identifier: token,
    sender: token,
    sent: time,
    status: fc.constantFrom(...STATUSES),
    msgType: fc.constantFrom(...MSG_TYPES),
    source: opt(words(20)),
    scope: fc.constantFrom(...SCOPES),
    restriction: opt(words(20)),
    addresses: opt(words(20)),
    code: opt(fc.array(token, { minLength: 1, maxLength: 2 })),
    note: opt(words(60)),
    references: opt(fc.tuple(token, token, time).map((t) => t.join(','))),
    incidents: opt(token),
    info: opt(fc.array(info, { minLength: 1, maxLength: 3 })),
  },
  { requiredKeys: ['identifier', 'sender', 'sent', 'status', 'msgType', 'scope'] },
);

test('property: every alert Vigil writes is valid CAP 1.2 and reads back equal', async () => {
  const samples = fc.sample(alert, { numRuns: 300, seed: 4242 });
  const results = await validateCapDocuments(samples.map(capToXml));
  for (const [i, r] of results.entries()) assert.ok(r.valid, `sample ${i}: ${r.errors.join('; ')}\n${capToXml(samples[i]!)}`);
  // Absent optional fields are left out, not written empty: compare as plain JSON.
  for (const a of samples) assert.deepEqual(parseCapXml(capToXml(a)), JSON.parse(JSON.stringify(a)));
});

const sample = (over: Partial<CapAlert> = {}): CapAlert => ({
  identifier: 'MC-2026-0001',
  sender: 'alerts@gouv.mc',
  sent: '2026-11-23T09:30:00+01:00',
  status: 'Actual',
  msgType: 'Alert',
  scope: 'Public',
  info: [
    {
      language: 'fr-MC',
      category: ['Met'],
      event: 'Inondation',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Observed',
      area: [{ areaDesc: 'Fontvieille', polygon: ['43.72,7.41 43.73,7.41 43.73,7.42 43.72,7.41'] }],
    },
  ],
  ...over,
});

test('the schema refuses what CAP forbids, with the line and the element named', async () => {
  const xml = capToXml(sample());
  const cases: [string, string, RegExp][] = [
    ['Z time zone', xml.replace('+01:00', 'Z'), /sent.*pattern/],
    ['unknown severity', xml.replace('<severity>Severe', '<severity>Bad'), /severity.*enumeration/],
    ['missing event', xml.replace(/\s*<event>.*<\/event>/, ''), /event|urgency/],
    ['elements out of order', xml.replace(/(<status>Actual<\/status>)(\s*)(<msgType>Alert<\/msgType>)/, '$3$2$1'), /msgType|status/],
    ['wrong namespace', xml.replace('cap:1.2', 'cap:1.1'), /alert|namespace|declaration/i],
  ];
  const results = await validateCapDocuments(cases.map((c) => c[1]));
  for (const [i, [name, , pattern]] of cases.entries()) {
    assert.equal(results[i]!.valid, false, name);
    assert.match(results[i]!.errors.join('\n'), pattern, name);
    assert.match(results[i]!.errors[0]!, /^line \d+: /, name);
  }
  assert.deepEqual(await validateCapXml(xml), { valid: true, errors: [] });
});

test('fuzz: any corruption of a CAP document is refused or read, never a crash; no DOCTYPE, no foreign root', async () => {
  const xml = capToXml(sample());
  const corrupted = fc
    .sample(fc.tuple(fc.nat(xml.length - 1), fc.nat(20), fc.string({ maxLength: 5 })), { numRuns: 300, seed: 7 })
    .map(([at, cut, insert]) => xml.slice(0, at) + insert + xml.slice(at + cut));
  for (const doc of corrupted) {
    try {
      parseCapXml(doc);
    } catch (error) {
      assert.match((error as Error).message, /not well-formed|not a CAP|has no|DOCTYPE|empty/, doc);
    }
  }
  const results = await validateCapDocuments(corrupted);
  assert.ok(results.some((r) => !r.valid) && results.every((r) => r.valid || r.errors.length > 0));
  assert.throws(
    () => parseCapXml(`<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>${xml.slice(xml.indexOf('<alert'))}`),
    /DOCTYPE/,
  );
  assert.throws(() => parseCapXml('<feed xmlns="http://www.w3.org/2005/Atom"/>'), /not a CAP 1\.2 alert/);
});
