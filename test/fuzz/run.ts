/**
 * `npm run fuzz -- --minutes N [--target name] [--seed S]`: fuzzes every parser (or
 * one) for N minutes in all, shared equally. Each crash is saved under
 * test/fuzz/corpus/<target>/ so the test suite replays it from then on. Prints one
 * JSON line per target and exits 1 when anything crashed.
 */
import { parseArgs } from 'node:util';
import { fuzzTarget, saveCrash } from './engine.js';
import { TARGETS } from './targets.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '1' }, target: { type: 'string' }, seed: { type: 'string' } } });
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) throw new Error('--minutes must be a positive number');
const targets = values.target ? TARGETS.filter((t) => t.name === values.target) : TARGETS;
if (targets.length === 0) throw new Error(`unknown target ${values.target}; known: ${TARGETS.map((t) => t.name).join(', ')}`);
const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31;
const perTargetMs = (minutes * 60_000) / targets.length;
let crashed = 0;
console.error(`fuzzing ${targets.map((t) => t.name).join(', ')} for ${minutes} min (seed ${seed})`);
for (const target of targets) {
  const until = Date.now() + perTargetMs;
  const outcome = await fuzzTarget(target, { seed, stop: (n) => n % 16 === 0 && Date.now() >= until });
  for (const c of outcome.crashes) {
    crashed++;
    console.error(`CRASH ${target.name}: saved ${saveCrash(target.name, c.input)}\n${c.error}\n`);
  }
  console.log(JSON.stringify({ target: target.name, inputs: outcome.inputs, crashes: outcome.crashes.length, seconds: Math.round(perTargetMs / 1000) }));
}
process.exit(crashed > 0 ? 1 : 0);
