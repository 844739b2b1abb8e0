import { VigilError } from './errors.js';

/**
 * Tuning variables read where they are used (pool sizes, limits): one table, so a
 * node checks them all when it starts (`checkTuning`, from loadConfig) and stops with
 * a clear message on a bad value, instead of running with a silent default.
 */
export const TUNING = {
  VIGIL_WORKER_THREADS: { min: 1, max: 32, fallback: null },
  VIGIL_WORKER_IDLE_MS: { min: 1_000, max: 86_400_000, fallback: 60_000 },
  /** Niceness of the worker-pool threads (Linux: per thread): heavy work yields the cores to the alarm path. */
  VIGIL_WORKER_NICE: { min: 0, max: 19, fallback: 10 },
  /**
   * Niceness the DC-09 receiver thread asks for relative to the node (0: the node's; below 0 needs
   * CAP_SYS_NICE or an RLIMIT_NICE that allows it, e.g. systemd's LimitNICE=; refused: it keeps the node's).
   */
  VIGIL_DC09_RECEIVER_NICE: { min: -20, max: 0, fallback: 0 },
  /**
   * Real-time priority (SCHED_FIFO, 1–99) the DC-09 receiver thread and its journal writer — the ACK path —
   * ask for when they start (0: none, they run at VIGIL_DC09_RECEIVER_NICE). Needs CAP_SYS_NICE or an
   * RLIMIT_RTPRIO that allows it (systemd: LimitRTPRIO=, Docker: --ulimit rtprio=); refused, they keep their
   * niceness and /api/health says why.
   */
  VIGIL_DC09_RECEIVER_RT_PRIORITY: { min: 0, max: 99, fallback: 10 },
  /**
   * Niceness the node lowers itself by once the DC-09 receiver thread listens — its main thread (HTTP, MQTT
   * broker, projections, recording) and every other thread but the receiver and its journal writer — so the
   * ACK path runs ahead of it without privileges (Linux: niceness is per thread; 0: not lowered). Threads and
   * processes started after inherit it.
   */
  VIGIL_MAIN_NICE: { min: 0, max: 19, fallback: 10 },
  /**
   * Niceness of the DC-09 UDP listener's own thread relative to the receiver thread: datagrams are read,
   * rate-checked and quarantine-checked there, below the thread that answers TCP panels, and only admitted
   * ones are handed to the receiver (0: at the receiver's niceness).
   */
  VIGIL_DC09_UDP_NICE: { min: 0, max: 19, fallback: 5 },
  /**
   * Strikes after which a DC-09 source address is quarantined (0: never): a refused frame is one strike, each
   * KiB of bytes that belonged to no frame (junk, oversized frames) one more. Strikes leak at this many a
   * minute, so an address whose panels send a bad frame now and then is never quarantined.
   */
  VIGIL_DC09_QUARANTINE_STRIKES: { min: 0, max: 1_000_000, fallback: 200 },
  /** Seconds a quarantined address stays refused: its connections closed at accept, its datagrams dropped unread. */
  VIGIL_DC09_QUARANTINE_S: { min: 1, max: 86_400, fallback: 300 },
  /** Frames journalled (ACKed) but not yet in the log above which, for over 5 s, the receiver raises its technical alarm. */
  VIGIL_DC09_BACKLOG_ALARM_FRAMES: { min: 1, max: 10_000_000, fallback: 10_000 },
  VIGIL_CAP_VALIDATORS: { min: 1, max: 64, fallback: 2 },
  /** MiB of CAP documents one user may import by upload a minute (validation and reading cost CPU by the byte; 429 beyond). */
  VIGIL_CAP_IMPORT_MIB_PER_MIN: { min: 1, max: 1024, fallback: 16 },
  VIGIL_VOICE_RENDERERS: { min: 1, max: 64, fallback: 2 },
  VIGIL_PDF_PAGES: { min: 1, max: 64, fallback: 2 },
  VIGIL_SQLITE_GROUP: { min: 1, max: 10_000, fallback: 64 },
  /** The largest artefact a CSIRT case takes (captures, firmware images), streamed to the node's disk. */
  VIGIL_CSIRT_MAX_ARTEFACT_BYTES: { min: 1024, max: 2 ** 50, fallback: 256 * 1024 * 1024 },
  /** Days a closed CSIRT case keeps its artefacts before they are erased (0: until erased by hand). */
  VIGIL_CSIRT_ARTEFACT_RETENTION_DAYS: { min: 0, max: 36_500, fallback: 365 },
  VIGIL_OSM_MAX_UPLOAD_BYTES: { min: 1024, max: 2 ** 50, fallback: 512 * 1024 * 1024 },
  VIGIL_OSM_MAX_DECOMPRESSED_BYTES: { min: 1024, max: 2 ** 50, fallback: 4 * 1024 ** 3 },
  VIGIL_OSM_MAX_NODES: { min: 1, max: 2 ** 40, fallback: 30_000_000 },
  VIGIL_OSM_MAX_WAYS: { min: 1, max: 2 ** 40, fallback: 5_000_000 },
  VIGIL_OSM_MAX_RELATIONS: { min: 1, max: 2 ** 40, fallback: 500_000 },
  /** A JSON body above this many bytes (or of unknown length) is large: it needs a slot (src/api/large-bodies.ts). */
  VIGIL_LARGE_BODY_BYTES: { min: 1024, max: 2 ** 31, fallback: 256 * 1024 },
  /** Large bodies one caller (a user, an API key; an address when anonymous) may send at once. */
  VIGIL_LARGE_BODIES_PER_CALLER: { min: 1, max: 1_000, fallback: 2 },
  /** Large bodies the node reads at once from everyone. */
  VIGIL_LARGE_BODIES_AT_ONCE: { min: 1, max: 10_000, fallback: 4 },
  /** Body limit of POST /api/routing/coverage: 200 000 points at full precision are about 13 MB of JSON. */
  VIGIL_COVERAGE_BODY_BYTES: { min: 1024, max: 2 ** 31, fallback: 16 * 1024 * 1024 },
  /** Body limit of POST /api/routing/evacuation: 20 000 origins with names are about 6 MB of JSON. */
  VIGIL_EVACUATION_BODY_BYTES: { min: 1024, max: 2 ** 31, fallback: 8 * 1024 * 1024 },
} as const satisfies Record<string, { min: number; max: number; fallback: number | null }>;

export type TuningName = keyof typeof TUNING;

/** Tuning variables that name one of a few ways of running, checked at start like the numbers above. */
export const TUNING_CHOICES = {
  /**
   * Where the DC-09 receiver runs: `thread` (its own worker thread with a durable journal,
   * docs/architecture.md) or `main` (the node's main thread). A cluster node (PostgreSQL)
   * always runs `main`: its replay ledger is claimed on the main thread.
   */
  VIGIL_DC09_RECEIVER: { choices: ['thread', 'main'], fallback: 'thread' },
} as const satisfies Record<string, { choices: readonly string[]; fallback: string }>;

export type TuningChoiceName = keyof typeof TUNING_CHOICES;

type Env = Record<string, string | undefined>;

function parse(name: TuningName, raw: string): number {
  const { min, max } = TUNING[name];
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new VigilError('bad_request', `${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

/** Throws a VigilError naming the first variable of the table whose value is not a whole number in its range. */
export function checkTuning(env: Env = process.env): void {
  for (const name of Object.keys(TUNING) as TuningName[]) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') parse(name, raw);
  }
  for (const name of Object.keys(TUNING_CHOICES) as TuningChoiceName[]) tuningChoice(name, env);
}

/** The value of a choice variable, or its default when unset; a value not among its choices throws. */
export function tuningChoice<N extends TuningChoiceName>(name: N, env: Env = process.env): (typeof TUNING_CHOICES)[N]['choices'][number] {
  const { choices, fallback } = TUNING_CHOICES[name];
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new VigilError('bad_request', `${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw as (typeof TUNING_CHOICES)[N]['choices'][number];
}

/** The value of a tuning variable, or its default when unset (a bad value throws: the start checked them already). */
export function tuning(name: TuningName, env: Env = process.env): number | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return TUNING[name].fallback;
  return parse(name, raw);
}
