import type { Principal } from '../platform/access.js';
import { SECOND_FACTOR_FROM, levelName, type Clearance, type Guidance, type MajorEvent, type Visibility } from './model.js';
import { can } from '../platform/policy.js';

/** How a principal stands in one event: the level it acts at and, when capped, why. */
export interface Standing {
  /** 0: not a participant (sees nothing of the event). */
  level: 0 | Clearance;
  levelName: string;
  /** The level the principal would have with a second factor, when the session caps it. */
  cappedFrom: Clearance | null;
  reason: string | null;
  eventRole: string | null;
  orgId: string | null;
  userId: string | null;
}

const NONE = (p: Principal, reason: string): Standing => ({
  level: 0,
  levelName: 'none',
  cappedFrom: null,
  reason,
  eventRole: null,
  orgId: p.orgId,
  userId: p.userId,
});

/**
 * The level a principal acts at in an event: its organisation must participate;
 * a listed member has its own clearance, everyone else of the organisation the
 * organisation's default; never above the organisation's maximum; and the levels
 * from SECOND_FACTOR_FROM need a second factor, else one level below.
 */
export function standingIn(event: MajorEvent, p: Principal): Standing {
  if (p.kind === 'public' || !p.orgId) return NONE(p, 'not signed in');
  // The organisation part goes through the policy (owner, participants); clearance then refines it.
  if (!can(p, 'read', { orgId: event.ownerOrgId, participantOrgIds: event.participants.map((x) => x.orgId) }))
    return NONE(p, 'your organisation does not take part in this event');
  const participant = event.participants.find((x) => x.orgId === p.orgId);
  if (!participant) return NONE(p, 'your organisation does not take part in this event');
  const member = p.userId ? event.members.find((m) => m.userId === p.userId) : undefined;
  const granted = Math.min(member?.clearance ?? participant.defaultClearance, participant.maxClearance) as Clearance;
  const base = { eventRole: member?.eventRole ?? null, orgId: p.orgId, userId: p.userId };
  if (granted >= SECOND_FACTOR_FROM && p.authLevel < 2) {
    const level = (SECOND_FACTOR_FROM - 1) as Clearance;
    return {
      ...base,
      level,
      levelName: levelName(level),
      cappedFrom: granted,
      reason: `${levelName(granted)} level needs a second factor; this session was opened without one, so you act at ${levelName(level)} level`,
    };
  }
  return { ...base, level: granted, levelName: levelName(granted), cappedFrom: null, reason: null };
}

/** Whether someone standing so in the event may see an item (feature, message, upload). */
export function canSeeItem(s: Standing, item: Visibility): boolean {
  if (s.level === 0 || s.level < item.minClearance) return false;
  return item.sharedWith === null || item.orgId === s.orgId || (s.orgId !== null && item.sharedWith.includes(s.orgId));
}

/** Guidance reaches the users and organisations it was sent to; the sender's officers follow who acknowledged. */
export function canSeeGuidance(s: Standing, g: Guidance): boolean {
  if (s.level === 0) return false;
  if (s.userId !== null && g.toUserIds.includes(s.userId)) return true;
  if (s.orgId !== null && g.toOrgIds.includes(s.orgId)) return true;
  return s.orgId === g.senderOrgId && s.level >= 3;
}

export const isRecipient = (s: Standing, g: Guidance): boolean =>
  s.level > 0 && ((s.userId !== null && g.toUserIds.includes(s.userId)) || (s.orgId !== null && g.toOrgIds.includes(s.orgId)));
