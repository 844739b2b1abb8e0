import type { FastifyPluginAsync } from 'fastify';
import type { CityReadPort } from '../city/contract.js';
import { bboxContains, type Position } from '../kernel/geo.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { noticeSenderFor, type NoticeSender } from '../platform/notices.js';
import type { DataSubjectHolder } from '../platform/personal-data.js';
import { citizenReportsLiveView } from './live-view.js';
import { apiKeysOf, open311Routes } from './open311-routes.js';
import { CitizenReportsService, type CitizenReportsDeps } from './reports-service.js';
import { ReportsState, type DueReportNotice } from './reports-state.js';
import { citizenReportsRoutes } from './routes.js';
import type { RequestContext } from './rules.js';
import { workOrderRoutes } from './work-order-routes.js';
import { WorkOrders } from './work-orders.js';

export { CitizenReportsService } from './reports-service.js';
export { ReportsState } from './reports-state.js';
export { WorkOrders } from './work-orders.js';
export type { CitizenReportsDeps } from './reports-service.js';

export interface CitizenReportsCapability extends Capability {
  service: CitizenReportsService;
  state: ReportsState;
  /** Work orders issued from reports (assigned → in progress → done or cancelled). */
  workOrders: WorkOrders;
  /** Reporters found by the e-mail or phone they gave (privacy: export and erasure). */
  dataSubjects: DataSubjectHolder;
  /** Tells reporters who asked that their report was resolved, merged or turned into an incident (durable, retried). */
  notices: NoticeSender<DueReportNotice>;
}

/**
 * Citizen reports: an Open311 GeoReport v2 server (/open311/v2/), the reporter's
 * personal follow link, and triage by the responsible organisation (acknowledge,
 * merge, turn into an incident or a work order, resolve with a public note).
 */
export function createCitizenReportsCapability(ctx: AppContext, deps: CitizenReportsDeps & { city: CityReadPort }): CitizenReportsCapability {
  const state = new ReportsState();
  const service = new CitizenReportsService(ctx, state, deps);
  const workOrders = new WorkOrders(ctx, state, service);
  const apiKeys = apiKeysOf(ctx.config.open311ApiKeys);
  const context = (): RequestContext => ({
    jurisdictionId: ctx.config.open311Jurisdiction,
    apiKeys,
    inCity: (p: Position) => {
      const city = deps.city.city;
      if (!city) return true;
      const [w, s, e, n] = city.bbox;
      // A margin of about 500 m around the city's box: a report from its edge is still the city's.
      return bboxContains([w - 0.006, s - 0.0045, e + 0.006, n + 0.0045], p);
    },
    locate: (address: string) => locateAddress(deps.city, address),
  });
  const notices = noticeSenderFor('citizen-reports', ctx, deps.messenger ?? null, () => state.dueNotices.values(), service);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(open311Routes(ctx, service, context));
    await app.register(citizenReportsRoutes(service));
    await app.register(workOrderRoutes(workOrders));
  };
  return {
    name: 'citizen-reports',
    projections: [state],
    routes,
    liveViews: [citizenReportsLiveView(state)],
    service,
    state,
    workOrders,
    dataSubjects: service.dataSubjects,
    notices,
    // Notices are sent by the leading node of a `vigil serve` (what is due is rebuilt from the log after a restart).
    async listen() {
      notices.start();
    },
    async stop() {
      await notices.stop();
    },
  };
}

/** An address string to the city model's site with that address (or name), case and accents ignored. */
function locateAddress(city: CityReadPort, address: string): { position: Position; address: string } | null {
  const norm = (s: string): string =>
    s
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  const wanted = norm(address);
  if (wanted.length < 3) return null;
  let best: { position: Position; address: string } | null = null;
  for (const site of city.sites.values()) {
    const label = site.address ?? site.name;
    if (!label) continue;
    const n = norm(label);
    if (n === wanted) return { position: site.position, address: label };
    if (!best && n.startsWith(wanted)) best = { position: site.position, address: label };
  }
  return best;
}
