import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../kernel/errors.js';
import type { Position } from '../../kernel/geo.js';
import { assembleRings } from './osm-geometry.js';
import { readOsm } from './osm-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-osm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLE = `<?xml version="1.0"?>
<osm version="0.6">
 <node id="1" lat="43.73" lon="7.42"/>
 <node id="2" lat="43.74" lon="7.42"><tag k="amenity" v="police"/><tag k="name" v="Poste"/></node>
 <node id="3" lat="43.74" lon="7.43"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/><tag k="building" v="yes"/></way>
 <relation id="20"><member type="way" ref="10" role="outer"/><tag k="type" v="multipolygon"/></relation>
</osm>`;

test('reads nodes, tags, ways and relations', async () => {
  const file = join(dir, 'sample.osm');
  writeFileSync(file, SAMPLE);
  const d = await readOsm(file, SAMPLE.length);
  assert.equal(d.nodes.size, 3);
  assert.deepEqual(d.nodes.get(2), [7.42, 43.74]);
  assert.deepEqual(
    d.taggedNodes.map((x) => x.tags.name),
    ['Poste'],
  );
  assert.deepEqual(d.ways.get(10)!.refs, [1, 2, 3, 1]);
  assert.deepEqual(d.relations[0]!.members, [{ type: 'way', ref: 10, role: 'outer' }]);
});

test('fuzz: any corruption of an extract either parses or fails with a clear error, never a crash', async () => {
  let i = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(SAMPLE.length - 1), fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 4 }),
      async (edits) => {
        let text = SAMPLE;
        for (const [at, kind, s] of edits) {
          text =
            kind === 0
              ? text.slice(0, at)
              : kind === 1
                ? text.slice(0, at) + s + text.slice(at)
                : kind === 2
                  ? text.slice(0, at) + text.slice(at + 3)
                  : text.slice(0, at) + s + text.slice(at + s.length);
        }
        const file = join(dir, `fuzz-${++i}.osm`);
        writeFileSync(file, text);
        try {
          const d = await readOsm(file, text.length);
          for (const p of d.nodes.values()) assert.ok(Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90);
        } catch (error) {
          assert.ok(error instanceof VigilError, `unexpected ${String(error)}`);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('property: a ring cut into shuffled, partly reversed segments is reassembled closed, with every vertex', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 4, max: 40 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
      fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
      fc.nat(),
      (size, cutSeeds, flips, shuffleSeed) => {
        const ring: Position[] = Array.from({ length: size }, (_, k) => [Math.cos((2 * Math.PI * k) / size), Math.sin((2 * Math.PI * k) / size)]);
        ring.push(ring[0]!);
        const cuts = [...new Set(cutSeeds.map((c) => 1 + (c % (size - 1))))].sort((a, b) => a - b);
        const bounds = [0, ...cuts, size];
        let segments = bounds.slice(1).map((end, k) => ring.slice(bounds[k]!, end + 1));
        segments = segments.map((s, k) => (flips[k % flips.length] ? [...s].reverse() : s));
        segments.sort((a, b) => ((a[0]![0] * 1000 + shuffleSeed) % 7) - ((b[0]![0] * 1000 + shuffleSeed) % 7));
        const result = assembleRings(segments);
        assert.ok(result);
        assert.equal(result.rings.length, 1);
        const out = result.rings[0]!;
        assert.deepEqual(out[0], out.at(-1));
        assert.equal(new Set(out.map((p) => p.join())).size, size);
      },
    ),
    { numRuns: 300 },
  );
});

test('an open boundary is closed only across a small gap', () => {
  const open: Position[] = [
    [7.42, 43.73],
    [7.43, 43.73],
    [7.43, 43.74],
    [7.4201, 43.7301],
  ];
  assert.equal(assembleRings([open]), null);
  const repaired = assembleRings([open], 500)!;
  assert.equal(repaired.repaired, true);
  assert.deepEqual(repaired.rings[0]!.at(-1), open[0]);
  assert.equal(
    assembleRings(
      [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0.5, 0.5],
        ],
      ],
      500,
    ),
    null,
    'a gap of kilometres stays open',
  );
});
