import type { ExchangeConfig } from '../kernel/config.js';
import type { IncidentsService } from '../incidents/index.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import type { HospitalsReadPort } from './contract.js';
import { ExchangeService, type ExchangeDeps } from './exchange-service.js';
import { ExchangeState } from './exchange-state.js';
import { exchangeRoutes } from './routes.js';

export { ExchangeService } from './exchange-service.js';
export { ExchangeState } from './exchange-state.js';
export * as edxlDe from './edxl/edxl-de.js';
export * as sitRep from './edxl/sitrep.js';
export * as edxlRm from './edxl/rm.js';
export * as edxlHave from './edxl/have.js';
export { readIncidentMessage } from './incident-message.js';

export interface ExchangeCapability extends Capability {
  service: ExchangeService;
  /** Hospital availability for the command map and the choice of a destination for casualties. */
  hospitals: HospitalsReadPort;
}

/**
 * Exchange with other agencies: EDXL-DE envelopes over an AMQP link to a partner agency's hub
 * (incidents shared with the partner go out, the partner's come in), EDXL-SitRep from
 * incidents, EDXL-RM between organisations, EDXL-HAVE hospital availability.
 * The link runs on the node that leads (one sender, one consumer per cluster) and only under `serve`.
 */
export function createExchangeCapability(
  ctx: AppContext,
  deps: {
    incidents: IncidentsService;
    orgs(): readonly { id: string; name: string }[];
    orgName(orgId: string): string | null;
    importCap?: ExchangeDeps['importCap'];
    shareRights(fromOrgId: string, toOrgId: string): 'read' | 'act' | null;
    config?: ExchangeConfig;
  },
): ExchangeCapability {
  const config = deps.config ?? ctx.config.exchange;
  let service: ExchangeService | null = null;
  const state = new ExchangeState({
    agency: config.agency,
    partnerOrgId: () => service?.partnerOrgId() ?? null,
    shareRights: deps.shareRights,
    incident: (id) => deps.incidents.state.incidents.get(id),
  });
  service = new ExchangeService(ctx, state, deps, config);
  const svc = service;
  const follow = (leader: boolean): void => {
    if (leader) svc.startLink();
    else void svc.stopLink();
  };
  return {
    name: 'exchange',
    projections: [state],
    routes: exchangeRoutes(svc),
    service: svc,
    hospitals: svc.hospitalsPort,
    async listen() {
      if (!config.amqpUrl) return;
      ctx.leadership.onChange(follow);
      if (ctx.leadership.isLeader()) svc.startLink();
    },
    async stop() {
      await svc.stopLink();
    },
  };
}
