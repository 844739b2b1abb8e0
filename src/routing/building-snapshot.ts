import type { Site } from '../city/contract.js';

/** Sites read between two yields to the event loop while a snapshot is built. */
const CHUNK = 2_000;

/**
 * The city's buildings in the forms the heavy routing requests send to a worker, made
 * once per change of the city's sites (not once per request) and in chunks that yield
 * to the event loop, so the main thread never holds a DC-09 ACK for a whole city:
 *  - `residents` / `buildings`: coverage points packed as [lon, lat, weight] triples;
 *  - `originsJson`: the evacuation origins (`buildingOrigins`) as one JSON text, which
 *    crosses to a worker as one string (no object per building cloned) and is parsed there.
 * `revision` names the snapshot: equal requests on the same city share one run by it,
 * without the main thread hashing or stringifying the points again.
 */
export interface BuildingSnapshot {
  revision: number;
  count: number;
  residents: Float64Array;
  buildings: Float64Array;
  originsJson: string;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function isBuilding(s: Site): boolean {
  return s.category === 'building' || s.buildingType !== null;
}

export class BuildingSnapshots {
  private revision = 0;
  private current: BuildingSnapshot | null = null;
  private building: Promise<BuildingSnapshot> | null = null;
  /** Snapshots built so far (tests: one per change of the sites, not one per request). */
  builds = 0;

  constructor(private readonly sites: () => Iterable<Site>) {}

  /** The sites changed (a city import, a population estimate): the next request builds a new snapshot. */
  invalidate(): void {
    this.revision++;
  }

  /** The snapshot of the sites as they are now; concurrent callers share one build. */
  async get(): Promise<BuildingSnapshot> {
    for (;;) {
      if (this.current?.revision === this.revision) return this.current;
      if (!this.building) {
        const started = this.build(this.revision);
        this.building = started;
        const forget = (): void => {
          if (this.building === started) this.building = null;
        };
        started.then(forget, forget);
      }
      const built = await this.building;
      // The sites changed while it was built: build again from the new ones.
      if (built.revision === this.revision) {
        this.current = built;
        return built;
      }
    }
  }

  private async build(revision: number): Promise<BuildingSnapshot> {
    this.builds++;
    const positions: number[] = [];
    const residents: number[] = [];
    const origins: string[] = [];
    let inChunk = 0;
    for (const s of this.sites()) {
      if (++inChunk >= CHUNK) {
        inChunk = 0;
        await yieldToLoop();
      }
      if (!isBuilding(s)) continue;
      positions.push(s.position[0], s.position[1]);
      residents.push(s.residents ?? 0);
      const name = s.name ?? s.address;
      origins.push(JSON.stringify({ id: s.id, ...(name ? { name } : {}), position: s.position, people: s.residents ?? 0 }));
    }
    const count = residents.length;
    const byResidents = new Float64Array(count * 3);
    const byBuildings = new Float64Array(count * 3);
    for (let i = 0; i < count; i++) {
      byResidents[3 * i] = byBuildings[3 * i] = positions[2 * i]!;
      byResidents[3 * i + 1] = byBuildings[3 * i + 1] = positions[2 * i + 1]!;
      byResidents[3 * i + 2] = residents[i]!;
      byBuildings[3 * i + 2] = 1;
    }
    return { revision, count, residents: byResidents, buildings: byBuildings, originsJson: `[${origins.join(',')}]` };
  }
}
