import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { parseKey, encryptBody } from '../../src/adapters/protocols/dc09/dc09-crypto.js';
import { Dc09Framer } from '../../src/adapters/protocols/dc09/dc09-framer.js';
import { parseFrame, type AccountSettings } from '../../src/adapters/protocols/dc09/dc09-message.js';
import { dc09Timestamp, frameOf, signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { readOsm } from '../../src/adapters/osm/osm-reader.js';
import { parseSensorMessage } from '../../src/alarms/ingest/sensor-message.js';
import { capToXml, parseCapXml } from '../../src/alerts/cap/cap-xml.js';
import { parseCsv, toCsv } from '../../src/cockpit/imports/csv.js';
import { VigilError } from '../../src/kernel/errors.js';
import { parseGeometry, parseLayer } from '../../src/major-events/geometry.js';
import { parseAvlMessage } from '../../src/units/avl-message.js';
import { corpusOf, fuzzTarget } from './engine.js';
import { TARGETS } from './targets.js';

/**
 * Fuzzing as a habit (issue 13, item 5): every saved input of every target is replayed,
 * each target runs a short mutation round, and each parser has properties checked by
 * fast-check. Long runs: `npm run fuzz -- --minutes N [--target name]`.
 */

/** Inputs per target in the suite's short round: seconds in all (the OSM readers go through a file). */
const SHORT_ROUND: Record<string, number> = { 'osm-xml': 150, 'osm-pbf': 300, 'dc09-framer': 1500 };

for (const target of TARGETS) {
  test(`fuzz ${target.name}: the saved corpus replays without a crash`, async () => {
    for (const { name, input } of corpusOf(target.name)) {
      await assert.doesNotReject(async () => target.run(input), `corpus/${target.name}/${name}`);
    }
  });
  test(`fuzz ${target.name}: a short mutation round finds no crash`, async () => {
    const outcome = await fuzzTarget(target, { seed: 1337, stop: (n) => n >= (SHORT_ROUND[target.name] ?? 3000) });
    assert.deepEqual(
      outcome.crashes.map((c) => c.error),
      [],
      'run `npm run fuzz -- --target ' + target.name + '` to save the crashing inputs to the corpus',
    );
  });
}

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const KEY = parseKey('000102030405060708090A0B0C0D0E0F')!;
const account = fc.stringMatching(/^[0-9A-F]{3,10}$/);
const settingsWithKey =
  (keyed: string) =>
  (a: string | null): AccountSettings | null =>
    a === keyed ? { key: KEY, clockOffsetMinutes: 0 } : null;
const refusedOrAccepted = (run: () => unknown): void => {
  try {
    run();
  } catch (error) {
    if (!(error instanceof VigilError)) throw error;
  }
};

test('property: DC-09 — for any keyed account a plaintext frame is refused and an encrypted one with another inner account too', () => {
  fc.assert(
    fc.property(
      account,
      account,
      fc.nat(9999),
      fc.constantFrom('SIA-DCS', 'ADM-CID', 'NULL') as fc.Arbitrary<'SIA-DCS' | 'ADM-CID' | 'NULL'>,
      (acct, other, seq, id) => {
        const data = id === 'SIA-DCS' ? 'Nri1/BA001' : id === 'ADM-CID' ? '1130 01 015' : '';
        const settingsFor = settingsWithKey(acct);
        const frame = (bytes: Buffer) => new Dc09Framer().push(bytes).frames[0]!;
        const plain = parseFrame(frame(signalFrame({ id, seq, account: acct, data, now: NOW })), { now: NOW, settingsFor });
        assert.ok(!plain.ok && plain.failure.problem === 'plaintext');
        const good = parseFrame(frame(signalFrame({ id, seq, account: acct, data, key: KEY, now: NOW })), { now: NOW, settingsFor });
        assert.ok(good.ok && good.message.account === acct);
        if (other !== acct && id !== 'NULL') {
          const inner = encryptBody(`#${other}|${data}]${dc09Timestamp(NOW)}`, KEY);
          const mixed = parseFrame(frame(frameOf(`"*${id}"${String(seq).padStart(4, '0')}L0#${acct}[${inner}`)), { now: NOW, settingsFor });
          assert.ok(!mixed.ok && mixed.failure.problem === 'account-mismatch', JSON.stringify(mixed));
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('property: Contact ID — any qualifier, event, group and zone read back as sent', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(1, 3, 6),
      fc.stringMatching(/^\d{3}$/),
      fc.stringMatching(/^[0-9A-F]{2}$/),
      fc.stringMatching(/^[0-9A-F]{3}$/),
      (q, code, group, zone) => {
        const bytes = signalFrame({ id: 'ADM-CID', seq: 1, account: '1234', data: `${q}${code} ${group} ${zone}`, now: NOW });
        const r = parseFrame(new Dc09Framer().push(bytes).frames[0]!, { now: NOW, settingsFor: () => null });
        assert.ok(r.ok, JSON.stringify(r));
        assert.deepEqual(r.message.events, [{ protocol: 'cid', qualifier: q, code, partition: group, zoneOrUser: zone }]);
      },
    ),
  );
});

test('property: SIA DC-03 — any sequence of codes and zones, with area and user modifiers, read back in order', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          code: fc.stringMatching(/^[A-Z]{2}$/),
          zone: fc.stringMatching(/^\d{1,4}$/),
          area: fc.option(fc.stringMatching(/^\d{1,2}$/), { nil: undefined }),
        }),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
      (events) => {
        const data = 'N' + events.map((e) => `${e.area !== undefined ? `ri${e.area}/` : ''}${e.code}${e.zone}`).join('/');
        const r = parseFrame(new Dc09Framer().push(signalFrame({ id: 'SIA-DCS', seq: 2, account: '1234', data, now: NOW })).frames[0]!, {
          now: NOW,
          settingsFor: () => null,
        });
        assert.ok(r.ok, JSON.stringify(r));
        assert.deepEqual(
          r.message.events.map((e) => e.protocol === 'sia' && [e.code, e.number]),
          events.map((e) => [e.code, e.zone]),
        );
      },
    ),
  );
});

test('property: MQTT payloads — any JSON value or bytes: a result, never an exception', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.json().map((j) => Buffer.from(j)),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      ),
      (payload) => {
        const s = parseSensorMessage(payload);
        assert.ok(s.ok || typeof s.problem === 'string');
        const a = parseAvlMessage(payload, NOW);
        assert.ok(a.ok || typeof a.problem === 'string');
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: CSV — any table written by toCsv is read back field for field', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme-ascii' }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 10 }), (rows) => {
      const back = parseCsv(toCsv(rows)).map((r) => r.fields);
      // A row of one empty field is an empty line, which the reader skips.
      assert.deepEqual(
        back,
        rows.filter((r) => !(r.length === 1 && r[0] === '')),
      );
    }),
  );
});

test('property: CAP — any headline and instruction text survive capToXml → parseCapXml; any other text is a clear refusal', () => {
  const base = parseCapXml(TARGETS.find((t) => t.name === 'cap-xml')!.seeds[0]!.toString());
  // XML 1.0 cannot carry most control characters: the model's texts are printable.
  const printable = fc
    .string({ unit: fc.oneof(fc.constantFrom('<', '>', '&', '"', "'", ']]>', 'é', '€', '\n'), fc.string({ unit: 'grapheme', maxLength: 1 })) })
    .filter((s) => s.trim() === s && s.length > 0);
  fc.assert(
    fc.property(printable, printable, (headline, instruction) => {
      const alert = { ...base, info: (base.info ?? []).map((i) => ({ ...i, headline, instruction })) };
      const back = parseCapXml(capToXml(alert));
      assert.equal(back.info?.[0]?.headline, headline);
      assert.equal(back.info?.[0]?.instruction, instruction);
    }),
    { numRuns: 300 },
  );
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => refusedOrAccepted(() => parseCapXml(text))));
});

test('property: GeoJSON — any point in range is kept exactly; any JSON value is accepted or refused with a 400', () => {
  fc.assert(
    fc.property(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true }), (lon, lat) => {
      const g = parseGeometry({ type: 'Point', coordinates: [lon, lat] }, ['Point']);
      assert.deepEqual(g.coordinates, [lon, lat]);
    }),
  );
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      refusedOrAccepted(() => parseLayer(v));
      refusedOrAccepted(() => parseLayer({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: v, properties: {} }] }));
      refusedOrAccepted(() => parseGeometry(v, ['Point', 'LineString', 'Polygon']));
    }),
    { numRuns: 1000 },
  );
});

const dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-osm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('property: OSM XML — any nodes with coordinates in range and tags of any text are read back', async () => {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          lat: fc.double({ min: -90, max: 90, noNaN: true }),
          lon: fc.double({ min: -180, max: 180, noNaN: true }),
          name: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
        }),
        {
          minLength: 1,
          maxLength: 20,
        },
      ),
      async (nodes) => {
        const xml = `<osm version="0.6">${nodes.map((n, i) => `<node id="${i + 1}" lat="${n.lat}" lon="${n.lon}"><tag k="name" v="${escape(n.name)}"/></node>`).join('')}</osm>`;
        const file = join(dir, 'p.osm');
        writeFileSync(file, xml);
        const data = await readOsm(file, xml.length);
        assert.equal(data.nodes.size, nodes.length);
        assert.deepEqual(
          data.taggedNodes.map((t) => t.tags.name),
          nodes.map((n) => n.name),
        );
      },
    ),
    { numRuns: 60 },
  );
});

test('property: OSM PBF — any truncation or byte change of a valid file is read or refused with a 400', async () => {
  const seed = TARGETS.find((t) => t.name === 'osm-pbf')!.seeds[0]!;
  await fc.assert(
    fc.asyncProperty(fc.nat(seed.length), fc.array(fc.tuple(fc.nat(seed.length - 1), fc.nat(255)), { maxLength: 4 }), async (cut, flips) => {
      const b = Buffer.from(seed.subarray(0, Math.max(1, cut)));
      for (const [i, v] of flips) if (i < b.length) b[i] = v;
      const file = join(dir, 'p.osm.pbf');
      writeFileSync(file, b);
      try {
        await readOsm(file, b.length);
      } catch (error) {
        assert.ok(error instanceof VigilError, String((error as Error).stack));
      }
    }),
    { numRuns: 100 },
  );
});
