import type { FastifyPluginAsync } from 'fastify';
import type { AppContext, Capability } from '../platform/app-context.js';
import { noticeSenderFor, type NoticeSender } from '../platform/notices.js';
import type { DataSubjectHolder } from '../platform/personal-data.js';
import { engagementLiveView } from './live-view.js';
import { engagementRoutes } from './routes.js';
import { EngagementService, type EngagementDeps } from './service.js';
import { EngagementState, type DueDecisionNotice } from './state.js';

export { EngagementService } from './service.js';
export { EngagementState } from './state.js';
export { ENGAGEMENT_ROLES } from './routes.js';
export type { EngagementDeps, EngagementOverview, StaffConsultation, StaffContribution, StaffGrievance } from './service.js';

export interface EngagementCapability extends Capability {
  service: EngagementService;
  state: EngagementState;
  /** Participants and complainants found by the e-mail they gave (privacy: export and erasure). */
  dataSubjects: DataSubjectHolder;
  /** Tells participants who asked the decision and how their answer counted (durable, retried). */
  notices: NoticeSender<DueDecisionNotice>;
}

/**
 * Stakeholders and engagement (ITU-T Y Suppl. 34): the registry with its influence / interest
 * matrix and interaction map, consultations whose decision answers every contribution, grievances
 * with their times, and each stakeholder's engagement log.
 */
export function createEngagementCapability(ctx: AppContext, deps: EngagementDeps): EngagementCapability {
  const state = new EngagementState();
  const service = new EngagementService(ctx, state, deps);
  const notices = noticeSenderFor('engagement', ctx, deps.messenger ?? null, () => state.dueNotices.values(), service);
  const routes: FastifyPluginAsync = engagementRoutes(ctx, service);
  return {
    name: 'engagement',
    projections: [state],
    routes,
    liveViews: [engagementLiveView()],
    service,
    state,
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
