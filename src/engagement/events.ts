import type { NewEvent } from '../platform/event-log.js';
import type { Consultation, Contribution, Decision, Grievance, InteractionKind, Relation, Stakeholder, StakeholderInput } from './model.js';

/** A value sealed under a personal-data key (platform/personal-data.ts `Sealed`). */
interface SealedValue {
  key: string;
  sealed: string;
}

/** Event payloads of engagement (type → data). */
export interface EngagementEvents {
  'engagement.stakeholder.registered': { stakeholder: Stakeholder };
  'engagement.stakeholder.updated': { stakeholderId: string; changes: Partial<StakeholderInput> };
  'engagement.relation.added': { relation: Relation };
  /** An interaction with a stakeholder written in its engagement log (a meeting, a call, a letter). */
  'engagement.interaction.logged': { stakeholderId: string; kind: InteractionKind; summary: string; at: string };
  'engagement.consultation.drafted': { consultation: Omit<Consultation, 'publishedAt' | 'closedAt' | 'decision'> };
  /** Its information is public from now on; it opens at opensAt. */
  'engagement.consultation.published': { consultationId: string };
  'engagement.consultation.closed': { consultationId: string };
  /** An answer from a stakeholder (recorded by staff) or from the public; the public participant's name and e-mail sealed (class `participant`). */
  'engagement.contribution.received': {
    contribution: Contribution;
    contact: SealedValue | null;
    /** Where to tell the participant the decision (e-mail, push subscription, follow token), sealed under the same key; when they asked. */
    notice?: SealedValue | null;
  };
  /** The decision, each contribution linked to it with how it affected it. */
  'engagement.consultation.decided': { consultationId: string; decision: Decision };
  'engagement.grievance.filed': { grievance: Omit<Grievance, 'acknowledgedAt' | 'resolvedAt' | 'response' | 'status'>; contact: SealedValue | null };
  'engagement.grievance.acknowledged': { grievanceId: string; note: string | null };
  'engagement.grievance.resolved': { grievanceId: string; response: string };
  /** The decision and how their answer counted was taken by the channel's peer for a participant who asked. */
  'engagement.notice.sent': { contributionId: string; noticeId: string; channel: 'email' | 'push' };
  /** A notice attempt failed; `final`: given up (refused for good, too many attempts, the participant's data erased). */
  'engagement.notice.failed': { contributionId: string; noticeId: string; channel: 'email' | 'push'; error: string; final: boolean };
}

export type EngagementEventType = keyof EngagementEvents;

export function engagementEvent<K extends EngagementEventType>(type: K, subject: string, orgId: string, actor: string, data: EngagementEvents[K]): NewEvent {
  return { type, subject, orgId, actor, data, reason: null };
}
