import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evaluate, judge, newRuleTrack, valueIn, type RuleTrack } from './rule-logic.js';
import type { Reading, RuleMeasure } from './rule-model.js';

const above: RuleMeasure = { type: 'threshold', sensorType: 'water-level', direction: 'above', threshold: 2, unit: 'm', hysteresis: 0.3 };
const reading = (value: number, at: number, deviceId = 'dev:w:1', extra: Partial<Reading> = {}): Reading => ({
  signalId: `sig_${deviceId}_${at}`,
  deviceId,
  sensorType: 'water-level',
  state: 'normal',
  value,
  unit: 'm',
  at,
  ...extra,
});

/** Runs readings through a rule; the indexes at which it fired. */
function fires(measure: RuleMeasure, persistence: { readings: number; seconds: number }, readings: Reading[], track: RuleTrack = newRuleTrack()): number[] {
  const out: number[] = [];
  readings.forEach((r, i) => evaluate({ measure, persistence }, track, r) && out.push(i));
  return out;
}

// Values from a coarse grid around the threshold and the clearing level, so every band is hit often.
const level = fc.integer({ min: 10, max: 30 }).map((n) => n / 10);
const series = fc.array(fc.tuple(level, fc.integer({ min: 1, max: 120 })), { maxLength: 60 }).map((xs) => {
  let at = 0;
  return xs.map(([v, dt]) => reading(v, (at += dt * 1000)));
});
const persistence = fc.record({ readings: fc.integer({ min: 1, max: 5 }), seconds: fc.integer({ min: 0, max: 300 }) });

test('property: it fires only on a run of readings above the threshold that lasted the persistence', () => {
  fc.assert(
    fc.property(series, persistence, (rs, p) => {
      for (const i of fires(above, p, rs)) {
        const run = rs.slice(i - p.readings + 1, i + 1);
        assert.equal(run.length, p.readings);
        assert.ok(
          run.every((r) => r.value! > 2),
          'the last readings all exceed',
        );
        let start = i;
        while (start > 0 && rs[start - 1]!.value! > 2) start--;
        assert.ok(rs[i]!.at - rs[start]!.at >= p.seconds * 1000, 'the run lasted long enough');
      }
    }),
    { numRuns: 2000 },
  );
});

test('property: between two firings the level went back to the clearing level (hysteresis); one spike never fires when two readings are needed', () => {
  fc.assert(
    fc.property(series, persistence, (rs, p) => {
      const f = fires(above, p, rs);
      for (let k = 1; k < f.length; k++)
        assert.ok(
          rs.slice(f[k - 1]! + 1, f[k]!).some((r) => r.value! <= 2 - 0.3),
          `re-armed without clearing between ${f[k - 1]} and ${f[k]}`,
        );
      if (p.readings >= 2) {
        const isolated = rs.map((r, i) => reading(i % 2 === 0 ? 2 + r.value! : 1.0, r.at));
        assert.deepEqual(fires(above, p, isolated), [], 'spikes separated by low readings');
      }
    }),
    { numRuns: 2000 },
  );
});

test('property: it does fire once the persistence is met after a clear (liveness), exactly like a reference model', () => {
  fc.assert(
    fc.property(series, persistence, (rs, p) => {
      // Reference: armed until it fires; re-armed by a reading at or below the clearing level.
      const expected: number[] = [];
      let armed = true;
      let runStart = -1;
      rs.forEach((r, i) => {
        if (r.value! <= 1.7) armed = true;
        runStart = r.value! > 2 ? (runStart < 0 ? i : runStart) : -1;
        if (armed && runStart >= 0 && i - runStart + 1 >= p.readings && r.at - rs[runStart]!.at >= p.seconds * 1000) {
          expected.push(i);
          armed = false;
        }
      });
      assert.deepEqual(fires(above, p, rs), expected);
    }),
    { numRuns: 3000 },
  );
});

test('property: while its draft is open a rule drafts nothing; once it is closed, a clear then a persistent rise drafts exactly once', () => {
  fc.assert(
    fc.property(series, persistence, (rs, p) => {
      const track = newRuleTrack();
      track.openDraft = 'alt_open';
      assert.deepEqual(fires(above, p, rs, track), []);
      track.openDraft = null;
      const t0 = (rs.at(-1)?.at ?? 0) + 1000;
      const rise = Array.from({ length: p.readings + 1 }, (_, i) => reading(2.5, t0 + 1000 + i * (p.seconds * 1000)));
      assert.deepEqual(fires(above, p, [reading(1.0, t0), ...rise, ...rise.map((r) => ({ ...r, at: r.at + p.seconds * 1000 * 10 + 1 }))], track).length, 1);
    }),
    { numRuns: 1000 },
  );
});

test('an episode absorbed by an open draft does not draft again when the draft closes while the level stays high', () => {
  const track = newRuleTrack();
  track.openDraft = 'alt_open';
  assert.deepEqual(fires(above, { readings: 2, seconds: 0 }, [reading(2.5, 1), reading(2.6, 2)], track), []);
  track.openDraft = null;
  assert.deepEqual(
    fires(above, { readings: 2, seconds: 0 }, [reading(2.7, 3), reading(2.8, 4), reading(1.5, 5), reading(2.4, 6), reading(2.5, 7)], track),
    [4],
  );
});

test('several devices: one device firing latches the rule until every device cleared', () => {
  const p = { readings: 2, seconds: 0 };
  const track = newRuleTrack();
  const run = (...rs: Reading[]): number[] => fires(above, p, rs, track);
  assert.deepEqual(run(reading(2.5, 1, 'a'), reading(2.5, 2, 'b'), reading(2.6, 3, 'a')), [2]);
  assert.deepEqual(run(reading(2.7, 4, 'b'), reading(1.0, 5, 'a')), [], 'b is still high: no second draft');
  assert.deepEqual(run(reading(1.8, 6, 'b')), [], '1.8 is above the clearing level 1.7: still latched');
  assert.deepEqual(run(reading(1.6, 7, 'b'), reading(2.2, 8, 'b'), reading(2.3, 9, 'b')), [2], 're-armed once both cleared');
});

test('state rules, units, and readings that say nothing', () => {
  const smoke: RuleMeasure = { type: 'state', sensorType: 'smoke' };
  const s = (state: string, at: number): Reading => ({ signalId: `s${at}`, deviceId: 'tunnel', sensorType: 'smoke', state, value: null, unit: null, at });
  assert.deepEqual(
    fires(smoke, { readings: 2, seconds: 0 }, [s('alarm', 1), s('normal', 2), s('alarm', 3), s('trouble', 4), s('alarm', 5), s('alarm', 6)]),
    [4],
  );
  assert.equal(judge(above, reading(2.5, 1, 'x', { sensorType: 'gas' })), null, 'another sensor type');
  assert.equal(judge(above, reading(2.5, 1, 'x', { state: 'test' })), null, 'a test reading');
  assert.equal(judge(above, reading(2.5, 1, 'x', { unit: 'ppm' })), null, 'a unit that cannot be converted');
  assert.equal(valueIn({ value: 250, unit: 'cm' }, 'm'), 2.5);
  assert.equal(valueIn({ value: 2.5, unit: null }, 'm'), 2.5, 'no unit: the rule’s');
  assert.deepEqual(judge(above, reading(250, 1, 'x', { unit: 'cm' })), { meets: true, high: true });
  const below: RuleMeasure = { ...above, direction: 'below', threshold: 0.5, hysteresis: 0.1 };
  assert.deepEqual(fires(below, { readings: 1, seconds: 0 }, [reading(0.4, 1), reading(0.55, 2), reading(0.3, 3), reading(0.7, 4), reading(0.2, 5)]), [0, 4]);
});
