import type { DestinationStream, Logger } from 'pino';
import type { Metrics } from './api/metrics.js';
import type { Capabilities } from './capabilities.js';
import type { Clock } from './kernel/time.js';
import type { AppContext } from './platform/app-context.js';

/**
 * The platform assembled: stores and stream chosen by configuration, every
 * capability's projections rebuilt from the log, then the HTTP API on top.
 * This file is the table of contents of a running Vigil node.
 */
export interface Vigil {
  ctx: AppContext & { listeningOn(port: number): void };
  capabilities: Capabilities;
  metrics: Metrics;
  close(): Promise<void>;
}

export interface OpenOptions {
  logger?: Logger;
  /** Where the node's own logger writes (default stdout); tests capture the log lines here. */
  logDestination?: DestinationStream;
  clock?: Clock;
  /** Test isolation: PostgreSQL schema and NATS stream/subject prefix of this instance. */
  pgSchema?: string;
  streamName?: string;
  subjectPrefix?: string;
  /**
   * `vigil serve`: load the demo city after the node listens (GET /api/health says `demo: loading`,
   * then `ready`), so a fresh data folder answers at once. Default (tests): before listening.
   */
  demoInBackground?: boolean;
}
