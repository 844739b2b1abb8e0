// node scripts/cpuprofile-top.mjs <file.cpuprofile> [--top N] [--from µs --to µs | --windows phases.json --phase name]
// The functions a `node --cpu-prof` profile spends its time in: self time and inclusive time,
// in % of the busy (non-idle) samples, optionally only the samples inside a window of the
// monotonic clock (bench:marc writes its phases' windows with BENCH_PHASE_WINDOWS=file).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args[0];
if (!file) {
  console.error('usage: cpuprofile-top.mjs <file.cpuprofile> [--top N] [--from µs --to µs | --windows file --phase name]');
  process.exit(2);
}
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const top = Number(opt('top') ?? 25);
let from = Number(opt('from') ?? -Infinity);
let to = Number(opt('to') ?? Infinity);
if (opt('windows')) [from, to] = JSON.parse(readFileSync(opt('windows'), 'utf8'))[opt('phase')];

const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(src|node_modules|bench)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;

// Time per sampled node inside the window.
const perNode = new Map();
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  const d = profile.timeDeltas[i] ?? 0;
  at += d;
  if (at < from || at > to) continue;
  perNode.set(profile.samples[i], (perNode.get(profile.samples[i]) ?? 0) + d);
}
const self = new Map();
const inclusive = new Map();
let total = 0;
let idle = 0;
for (const [id, t] of perNode) {
  total += t;
  const n = byId.get(id);
  if (n.callFrame.functionName === '(idle)') idle += t;
  self.set(name(n), (self.get(name(n)) ?? 0) + t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
}
const busy = total - idle;
console.log(`window ${(total / 1e6).toFixed(2)} s: busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s`);
const print = (title, m) => {
  console.log(`--- ${title} (% of busy)`);
  for (const [k, t] of [...m]
    .filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`${((100 * t) / busy).toFixed(1).padStart(5)}% ${(t / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
};
print('self', self);
print('inclusive', inclusive);
