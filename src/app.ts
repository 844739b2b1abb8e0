import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { destination as pinoDestination, pino } from 'pino';
import { openEventBus } from './adapters/streams/open-bus.js';
import { openEventLog, openKeyVault } from './adapters/stores/open-store.js';
import { buildApiServer, type ApiServer } from './api/server.js';
import { Metrics, typeLabel } from './api/metrics.js';
import { repoRoot, type VigilConfig } from './kernel/config.js';
import { SecretBox, loadSecretKey } from './kernel/secrets.js';
import { SecretMasker, configuredSecrets } from './kernel/redact.js';
import { vapidKeys } from './alerts/index.js';
import { systemClock } from './kernel/time.js';
import type { AppContext } from './platform/app-context.js';
import type { EventBus } from './platform/event-bus.js';
import { SingleNodeLeadership, type Leadership } from './platform/leadership.js';
import type { SharedFileStore } from './platform/shared-files.js';
import type { ReplayLedger } from './platform/replay-ledger.js';
import { PostgresHeardCheckpoint } from './adapters/stores/postgres/postgres-heard-checkpoint.js';
import { FileHeardCheckpoint } from './adapters/stores/file-heard-checkpoint.js';
import type { HeardCheckpointStore } from './platform/heard-checkpoint.js';
import type { EventLog, NewEvent, StoredEvent } from './platform/event-log.js';
import type { KeyVault } from './platform/key-vault.js';
import { PersonalData } from './platform/personal-data.js';
import { ProjectionRunner } from './platform/projection.js';
import { Reactions } from './platform/reactions.js';
import { closeWorkerPool } from './platform/heavy/worker-pool.js';
import { lowerNodeExcept } from './platform/thread-priority.js';
import { tuning } from './kernel/tuning.js';
import { pdfPrinter } from './adapters/pdf/print-pdf.js';
import { seedDemo } from './demo/seed-demo.js';
import { demoSeedRefusal, publishedPasswordRefusal } from './demo/demo-guard.js';
import { startDemoSinks, wantsDemoSinks, type DemoSinks } from './demo/demo-sinks.js';
import { VigilError } from './kernel/errors.js';
import { createCapabilities } from './capabilities.js';
import type { OpenOptions, Vigil } from './vigil.js';

export type { OpenOptions, Vigil } from './vigil.js';

export const VERSION: string = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** Opens the stores and rebuilds state; no listener. Used by the CLI and by `serve`. */
export async function openVigil(config: VigilConfig, options: OpenOptions = {}): Promise<Vigil> {
  // Secrets never reach the logs: URL credentials and every configured secret are masked in each line as it is written.
  const masker = new SecretMasker(configuredSecrets(config));
  const logger =
    options.logger ??
    pino(
      { level: config.logLevel, base: { node: config.nodeId }, hooks: { streamWrite: (line) => masker.apply(line) } },
      options.logDestination ?? pinoDestination(1),
    );
  const metrics = new Metrics(config.nodeId);
  const log: EventLog = await openEventLog(config, options.pgSchema ? { pgSchema: options.pgSchema } : undefined);
  let bus: EventBus;
  try {
    bus = await openEventBus(config, { streamName: options.streamName, subjectPrefix: options.subjectPrefix });
  } catch (error) {
    await log.close();
    throw error;
  }
  const projections = new ProjectionRunner(log);
  const secret = loadSecretKey(config.secretKey, join(config.dataDir, 'secret.key'));
  const secrets = new SecretBox(secret.key);
  masker.add(secret.key.toString('hex'), secret.key.toString('base64'), vapidKeys(secrets).privateKey);
  let vault: KeyVault;
  try {
    vault = await openKeyVault(config, secrets, options.pgSchema ? { pgSchema: options.pgSchema } : undefined);
  } catch (error) {
    await bus.close();
    await log.close();
    throw error;
  }
  // A cluster's nodes share the DC-09 replay memory; a single node's own memory is enough.
  // Likewise the files too large for the log (CSIRT artefacts): in the cluster's store, or on this node's disk only.
  let replayLedger: ReplayLedger | undefined;
  let sharedFiles: SharedFileStore | undefined;
  if (config.databaseUrl) {
    try {
      const clock = options.clock ?? systemClock;
      // Loaded only for a PostgreSQL store: the pg driver is not worth its start-up time on a SQLite node.
      const { PostgresReplayLedger } = await import('./adapters/stores/postgres/postgres-replay-ledger.js');
      replayLedger = await PostgresReplayLedger.open(config.databaseUrl, options.pgSchema ?? 'vigil', { now: () => clock.now() });
      const { PostgresSharedFiles } = await import('./adapters/stores/postgres/postgres-shared-files.js');
      sharedFiles = await PostgresSharedFiles.open(config.databaseUrl, options.pgSchema ?? 'vigil', { now: () => clock.now() });
    } catch (error) {
      await replayLedger?.close();
      await vault.close();
      await bus.close();
      await log.close();
      throw error;
    }
  }
  // The supervision heard state: the cluster's (the leader saves, the next one reads) or the data folder's.
  let heardCheckpoints: HeardCheckpointStore;
  try {
    heardCheckpoints = config.databaseUrl
      ? await PostgresHeardCheckpoint.open(config.databaseUrl, options.pgSchema ?? 'vigil')
      : new FileHeardCheckpoint(join(config.dataDir, 'supervision-heard.bin'));
  } catch (error) {
    await sharedFiles?.close();
    await replayLedger?.close();
    await vault.close();
    await bus.close();
    await log.close();
    throw error;
  }
  if (config.databaseUrl && secret.source !== 'env') {
    logger.warn('VIGIL_SECRET_KEY is not set: this node seals secrets with its own key file; every node of a cluster needs the same VIGIL_SECRET_KEY');
  }
  const leadership: Leadership = config.databaseUrl
    ? new (await import('./adapters/stores/postgres/postgres-leadership.js')).PostgresLeadership({
        connectionString: config.databaseUrl,
        schema: options.pgSchema ?? 'vigil',
        onError: (error) => logger.warn({ err: error }, 'leadership connection'),
      })
    : new SingleNodeLeadership();
  leadership.onChange((leader) => logger.info({ leader }, leader ? 'this node now leads the alarm timers' : 'this node no longer leads the alarm timers'));
  // Set by `serve` once it listens (port 0 picks a free port).
  let listeningPort: number | null = null;
  const ctx: AppContext & { listeningOn(port: number): void } = {
    listeningOn: (port) => {
      listeningPort = port;
    },
    config,
    clock: options.clock ?? systemClock,
    log,
    bus,
    leadership,
    projections,
    logger,
    secrets,
    vault,
    personal: new PersonalData(vault, options.clock ?? systemClock),
    publicUrl: () => (config.publicUrl ?? `http://localhost:${listeningPort ?? config.port}`).replace(/\/$/, ''),
    record: (events) => record(ctx, metrics, events),
    reactions: new Reactions(),
    ...(replayLedger ? { replayLedger } : {}),
    ...(sharedFiles ? { sharedFiles } : {}),
    heardCheckpoints,
  };
  ctx.personal.recordWith(ctx.record);
  const capabilities = createCapabilities(ctx, metrics);
  for (const capability of capabilities.all) capability.projections?.forEach((p) => projections.register(p));
  const rebuilt = await projections.start();
  logger.info({ events: rebuilt.replayed, ms: Math.round(rebuilt.ms), store: log.backend, stream: bus.backend }, 'state rebuilt from the event log');
  for (const capability of capabilities.all) await capability.start?.();
  return {
    ctx,
    capabilities,
    metrics,
    async close() {
      for (const capability of [...capabilities.all].reverse()) await capability.stop?.();
      await leadership.stop();
      projections.stop();
      await bus.close();
      await vault.close();
      await replayLedger?.close();
      await sharedFiles?.close();
      await heardCheckpoints.close();
      await log.close();
      await closeWorkerPool();
      await pdfPrinter.close();
    },
  };
}

async function record(ctx: AppContext, metrics: Metrics, events: NewEvent[]): Promise<StoredEvent[]> {
  const stored = await ctx.log.append(events);
  for (const e of stored) metrics.eventsRecorded.inc({ type: typeLabel(e.type) });
  if (stored.length > 0) await ctx.projections.waitFor(stored[stored.length - 1]!.seq);
  const published = await Promise.allSettled(stored.map((e) => ctx.bus.publish(`events.${e.type}`, e)));
  const failed = published.filter((p) => p.status === 'rejected');
  if (failed.length > 0) {
    metrics.busPublishFailures.inc(failed.length);
    ctx.logger.warn({ failed: failed.length, reason: String((failed[0] as PromiseRejectedResult).reason) }, 'durable events not published on the stream');
  }
  return stored;
}

export interface RunningVigil extends Vigil {
  server: ApiServer;
  url: string;
  /** Resolves when the demo city loaded in the background is there (at once otherwise). */
  demoLoaded: Promise<void>;
  /** The demo's SMTP sink and SMSC (src/demo/demo-sinks.ts), null when this node has none. */
  demoSinks: DemoSinks | null;
}

/** `vigil serve`: open, load the demo city when the store is empty (refused where its published password is reachable), listen. */
export async function serveVigil(config: VigilConfig, options: OpenOptions = {}): Promise<RunningVigil> {
  // A demo node gets its own mail catcher, SMSC and CBC on loopback, so e-mail, SMS and cell broadcast really deliver.
  const sinks = wantsDemoSinks(config) ? await startDemoSinks(config) : null;
  if (sinks) config = { ...config, smtpUrl: config.smtpUrl ?? sinks.smtpUrl, smppUrl: config.smppUrl ?? sinks.smppUrl, cbcUrl: config.cbcUrl ?? sinks.cbcUrl };
  let vigil: Vigil;
  try {
    vigil = await openVigil(config, options);
  } catch (error) {
    await sinks?.close();
    throw error;
  }
  // The demo city: loaded before listening, or (vigil serve) after, with its progress on /api/health.
  let demo: 'loading' | 'ready' | 'failed' | null = null;
  let loadDemo: (() => Promise<void>) | null = null;
  try {
    if (config.demoOnEmpty && (await vigil.ctx.log.lastSeq()) === 0) {
      // Refused unless on loopback (demo-guard), so its published password is never reachable while it loads.
      const refusal = demoSeedRefusal(config);
      if (refusal) throw new VigilError('bad_request', refusal);
      if (options.demoInBackground) {
        demo = 'loading';
        loadDemo = async () => {
          try {
            await seedDemo(vigil, config);
            demo = 'ready';
          } catch (error) {
            demo = 'failed';
            vigil.ctx.logger.error({ err: error }, 'the demo city failed to load');
          }
        };
      } else await seedDemo(vigil, config);
    }
    const exposed = await publishedPasswordRefusal(vigil, config);
    if (exposed) throw new VigilError('bad_request', exposed);
    const server = await buildApiServer({
      ctx: vigil.ctx,
      metrics: vigil.metrics,
      capabilities: vigil.capabilities.all,
      resolvePrincipal: (source) => vigil.capabilities.identity.resolvePrincipal(source),
      version: VERSION,
      demo: () => demo,
      demoInbox: () => sinks?.inbox() ?? null,
      receiver: () => vigil.capabilities.alarms.receiverHealth(),
    });
    vigil.ctx.projections.onApplied((events) => server.hub.publish(events));
    await vigil.ctx.leadership.start();
    for (const capability of vigil.capabilities.all) await capability.listen?.();
    // The DC-09 receiver thread and its journal writer (the ACK path) listen at the node's priority: the rest of the node goes below them.
    const receiverThreads = vigil.capabilities.alarms.receiverThreads();
    const keep = [receiverThreads?.receiver, receiverThreads?.journalWriter].filter((t): t is number => typeof t === 'number');
    if (keep.length === 2) {
      // The DC-09 UDP listener's thread keeps its own niceness (VIGIL_DC09_UDP_NICE below the receiver), not the main thread's.
      if (typeof receiverThreads?.udpListener === 'number') keep.push(receiverThreads.udpListener);
      const lowered = lowerNodeExcept(tuning('VIGIL_MAIN_NICE') ?? 0, keep);
      if (lowered) vigil.ctx.logger.info(lowered, 'the node runs niced below its DC-09 receiver thread and journal writer (VIGIL_MAIN_NICE)');
    }
    const url = await server.app.listen({ port: config.port, host: config.host });
    vigil.ctx.listeningOn((server.app.server.address() as AddressInfo).port);
    vigil.ctx.logger.info({ url }, 'Vigil is serving');
    const demoLoaded = loadDemo ? loadDemo() : Promise.resolve();
    return {
      ...vigil,
      server,
      url,
      demoLoaded,
      demoSinks: sinks,
      async close() {
        server.hub.close();
        await server.app.close();
        await demoLoaded;
        await vigil.close();
        await sinks?.close();
      },
    };
  } catch (error) {
    await vigil.close();
    await sinks?.close();
    throw error;
  }
}
