import type { Principal } from '../platform/access.js';
import type { CityReadPort } from '../city/contract.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { join } from 'node:path';
import { tuning } from '../kernel/tuning.js';
import { ArtefactStore } from './artefact-store.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { Subscription } from '../platform/event-bus.js';
import { DEFAULT_ARTEFACT_RETENTION_DAYS, DEFAULT_MAX_ARTEFACT_FILE_BYTES, type CsirtEvents } from './contract.js';
import { CsirtService, type FindingsPort } from './csirt-service.js';
import { CsirtState } from './csirt-state.js';
import { SecurityIntake } from './intake.js';
import { csirtLiveView } from './live-view.js';
import { csirtRoutes } from './routes.js';
import { SyslogServer, type SyslogPorts } from './syslog-server.js';
import '../alarms/contract.js';
import { hostOf } from './rules.js';

/** Receiver refusals recorded a second per source address; the rest are only counted (by the receiver and as dropped here). */
const REFUSALS_PER_SOURCE_PER_SECOND = 50;

export { CsirtService, type CaseInput, type CaseView, type FindingsPort } from './csirt-service.js';
export { CsirtState } from './csirt-state.js';
export { ArtefactStore } from './artefact-store.js';
export { SecurityIntake } from './intake.js';
export { parseSyslog, formatSyslog5424, SyslogFramer, type SyslogMessage } from './syslog.js';
export { caseToStix, caseToMisp, stixIndicators } from './exchange.js';

export interface CsirtCapability extends Capability {
  service: CsirtService;
  intake: SecurityIntake;
  /** The syslog listeners' ports once `listen` ran (null: off). */
  syslogPorts: SyslogPorts;
}

/**
 * The city CSIRT desk: security events in (syslog, JSON over HTTP, Vigil's own refusals and
 * failed sign-ins), rules raising deduplicated alerts, cases, advisories, STIX/MISP exchange.
 */
export function createCsirtCapability(
  ctx: AppContext,
  deps: {
    city: CityReadPort;
    orgName(orgId: string): string | null;
    actorName(actor: string): string;
    /** A user's display name by username (null: no such user). */
    displayName?(username: string): string | null;
    findings?: FindingsPort;
    /** Whether the principal may read the incident a case names (none wired: a case names no incident). */
    incidentVisible?(incidentId: string, by: Principal): boolean;
  },
): CsirtCapability {
  const state = new CsirtState();
  const store = new ArtefactStore(join(ctx.config.dataDir, 'csirt', 'artefacts'), tuning('VIGIL_CSIRT_MAX_ARTEFACT_BYTES') ?? DEFAULT_MAX_ARTEFACT_FILE_BYTES);
  const retentionDays = tuning('VIGIL_CSIRT_ARTEFACT_RETENTION_DAYS') ?? DEFAULT_ARTEFACT_RETENTION_DAYS;
  const service = new CsirtService(ctx, state, deps, deps.findings ?? null, store, retentionDays);
  const intake = new SecurityIntake(ctx, deps.city, ctx.config.syslog.perSourcePerSecond);
  const syslog = new SyslogServer(ctx.config.syslog, intake, ctx.logger, () => ctx.clock.now());
  // The receiver's refusals (DC-09 frames, MQTT clients) are only counted there: here they become security events.
  ctx.reactions.on('alarms.security-refusal', (r) => {
    // Per address (not per port), and fewer than syslog: a flood of forged frames costs counters, not the log.
    const source = r.remote ? (r.kind === 'mqtt-refused' ? r.remote : hostOf(r.remote)) : 'receiver';
    if (!intake.admit(`refusal:${source}`, r.at, REFUSALS_PER_SOURCE_PER_SECOND)) return;
    return intake.add([intake.fromRefusal(r)]);
  });
  let retention: NodeJS.Timeout | null = null;
  let erasures: Subscription | null = null;
  const capability: CsirtCapability = {
    name: 'csirt',
    projections: [state],
    routes: csirtRoutes(service, intake),
    liveViews: [csirtLiveView()],
    service,
    intake,
    syslogPorts: { udp: null, tcp: null, tls: null },
    async start() {
      const { removedParts } = await store.open();
      if (removedParts > 0) ctx.logger.warn({ removedParts }, 'removed artefact uploads left unfinished by a stop');
      // Before any upload can arrive: files of artefacts erased while this node was stopped (or mid-erasure) go.
      const pruned = await service.pruneStore();
      if (pruned > 0) ctx.logger.info({ pruned }, 'removed the files of erased artefacts');
      // An erasure recorded by any node: this node's cached copy goes too (every node hears it, no group).
      erasures = await ctx.bus.subscribe<StoredEvent>('events.csirt.case.artefact-erased', async ({ payload: e }) => {
        const { sha256 } = e.data as CsirtEvents['csirt.case.artefact-erased'];
        await service.dropCached(e.seq, sha256).catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not drop an erased artefact'));
      });
      service.start();
      retention = setInterval(() => {
        if (!ctx.leadership.isLeader()) return;
        service
          .runArtefactRetention()
          .then(() => service.pruneShared())
          .catch((error: unknown) => ctx.logger.warn({ err: error }, 'artefact retention'));
      }, ctx.config.retentionEveryMs);
      retention.unref();
    },
    async listen() {
      capability.syslogPorts = await syslog.listen();
    },
    async stop() {
      if (retention) clearInterval(retention);
      await erasures?.unsubscribe();
      await syslog.stop();
      await intake.flush();
    },
  };
  return capability;
}
