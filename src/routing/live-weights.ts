import type { RoadGraph } from './road-graph.js';

/**
 * The live travel time of every segment: free flow, slowed by traffic reports,
 * infinite while a closure covers it. Searches read `time` directly, so an update
 * is visible to the very next query; nothing is preprocessed again.
 */
export class LiveWeights {
  /** What searches read (seconds; Infinity = closed). */
  readonly time: Float64Array;
  private readonly traffic: Float64Array;
  private readonly closedBy: Uint16Array;

  constructor(private readonly g: RoadGraph) {
    this.time = Float64Array.from(g.segFreeTime);
    this.traffic = Float64Array.from(g.segFreeTime);
    this.closedBy = new Uint16Array(g.segmentCount);
  }

  /**
   * Observed speed on one segment; null returns it to free flow. Speeds above free
   * flow are capped at it: the landmark bounds assume no edge gets faster.
   */
  setSpeed(segment: number, speedKmh: number | null): void {
    const free = this.g.segFreeTime[segment]!;
    const t = speedKmh === null ? free : speedKmh <= 0 ? Infinity : Math.max(free, this.g.segLength[segment]! / (speedKmh / 3.6));
    this.traffic[segment] = t;
    if (this.closedBy[segment] === 0) this.time[segment] = t;
  }

  /** Observed speed on every segment of an OSM way (both directions); false when the way is not in this graph. */
  setWaySpeed(wayId: number, speedKmh: number | null): boolean {
    const segs = this.g.segmentsOfWay.get(wayId);
    if (!segs) return false;
    for (const s of segs) this.setSpeed(s, speedKmh);
    return true;
  }

  close(segments: Iterable<number>): void {
    for (const s of segments) {
      this.closedBy[s]!++;
      this.time[s] = Infinity;
    }
  }

  reopen(segments: Iterable<number>): void {
    for (const s of segments) {
      if (this.closedBy[s]! > 0) this.closedBy[s]!--;
      if (this.closedBy[s] === 0) this.time[s] = this.traffic[s]!;
    }
  }

  isClosed(segment: number): boolean {
    return this.closedBy[segment]! > 0;
  }
}
