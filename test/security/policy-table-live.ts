import { OWNER_OF, RELATIONS, type Relation, type Role, type World } from './policy-fixtures.js';
import { MAY, mayAsCsirt, type Action } from './policy-table-routes.js';

export interface LiveEvent {
  type: string;
  orgId: string | null;
  data: Record<string, unknown>;
}
export interface LiveMessage {
  type: string;
  events?: LiveEvent[];
}

const ALL: readonly Role[] = ['operator', 'supervisor', 'alert-officer', 'commander', 'responder', 'analyst', 'csirt', 'admin'];
const ALARM_VIEW: readonly Role[] = ['operator', 'supervisor', 'commander', 'admin'];
const STEWARDS: readonly Role[] = ['supervisor', 'admin'];
const UNIT_VIEW: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'admin'];
const INC_VIEW: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'alert-officer', 'admin'];
const INC_COMMS: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'admin'];
const ALERT_VIEW: readonly Role[] = ['alert-officer', 'admin', 'commander', 'analyst'];
const OFFICER_ADMIN: readonly Role[] = ['alert-officer', 'admin'];
const CSIRT_READERS: readonly Role[] = ['csirt', 'admin', 'supervisor'];

/**
 * The live views, by hand: for each kind of event the seed writes in every organisation,
 * which roles receive it (the roles of the HTTP route showing the same item), under which
 * action of the rules, and what it must not carry. `city` views reach every signed-in
 * principal whatever the owner.
 */
export interface LiveRow {
  name: string;
  type: string;
  match?(e: LiveEvent): boolean;
  roles: readonly Role[];
  action: Action | 'city';
  /** A problem with what was received, or null. */
  check?(e: LiveEvent, rel: Relation): string | null;
}

const carries = (e: LiveEvent, s: string): boolean => JSON.stringify(e.data).includes(s);

export const liveTable: LiveRow[] = [
  { name: 'devices', type: 'city.devices.registered', roles: ALL, action: 'read' },
  { name: 'zones', type: 'city.zones.defined', roles: ALL, action: 'read' },
  {
    name: 'alarm account',
    type: 'alarms.account.configured',
    roles: STEWARDS,
    action: 'read',
    check: (e) => ('keySecret' in e.data ? 'carries the key field' : null),
  },
  { name: 'keyholders', type: 'alarms.keyholders.set', roles: ALARM_VIEW, action: 'personal-to-act' },
  // A raise travels inside the signal's event (one event per frame; older logs: alarms.alarm.raised).
  {
    name: 'alarm',
    type: 'alarms.signal.received',
    match: (e) => (e.data.decision as { rule?: string } | undefined)?.rule === 'raised',
    roles: ALARM_VIEW,
    action: 'read',
  },
  { name: 'action plan', type: 'alarms.plan.defined', roles: ALARM_VIEW, action: 'read' },
  { name: 'unit', type: 'units.unit.registered', roles: UNIT_VIEW, action: 'read' },
  {
    name: 'incident',
    type: 'incidents.incident.opened',
    roles: INC_VIEW,
    action: 'read',
    check: (e, rel) => (!MAY['personal-to-act'][rel] && carries(e, 'Camille Caller') ? "carries the caller's identity" : null),
  },
  {
    name: 'internal message',
    type: 'incidents.message.posted',
    match: (e) => e.data.channel === 'internal',
    roles: INC_COMMS,
    action: 'act',
  },
  { name: 'public message', type: 'incidents.message.posted', match: (e) => e.data.channel === 'public', roles: INC_VIEW, action: 'read' },
  {
    name: 'attachment',
    type: 'incidents.attachment.stored',
    roles: INC_COMMS,
    action: 'personal',
    check: (e) =>
      typeof e.data.base64 === 'string' || carries(e, Buffer.from('attachment bytes').toString('base64').slice(0, 12)) ? 'carries the bytes' : null,
  },
  { name: 'alert', type: 'alerts.alert.drafted', roles: ALERT_VIEW, action: 'read' },
  { name: 'early-warning rule', type: 'alerts.rule.defined', roles: ALERT_VIEW, action: 'read' },
  {
    name: 'webhook',
    type: 'alerts.webhook.registered',
    roles: OFFICER_ADMIN,
    action: 'manage',
    check: (e) => (carries(e, 'hooks.example.org') || carries(e, 'secret') ? 'carries the URL or secret' : null),
  },
  { name: 'imported alert', type: 'alerts.alert.imported', roles: ALERT_VIEW, action: 'read' },
  {
    name: 'trusted signer',
    type: 'alerts.signer.trusted',
    roles: OFFICER_ADMIN,
    action: 'manage',
    check: (e) => (carries(e, 'BEGIN PUBLIC KEY') ? 'carries the key' : null),
  },
  { name: 'feed subscription', type: 'alerts.feed.subscribed', roles: OFFICER_ADMIN, action: 'manage' },
  { name: 'crowd zone', type: 'crowd.zone.defined', roles: UNIT_VIEW, action: 'read' },
  { name: 'crowd gate', type: 'crowd.gate.defined', roles: UNIT_VIEW, action: 'read' },
  { name: 'major event', type: 'majorevents.event.created', roles: ['commander', 'responder', 'supervisor', 'operator', 'admin'], action: 'event' },
  { name: 'road closure', type: 'routing.closure.created', roles: ALL, action: 'city' },
  {
    name: 'API key',
    type: 'identity.apikey.created',
    roles: ['admin'],
    action: 'manage',
    check: (e) => (carries(e, 'keyHash') && !carries(e, '[redacted]') ? 'carries the hash' : null),
  },
  {
    // A device's MQTT credential (mqtt lane): that it was issued, to those who manage the device; never the secret nor its hash.
    name: 'MQTT credential',
    type: 'city.mqtt-credential.issued',
    roles: STEWARDS,
    action: 'manage',
    check: (e) => (carries(e, 'vmq_') || carries(e, 'hash') || carries(e, '$argon2') ? 'carries the secret or its hash' : null),
  },
  { name: 'CSIRT case', type: 'csirt.case.opened', roles: CSIRT_READERS, action: 'security' },
  { name: 'CSIRT advisory', type: 'csirt.advisory.sent', roles: CSIRT_READERS, action: 'security' },
  {
    // Citizen reports (open311 lane): to triage staff who read the responsible organisation's data; never the reporter nor the follow link's hash.
    name: 'citizen report',
    type: 'citizen-reports.report.submitted',
    roles: ['operator', 'supervisor', 'commander', 'responder', 'admin'],
    action: 'read',
    check: (e) => (carries(e, '@example.org') || carries(e, 'followHash') || carries(e, 'sealed') ? 'carries the reporter or the follow hash' : null),
  },
  // A work order's steps: to the triage staff who read the work order (the issuer's organisation and its shares, the assignee).
  { name: 'work order', type: 'citizen-reports.work-order.issued', roles: ['operator', 'supervisor', 'commander', 'responder', 'admin'], action: 'read' },
  // Engagement (engage lane): to its staff who read the owner's data; never a participant's contact nor a link's hash.
  { name: 'stakeholder', type: 'engagement.stakeholder.registered', roles: ['admin', 'analyst'], action: 'read' },
  {
    name: 'consultation answer',
    type: 'engagement.contribution.received',
    roles: ['admin', 'analyst'],
    action: 'read',
    check: (e) => (carries(e, '@example.org') || carries(e, 'followHash') || carries(e, 'sealed') ? 'carries the participant or the link hash' : null),
  },
  {
    name: 'user',
    type: 'identity.user.created',
    roles: ['admin'],
    action: 'manage',
    check: (e) => (carries(e, '$argon2') ? 'carries the password hash' : null),
  },
];

/** What a police user of `role` should have received of the seed, against what it did. */
/** `foreign`: the caller is not of the police (the city's csirt), unrelated to every owner. */
export function checkLive(w: World, role: Role, got: LiveEvent[], foreign = false): string[] {
  const problems: string[] = [];
  for (const row of liveTable) {
    for (const rel of RELATIONS) {
      const owner = w.orgId[OWNER_OF[rel]];
      const mine = got.filter((e) => e.type === row.type && (row.match?.(e) ?? true) && e.orgId === owner);
      const expected =
        row.roles.includes(role) && (row.action === 'city' ? true : MAY[row.action][foreign ? 'unrelated' : rel] || mayAsCsirt(row.action, role));
      if (mine.length > 0 !== expected) {
        problems.push(`live ${row.name} (${row.type}) to police/${role} on ${rel}: expected ${expected ? 'received' : 'not sent'}, got ${mine.length}`);
        continue;
      }
      for (const e of mine) {
        const p = row.check?.(e, rel);
        if (p) problems.push(`live ${row.name} to police/${role} on ${rel}: ${p}`);
      }
    }
  }
  // Deny by default: nothing of the unrelated organisation, except city-wide events.
  const unrelated = w.orgId[OWNER_OF.unrelated];
  const cityTypes = new Set(liveTable.filter((r) => r.action === 'city').map((r) => r.type));
  // The city's CSIRT handles every organisation's security data (its cases and advisories, `csirt.*`).
  const csirtSees = (type: string) => mayAsCsirt('security', role) && type.startsWith('csirt.');
  for (const e of got)
    if (e.orgId === unrelated && !cityTypes.has(e.type) && !csirtSees(e.type)) problems.push(`live ${e.type} of the unrelated organisation to police/${role}`);
  return problems;
}
