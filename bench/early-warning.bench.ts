// npm run bench:early-warning — the cost early-warning rules add to every signal: readings
// through EarlyWarningState.apply (the projection every node runs) with many rules and
// gauges, and a panel signal (which no rule reads). Ends with one JSON line {"bench":"early-warning",...}.
import type { Signal } from '../src/alarms/model.js';
import { CityState } from '../src/city/city-state.js';
import type { Device } from '../src/city/model.js';
import { EarlyWarningState } from '../src/early-warning/early-warning-state.js';
import type { EarlyWarningRule } from '../src/early-warning/contract.js';
import type { StoredEvent } from '../src/platform/event-log.js';

const GAUGES = Number(process.env.BENCH_GAUGES ?? 10_000);
const RULES = Number(process.env.BENCH_RULES ?? 200);
const READINGS = Number(process.env.BENCH_READINGS ?? 1_000_000);

let seq = 0;
const ev = (type: string, data: unknown): StoredEvent => ({
  seq: ++seq,
  id: `e${seq}`,
  type,
  subject: 's',
  orgId: 'org',
  actor: 'a',
  reason: null,
  at: new Date(0).toISOString(),
  data,
  prevHash: '',
  hash: '',
});
const city = new CityState();
const neighbourhoods = Array.from({ length: 20 }, (_, i) => `area:n${i}`);
for (const id of neighbourhoods)
  city.apply(
    ev('city.area.defined', {
      id,
      name: id,
      level: 'neighbourhood',
      geometry: null,
      center: [7.42, 43.73],
      areaM2: null,
      repaired: false,
      source: 'bench',
      orgId: 'org',
      importId: 'i',
    }),
  );
const sites = Array.from({ length: GAUGES }, (_, i) => ({
  id: `site:${i}`,
  name: null,
  category: 'building',
  position: [7.42, 43.73],
  footprintM2: null,
  levels: null,
  address: null,
  areaId: neighbourhoods[i % 20],
  buildingType: null,
  residents: null,
  source: 'bench',
}));
city.apply(ev('city.sites.registered', { importId: 'i', sites }));
const devices: Device[] = sites.map((s, i) => ({
  id: `dev:water-level-sensor:${i}`,
  kind: 'water-level-sensor',
  label: `g${i}`,
  siteId: s.id,
  zoneId: null,
  position: [7.42, 43.73],
  orgId: 'org',
  account: null,
  protocol: 'mqtt',
  parentId: null,
}));
city.apply(ev('city.devices.registered', { devices }));

const state = new EarlyWarningState(city);
let fired = 0;
state.onFiring = () => void fired++;
const draft: EarlyWarningRule['draft'] = {
  templateId: 'flood',
  languages: ['en-GB'],
  area: { kind: 'circle', radiusKm: 0.5 },
  severity: 'Severe',
  urgency: 'Immediate',
  status: 'Actual',
  channels: [],
};
for (let r = 0; r < RULES; r++) {
  // Half watch five named gauges each, half every gauge of a neighbourhood.
  const sensors =
    r % 2 === 0
      ? { deviceIds: Array.from({ length: 5 }, (_, k) => devices[(r * 5 + k) % GAUGES]!.id) }
      : { deviceKind: 'water-level-sensor' as const, areaId: neighbourhoods[r % 20]! };
  const rule: EarlyWarningRule = {
    ruleId: `ewr_${r}`,
    orgId: 'org',
    name: `r${r}`,
    enabled: true,
    definedBy: 'user:x',
    definedAt: '',
    sensors,
    measure: { type: 'threshold', sensorType: 'water-level', direction: 'above', threshold: 2, unit: 'm', hysteresis: 0.3 },
    persistence: { readings: 3, seconds: 0 },
    draft,
  };
  state.apply(ev('alerts.rule.defined', { rule }));
}

const signal = (i: number, protocol: Signal['protocol']): StoredEvent =>
  ev('alarms.signal.received', {
    signal: {
      signalId: `sig${i}`,
      account: null,
      protocol,
      code: 'water-level:normal',
      kind: 'water',
      phase: 'restore',
      description: '',
      zone: null,
      user: null,
      area: null,
      occurredAt: null,
      receivedAt: new Date(i * 1000).toISOString(),
      text: null,
      position: null,
      siteId: null,
      deviceId: devices[i % GAUGES]!.id,
      flags: [],
      reading: { value: 1.5 + ((i >> 4) % 8) * 0.15, unit: 'm' },
    },
  });
const events = Array.from({ length: READINGS }, (_, i) => signal(i, 'mqtt'));
const panel = Array.from({ length: READINGS }, (_, i) => signal(i, 'sia-dcs'));
const time = (list: StoredEvent[]): number => {
  const t0 = performance.now();
  for (const e of list) state.apply(e);
  return performance.now() - t0;
};
time(events.slice(0, 10_000)); // warm-up
const mqttMs = time(events);
const panelMs = time(panel);
const result = {
  bench: 'early-warning',
  gauges: GAUGES,
  rules: RULES,
  readings: READINGS,
  readingsPerSec: Math.round(READINGS / (mqttMs / 1000)),
  usPerReading: Number(((mqttMs * 1000) / READINGS).toFixed(2)),
  panelSignalsPerSec: Math.round(READINGS / (panelMs / 1000)),
  firings: fired,
};
console.log(
  `${READINGS} readings of ${GAUGES} gauges through ${RULES} rules: ${result.readingsPerSec}/s (${result.usPerReading} µs each), ${fired} firings; panel signals ${result.panelSignalsPerSec}/s`,
);
console.log(JSON.stringify(result));
