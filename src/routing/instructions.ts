import type { Position } from '../kernel/geo.js';
import type { RoadGraph } from './road-graph.js';

export interface RouteStep {
  /** depart, turn (left/right/slight/sharp), continue, arrive. */
  maneuver: string;
  /** The street followed in this step ('' when the way has no name or ref). */
  name: string;
  distanceM: number;
  timeS: number;
  /** Where the step starts. */
  position: Position;
}

const toRad = Math.PI / 180;

/** Initial compass bearing from a to b, degrees clockwise from north. */
export function bearing(a: Position, b: Position): number {
  const y = Math.sin((b[0] - a[0]) * toRad) * Math.cos(b[1] * toRad);
  const x = Math.cos(a[1] * toRad) * Math.sin(b[1] * toRad) - Math.sin(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.cos((b[0] - a[0]) * toRad);
  return (Math.atan2(y, x) / toRad + 360) % 360;
}

const COMPASS = ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west'] as const;
export function compass(deg: number): (typeof COMPASS)[number] {
  return COMPASS[Math.round(deg / 45) % 8]!;
}

function turnOf(delta: number): string {
  const d = ((delta + 540) % 360) - 180; // -180..180, positive = right
  const a = Math.abs(d);
  if (a < 20) return 'continue';
  const side = d > 0 ? 'right' : 'left';
  if (a < 60) return `slight ${side}`;
  if (a < 135) return `turn ${side}`;
  return `sharp ${side}`;
}

/** Turn-by-turn: one step per run of segments along the same street name. */
export function stepsOf(g: RoadGraph, nodes: readonly number[], segments: readonly number[], times: readonly number[]): RouteStep[] {
  const pos = (v: number): Position => [g.lon[v]!, g.lat[v]!];
  const steps: RouteStep[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const name = g.names[g.segName[s]!]!;
    const last = steps[steps.length - 1];
    if (last && last.name === name) {
      last.distanceM += g.segLength[s]!;
      last.timeS += times[i]!;
      continue;
    }
    let maneuver = 'depart';
    if (last) {
      const before = bearing(pos(nodes[i - 1]!), pos(nodes[i]!));
      const after = bearing(pos(nodes[i]!), pos(nodes[i + 1]!));
      maneuver = turnOf(after - before);
    }
    steps.push({ maneuver, name, distanceM: g.segLength[s]!, timeS: times[i]!, position: pos(nodes[i]!) });
  }
  if (nodes.length > 0) steps.push({ maneuver: 'arrive', name: '', distanceM: 0, timeS: 0, position: pos(nodes[nodes.length - 1]!) });
  for (const st of steps) {
    st.distanceM = Math.round(st.distanceM * 10) / 10;
    st.timeS = Math.round(st.timeS * 10) / 10;
  }
  return steps;
}
