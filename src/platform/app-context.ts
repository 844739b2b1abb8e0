import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { VigilConfig } from '../kernel/config.js';
import type { SecretBox } from '../kernel/secrets.js';
import type { Clock } from '../kernel/time.js';
import type { EventBus } from './event-bus.js';
import type { EventLog, NewEvent, StoredEvent } from './event-log.js';
import type { KeyVault } from './key-vault.js';
import type { Leadership } from './leadership.js';
import type { PersonalData } from './personal-data.js';
import type { LiveView } from './live-view.js';
import type { Projection, ProjectionRunner } from './projection.js';
import type { Reactions } from './reactions.js';
import type { HeardCheckpointStore } from './heard-checkpoint.js';
import type { ReplayLedger } from './replay-ledger.js';
import type { SharedFileStore } from './shared-files.js';

/** What every capability receives: configuration, time, the log, the stream. */
export interface AppContext {
  config: VigilConfig;
  clock: Clock;
  log: EventLog;
  bus: EventBus;
  /** Whether this node performs the cluster's singleton duties (alarm timers). */
  leadership: Leadership;
  projections: ProjectionRunner;
  logger: Logger;
  /** Seals secrets written to the log (TOTP seeds, panel keys). */
  secrets: SecretBox;
  /**
   * How devices and people reach this node (links in messages, voice files):
   * VIGIL_PUBLIC_URL, else localhost on the port the node really listens on.
   */
  publicUrl(): string;
  /** Keys of personal data sealed in the log, one per person; shredding one erases that person (key-vault.ts). */
  vault: KeyVault;
  /** Seals each record of personal data under its own key in `vault` (personal-data.ts); retention shreds them. */
  personal: PersonalData;
  /**
   * The one way state changes: append durably to the log, wait until local
   * projections reflect the events (read-your-writes), then publish each on the bus
   * as `events.<type>` for processors. The log is the truth; a failed publish is
   * logged and counted, never turned into a lost fact.
   */
  record(events: NewEvent[]): Promise<StoredEvent[]>;
  /** Typed in-process reactions between capabilities (reactions.ts): producers emit, handlers are declared where they act. */
  reactions: Reactions;
  /**
   * On a cluster (PostgreSQL), the replay memory every node shares (replay-ledger.ts): a DC-09
   * frame accepted by one node is refused by the others. Absent on the embedded single node.
   */
  replayLedger?: ReplayLedger;
  /**
   * On a cluster (PostgreSQL), files every node serves (shared-files.ts): CSIRT artefacts too
   * large for the log. Absent on the embedded single node, whose data folder keeps them.
   */
  sharedFiles?: SharedFileStore;
  /** Where the supervision heard state is saved (heard-checkpoint.ts): the data folder's SQLite, or the cluster's PostgreSQL. */
  heardCheckpoints?: HeardCheckpointStore;
}

/**
 * A capability (identity, audit, city, alarms, alerts, …) plugs into the platform
 * with its projections, its HTTP routes (a Fastify plugin; every route declares
 * `config.access`) and optional background work.
 */
export interface Capability {
  readonly name: string;
  readonly projections?: readonly Projection[];
  readonly routes?: FastifyPluginAsync;
  /**
   * How its events travel on the live feed (src/platform/live-view.ts): per event type, what a
   * principal receives. Types it does not declare are sent to nobody.
   */
  readonly liveViews?: readonly LiveView[];
  start?(): Promise<void>;
  /** Network listeners of its own (e.g. the alarm receiver); only `vigil serve` opens them. */
  listen?(): Promise<void>;
  stop?(): Promise<void>;
}
