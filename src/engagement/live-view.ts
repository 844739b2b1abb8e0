import { holds, liveView, withData, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { noticeErrorForStaff } from '../platform/notices.js';
import { can } from '../platform/policy.js';
import type { EngagementEvents } from './events.js';
import { ENGAGEMENT_ROLES } from './routes.js';

/**
 * `engagement.*` on the live feed: to engagement staff who may read the owner organisation's
 * data, as GET /api/engagement shows them — never a participant's sealed contact nor a personal link's hash.
 */
export function engagementLiveView(): LiveView {
  const staff: LiveProjector = (p, e) => (holds(p, ENGAGEMENT_ROLES) && can(p, 'read', { orgId: e.orgId }) ? e : null);
  const contribution: LiveProjector = (p, e) => {
    if (!staff(p, e)) return null;
    const { followHash: _f, ...contribution } = (e.data as EngagementEvents['engagement.contribution.received']).contribution;
    return withData(e, { contribution, contact: null });
  };
  const grievance: LiveProjector = (p, e) => {
    if (!staff(p, e)) return null;
    const { followHash: _f, ...grievance } = (e.data as EngagementEvents['engagement.grievance.filed']).grievance;
    return withData(e, { grievance, contact: null });
  };
  // A peer's refusal can quote the participant's address or push endpoint: the feed gets it as the lists give it.
  const noticeFailed: LiveProjector = (p, e) => {
    if (!staff(p, e)) return null;
    const d = e.data as EngagementEvents['engagement.notice.failed'];
    return withData(e, { ...d, error: noticeErrorForStaff(d.error) ?? '' });
  };
  return liveView('engagement.', {
    'engagement.stakeholder.registered': staff,
    'engagement.stakeholder.updated': staff,
    'engagement.relation.added': staff,
    'engagement.interaction.logged': staff,
    'engagement.consultation.drafted': staff,
    'engagement.consultation.published': staff,
    'engagement.consultation.closed': staff,
    'engagement.contribution.received': contribution,
    'engagement.consultation.decided': staff,
    'engagement.grievance.filed': grievance,
    'engagement.grievance.acknowledged': staff,
    'engagement.grievance.resolved': staff,
    'engagement.notice.sent': staff,
    'engagement.notice.failed': noticeFailed,
  } satisfies Record<keyof EngagementEvents, LiveProjector>);
}
