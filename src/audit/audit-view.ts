import { redactData, type Principal } from '../platform/access.js';
import type { StoredEvent } from '../platform/event-log.js';
import { can, type PersonalDataClass } from '../platform/policy.js';

const WITHHELD = '[personal]';

/** Personal data inside events, per type: its class and the event's data without it. */
const PERSONAL_FIELDS: Readonly<Record<string, { personal: PersonalDataClass; without(data: Record<string, unknown>): unknown }>> = {
  'incidents.incident.opened': {
    personal: 'caller',
    without: (d) => ({ ...d, incident: { ...(d.incident as object), caller: WITHHELD } }),
  },
  'incidents.attachment.stored': { personal: 'attachments', without: (d) => ({ ...d, name: WITHHELD, type: WITHHELD }) },
  'alarms.keyholders.set': { personal: 'keyholders', without: (d) => ({ ...d, keyholders: WITHHELD }) },
  'alerts.delivery.acknowledged': { personal: 'places', without: (d) => ({ ...d, recipientId: WITHHELD }) },
  'alerts.subscriber.registered': { personal: 'subscribers', without: (d) => ({ subscriberId: d.subscriberId ?? WITHHELD, personal: WITHHELD }) },
  'alerts.subscriber.updated': { personal: 'subscribers', without: (d) => ({ subscriberId: d.subscriberId, personal: WITHHELD }) },
};

/** File bytes kept in the log itself: the audit view never carries them (fetch the file by id). */
const BYTES_FIELD: Readonly<Record<string, string>> = {
  'incidents.attachment.stored': 'base64',
  'majorevents.upload.stored': 'base64',
};

/**
 * Whether the principal may see this entry of the audit trail: identity events only
 * for the admins of the organisation concerned (the platform's for no organisation),
 * major events' only inside their owner (their items carry finer clearances), every
 * other event where the policy lets the principal read the owning organisation's data.
 */
export function auditSees(p: Principal, e: Pick<StoredEvent, 'type' | 'orgId'>): boolean {
  if (e.type.startsWith('identity.')) return p.roles.includes('admin') && can(p, 'manage', { orgId: e.orgId });
  if (e.type.startsWith('majorevents.')) return p.orgId !== null && p.orgId === e.orgId;
  return can(p, 'read', { orgId: e.orgId });
}

/** The entry as the principal sees it: secrets and file bytes removed, personal fields withheld unless the policy's `personal` allows. */
export function auditEntry(p: Principal, e: StoredEvent): StoredEvent {
  let data = e.data as Record<string, unknown>;
  const bytes = BYTES_FIELD[e.type];
  if (bytes && data !== null && typeof data === 'object' && bytes in data) data = { ...data, [bytes]: null };
  const personal = PERSONAL_FIELDS[e.type];
  if (personal && data !== null && typeof data === 'object' && !can(p, 'personal', { orgId: e.orgId, personal: personal.personal })) {
    data = personal.without(data) as Record<string, unknown>;
  }
  return { ...e, data: redactData(data) };
}
