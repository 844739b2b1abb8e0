import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { repoRoot } from '../../kernel/config.js';
import { VigilError } from '../../kernel/errors.js';
import { readOsm } from './osm-reader.js';
import { tinyPbf } from '../../../test/support/tiny-pbf.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-pbf-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ANDORRA = join(repoRoot, '..', 'shared', 'data', 'osm', 'andorra.osm.pbf');

test('decodes dense nodes, tags, ways and relations of a PBF file', async () => {
  const file = join(dir, 'tiny.osm.pbf');
  writeFileSync(file, tinyPbf());
  const d = await readOsm(file, 0);
  assert.deepEqual(
    [...d.nodes.entries()],
    [
      [1, [7.42, 43.73]],
      [2, [7.42, 43.74]],
      [3, [7.43, 43.74]],
    ],
  );
  assert.deepEqual(d.taggedNodes, [{ id: 2, position: [7.42, 43.74], tags: { amenity: 'police', name: 'Poste' } }]);
  assert.deepEqual(d.ways.get(10), { id: 10, refs: [1, 2, 3, 1], tags: { building: 'yes' } });
  assert.deepEqual(d.relations, [{ id: 20, members: [{ type: 'way', ref: 10, role: 'outer' }], tags: { type: 'multipolygon' } }]);
});

test('fuzz: a corrupted PBF file fails with a clear error, never a crash or a hang', async () => {
  const good = tinyPbf();
  let i = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      fc.nat(good.length),
      async (flips, cut) => {
        const bad = Buffer.from(good.subarray(0, Math.max(cut, 8)));
        for (const [at, value] of flips) if (at < bad.length) bad[at] = value;
        const file = join(dir, `fuzz-${++i}.osm.pbf`);
        writeFileSync(file, bad);
        try {
          const d = await readOsm(file, 0);
          for (const p of d.nodes.values()) assert.ok(Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90);
        } catch (error) {
          assert.ok(error instanceof VigilError, `unexpected ${String(error)}`);
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('reads the real Andorra extract', async (t) => {
  if (!existsSync(ANDORRA)) {
    if (process.env.CI === 'true') throw new Error(`${ANDORRA} missing — CI provides ../shared`);
    t.skip('../shared/data/osm/andorra.osm.pbf not present');
    return;
  }
  const d = await readOsm(ANDORRA, 0);
  assert.equal(d.nodes.size, 69644);
  assert.equal(d.ways.size, 2725);
  assert.equal(d.relations.length, 74);
  assert.ok(d.relations.some((r) => r.tags.name === 'Andorra' && r.tags.admin_level === '2'));
  // Relations are kept whole, so some nodes lie outside the extract's box, but not far.
  const [w, s, e, n] = d.bounds!;
  assert.deepEqual(d.bounds, [1.422104, 42.43509, 1.780386, 42.65717]);
  let inside = 0;
  for (const p of d.nodes.values()) {
    assert.ok(p[0] > 0 && p[0] < 3 && p[1] > 41.5 && p[1] < 43.5, `node far from Andorra: ${p}`);
    if (p[0] >= w && p[0] <= e && p[1] >= s && p[1] <= n) inside++;
  }
  assert.ok(inside / d.nodes.size > 0.9, `${inside} of ${d.nodes.size} inside the box`);
});
