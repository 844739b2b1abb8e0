import type { Site } from '../../city/contract.js';
import type { Position } from '../../kernel/geo.js';

/** What the routing engine answers (Router.reachedWithin): per position, reached in time, or null when off the road graph. */
export interface ReachQuery {
  reachedWithin(stations: readonly Position[], positions: readonly Position[], targetS: number): (boolean | null)[] | Promise<(boolean | null)[]>;
}

export interface FireStationCoverage {
  minutes: number;
  stations: number;
  residentialSites: number;
  /** Residential sites whose road node is within the drive time of a fire station. */
  covered: Set<string>;
  unroutable: number;
  ref: string;
}

/**
 * Residential buildings inside the N-minute drive of any fire station (the city
 * model's `fire-station` sites), on the car graph with the traffic and closures
 * of the moment: one multi-source search. Null when the city has no fire station.
 */
export async function fireStationCoverage(router: ReachQuery, sites: Iterable<Site>, minutes: number, computedAt: string): Promise<FireStationCoverage | null> {
  const all = [...sites];
  const stations = all.filter((s) => s.category === 'fire-station');
  if (stations.length === 0) return null;
  const residential = all.filter((s) => (s.residents ?? 0) > 0);
  const reached = await router.reachedWithin(
    stations.map((s) => s.position),
    residential.map((s) => s.position),
    minutes * 60,
  );
  const covered = new Set<string>();
  let unroutable = 0;
  reached.forEach((r, i) => {
    if (r === null) unroutable++;
    else if (r) covered.add(residential[i]!.id);
  });
  return {
    minutes,
    stations: stations.length,
    residentialSites: residential.length,
    covered,
    unroutable,
    ref: `snapshot:fire-station-coverage@${computedAt} (${stations.length} fire station(s), ${minutes} min by car with the traffic and closures of that moment; ${covered.size} of ${residential.length} residential buildings reached, ${unroutable} off the road graph)`,
  };
}

/**
 * Keeps the cockpit's fire-station coverage current: recomputed when the routing
 * engine is ready, and once after a burst of changes (traffic, closures, city
 * model) has settled — a traffic feed may send updates every few seconds.
 */
export class FireStationCoverageFeed {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<FireStationCoverage | null> | null = null;
  private again = false;
  last: FireStationCoverage | null = null;

  constructor(
    private readonly deps: {
      router: () => ReachQuery | null;
      sites: () => Iterable<Site>;
      apply: (coverage: FireStationCoverage | null) => void;
      now: () => number;
      minutes: number;
      debounceMs: number;
      onError: (error: unknown) => void;
    },
  ) {}

  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, this.deps.debounceMs);
    this.timer.unref?.();
  }

  /**
   * Recomputes now (in the worker pool when the node wires it so: a search over every
   * residential building must not hold the alarm path); nothing while the road graph is not
   * built. One run at a time: a change during a run makes one more run after it.
   */
  async run(): Promise<FireStationCoverage | null> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const router = this.deps.router();
    if (!router) return null;
    this.running = (async () => {
      try {
        this.last = await fireStationCoverage(router, this.deps.sites(), this.deps.minutes, new Date(this.deps.now()).toISOString());
        this.deps.apply(this.last);
      } catch (error) {
        this.deps.onError(error);
      }
      return this.last;
    })();
    try {
      return await this.running;
    } finally {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
