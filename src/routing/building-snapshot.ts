import type { Site } from '../city/contract.js';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import type { BuildingColumns, PackedBuildings } from './building-snapshot-worker.js';

/** Sites read between two yields to the event loop while a snapshot is built. */
const CHUNK = 2_000;

/**
 * The city's buildings in the forms the heavy routing requests send to a worker, made
 * once per change of the city's sites (not once per request). The main thread only
 * reads the sites' columns, in chunks that yield to the event loop; the packing and the
 * origins' JSON are made in the worker pool (building-snapshot-worker.ts), so the main
 * thread never holds a DC-09 ACK for a whole city:
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
  /** The thread that packed it (a pool worker's id, never the main thread's 0). */
  packedOnThread: number;
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
    const ids: string[] = [];
    const names: (string | null)[] = [];
    let inChunk = 0;
    for (const s of this.sites()) {
      if (++inChunk >= CHUNK) {
        inChunk = 0;
        await yieldToLoop();
      }
      if (!isBuilding(s)) continue;
      positions.push(s.position[0], s.position[1]);
      residents.push(s.residents ?? 0);
      ids.push(s.id);
      names.push(s.name ?? s.address ?? null);
    }
    const packedPositions = new Float64Array(new ArrayBuffer(positions.length * 8));
    packedPositions.set(positions);
    const packedResidents = new Float64Array(new ArrayBuffer(residents.length * 8));
    packedResidents.set(residents);
    const columns: BuildingColumns = { positions: packedPositions, residents: packedResidents, ids, names };
    const packed = await runInWorker<PackedBuildings>({
      module: new URL('./building-snapshot-worker.ts', import.meta.url),
      fn: 'packBuildings',
      input: columns,
      transferList: [packedPositions.buffer as ArrayBuffer, packedResidents.buffer as ArrayBuffer],
    });
    return {
      revision,
      count: residents.length,
      residents: packed.residents,
      buildings: packed.buildings,
      originsJson: packed.originsJson,
      packedOnThread: packed.threadId,
    };
  }
}
