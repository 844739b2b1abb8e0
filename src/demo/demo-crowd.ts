import type { Device } from '../city/contract.js';
import type { Polygon, Position } from '../kernel/geo.js';
import type { GateInput, ZoneInput } from '../crowd/index.js';

const box = (w: number, s: number, e: number, n: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

/**
 * Crowd zones of the demo around Place du Casino (Monte-Carlo) and the Quai Albert Ier
 * on Port Hercule, with their gates and the counters that feed them. Outlines are
 * drawn by hand over the OpenStreetMap extract (approximate, for the demo).
 */
export const DEMO_CROWD_ZONES: (ZoneInput & { zoneId: string })[] = [
  {
    zoneId: 'czn:casino-square',
    name: 'Place du Casino',
    polygon: box(7.427, 43.739, 7.4282, 43.7398),
    occupancyCounters: ['cam:casino-square:west', 'cam:casino-square:east'],
  },
  { zoneId: 'czn:boulingrins', name: 'Jardins des Boulingrins', polygon: box(7.4264, 43.7398, 7.428, 43.7408), occupancyCounters: ['cam:boulingrins'] },
  { zoneId: 'czn:casino-terraces', name: 'Terrasses du Casino', polygon: box(7.4274, 43.7383, 7.429, 43.739), occupancyCounters: ['cam:casino-terraces'] },
  {
    zoneId: 'czn:quai-albert',
    name: 'Quai Albert Ier (Port Hercule)',
    // The quay between the road (OSM "Quai Albert 1er") and the harbour basin, not the water.
    polygon: {
      type: 'Polygon',
      coordinates: [
        [
          [7.422, 43.7365],
          [7.4228, 43.7365],
          [7.4231, 43.7346],
          [7.4225, 43.7345],
          [7.4222, 43.7351],
          [7.422, 43.7365],
        ],
      ],
    },
    occupancyCounters: ['cam:quai-albert'],
  },
];

export const DEMO_GATES: (GateInput & { gateId: string })[] = [
  {
    gateId: 'gte:casino-north',
    name: 'Casino north gate (Boulingrins)',
    position: [7.4276, 43.7398],
    inside: 'czn:casino-square',
    outside: 'czn:boulingrins',
    lineCounters: ['line:casino-north'],
  },
  {
    gateId: 'gte:casino-south',
    name: 'Casino terrace steps',
    position: [7.4279, 43.739],
    inside: 'czn:casino-square',
    outside: 'czn:casino-terraces',
    lineCounters: ['line:casino-south'],
  },
  {
    gateId: 'gte:casino-west',
    name: 'Avenue des Spélugues entrance',
    position: [7.427, 43.7394],
    inside: 'czn:casino-square',
    outside: null,
    lineCounters: ['line:casino-west'],
  },
  {
    gateId: 'gte:quai-albert',
    name: 'Quai Albert Ier north entrance',
    position: [7.4224, 43.7365],
    inside: 'czn:quai-albert',
    outside: null,
    lineCounters: ['line:quai-albert'],
  },
];

/** The counters as devices of the city model (simulated: cameras with people counting and line counters, over MQTT). */
export function demoCrowdDevices(orgId: string): Device[] {
  const devices: Device[] = [];
  const centre = (p: Polygon): Position => {
    const ring = p.coordinates[0]!;
    return [(ring[0]![0] + ring[2]![0]) / 2, (ring[0]![1] + ring[2]![1]) / 2];
  };
  for (const z of DEMO_CROWD_ZONES) {
    for (const [k, id] of (z.occupancyCounters ?? []).entries()) {
      const [lon, lat] = centre(z.polygon as Polygon);
      devices.push({
        id,
        kind: 'camera',
        label: `Crowd counting camera ${k + 1} — ${z.name} (simulated)`,
        siteId: null,
        zoneId: null,
        position: [lon + (k - 0.5) * 0.0003, lat],
        orgId,
        account: null,
        protocol: 'mqtt',
        parentId: null,
      });
    }
  }
  for (const g of DEMO_GATES) {
    for (const id of g.lineCounters ?? [])
      devices.push({
        id,
        kind: 'people-counter',
        label: `Line counter — ${g.name} (simulated)`,
        siteId: null,
        zoneId: null,
        position: g.position,
        orgId,
        account: null,
        protocol: 'mqtt',
        parentId: null,
      });
  }
  return devices;
}

/**
 * A race afternoon's counts, as the simulated counters send them: each zone's cameras' people counts
 * (occupancy, summed per zone) and each gate's line crossings since its last message. Densities stay
 * under the zones' warning level (2 /m²): busy, not crowded — Place du Casino about 0.7 /m², the
 * Boulingrins gardens 0.3, the casino terraces 0.4, Quai Albert Ier's stands about 0.8.
 */
export const DEMO_CROWD_COUNTS: { counterId: string; value?: number; in?: number; out?: number }[] = [
  { counterId: 'cam:casino-square:west', value: 3_150 },
  { counterId: 'cam:casino-square:east', value: 2_870 },
  { counterId: 'cam:boulingrins', value: 4_120 },
  { counterId: 'cam:casino-terraces', value: 4_060 },
  { counterId: 'cam:quai-albert', value: 9_640 },
  { counterId: 'line:casino-north', in: 118, out: 47 },
  { counterId: 'line:casino-south', in: 64, out: 71 },
  { counterId: 'line:casino-west', in: 153, out: 38 },
  { counterId: 'line:quai-albert', in: 212, out: 19 },
];

/**
 * The demo counters' messages, in the sensor format (docs/sensors.md) on the sensor topic with the
 * counter's id in the device position: what the MQTT broker hands the topic router for a real counter.
 */
export function demoCrowdMessages(sensorTopic: string): { topic: string; payload: Buffer }[] {
  return DEMO_CROWD_COUNTS.map(({ counterId, ...count }) => ({
    topic: sensorTopic.replace(/\+|#/, counterId),
    payload: Buffer.from(JSON.stringify({ type: 'people-count', state: 'normal', ...count })),
  }));
}
