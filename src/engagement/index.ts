import type { FastifyPluginAsync } from 'fastify';
import type { AppContext, Capability } from '../platform/app-context.js';
import { engagementLiveView } from './live-view.js';
import { engagementRoutes } from './routes.js';
import { EngagementService, type EngagementDeps } from './service.js';
import { EngagementState } from './state.js';

export { EngagementService } from './service.js';
export { EngagementState } from './state.js';
export { ENGAGEMENT_ROLES } from './routes.js';
export type { EngagementDeps, EngagementOverview, StaffConsultation, StaffContribution, StaffGrievance } from './service.js';

export interface EngagementCapability extends Capability {
  service: EngagementService;
  state: EngagementState;
}

/**
 * Stakeholders and engagement (ITU-T Y Suppl. 34): the registry with its influence / interest
 * matrix and interaction map, consultations whose decision answers every contribution, grievances
 * with their times, and each stakeholder's engagement log.
 */
export function createEngagementCapability(ctx: AppContext, deps: EngagementDeps): EngagementCapability {
  const state = new EngagementState();
  const service = new EngagementService(ctx, state, deps);
  const routes: FastifyPluginAsync = engagementRoutes(ctx, service);
  return { name: 'engagement', projections: [state], routes, liveViews: [engagementLiveView()], service, state };
}
