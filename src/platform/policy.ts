import { VigilError, notFound } from '../kernel/errors.js';
import type { Principal } from './access.js';

/**
 * THE policy: who may read and act on what, decided in one place.
 *
 * A route's role gate (`config.access`, src/platform/access.ts) says which roles may call
 * it at all; this module says, for a principal holding such a role, whether it may perform
 * an action on a resource given the principal's relation to the organisation that owns the
 * resource. Both must allow. Services take the principal and ask `assertCan` / `filterVisible`,
 * so HTTP, the live feed, exports and command-line tools get the same answer.
 *
 * Relations (principal → owner organisation of a resource):
 *   own          the principal's organisation owns it
 *   shared-act   the owner shared with the principal's organisation with rights 'act'
 *   shared-read  the owner shared with rights 'read' (the default)
 *   unrelated    none of the above (and every relation of the public principal)
 *   city-wide    the resource belongs to no organisation (`orgId: null`): OSM import,
 *                population, cockpit statistics and agreements, city settings
 *
 * Actions:
 *   read      see the resource                               own, shared-act, shared-read; city-wide: any signed-in principal
 *   act       operate on it: acknowledge/handle an alarm,    own, shared-act; city-wide: the platform organisation
 *             incident status/messages/close, unit
 *             status/position, dispatch, raise alarms
 *   manage    configure it: alarm accounts, devices, zones,  own only; city-wide: the platform organisation
 *             plans, cameras, rules, users, keys, shares
 *   personal  read personal data inside it (keyholders,      own only; shared-act also reads the classes in
 *             caller identity, "need help" places,           PERSONAL_NEEDED_TO_ACT (keyholders, caller) — what a
 *             attachments, alert subscribers)                partner handling the case needs to call people
 *
 * Security-confidential resources (`confidential: 'security'`: vulnerability findings, cyber-security
 * cases and what they hold) do not travel with shares, participation or the city-wide rule: beyond
 * its owner organisation only the city's CSIRT (role `csirt`) reads and acts on them, because an
 * unpatched siren or an open attack is a map for an attacker. Only the owner manages them.
 *
 * Unrelated principals get nothing: a single item answers 404 not_found (its existence is
 * not leaked), lists are filtered. A principal that may read but not act gets 403 forbidden.
 */

export const POLICY_ACTIONS = ['read', 'act', 'manage', 'personal'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export type Relation = 'own' | 'shared-act' | 'shared-read' | 'unrelated' | 'city-wide';

/** Rights an organisation grants another with a share: see its data, or see it and operate on it. */
export const SHARE_RIGHTS = ['read', 'act'] as const;
export type ShareRights = (typeof SHARE_RIGHTS)[number];

/** Classes of personal data a resource may hold (for action 'personal'). */
export type PersonalDataClass = 'keyholders' | 'caller' | 'places' | 'attachments' | 'subscribers' | 'reporter' | 'participants';

/** Personal data a shared-act partner reads because it cannot act without it. */
export const PERSONAL_NEEDED_TO_ACT: readonly PersonalDataClass[] = ['keyholders', 'caller'];

/** What the policy needs to know about a resource. */
export interface PolicyResource {
  /** Owner organisation; null for city-wide data. */
  orgId: string | null;
  /**
   * Organisations taking part in the resource beyond its owner (e.g. organisations
   * assigned to an incident, or the one that opened it before a hand-over): they read
   * and act on it as if it were shared with 'act', never manage it.
   */
  participantOrgIds?: readonly (string | null)[];
  /** For 'personal': which class of personal data (default: treated as not needed to act). */
  personal?: PersonalDataClass;
  /** Security-confidential: owner organisation and the city's CSIRT only (see above). */
  confidential?: 'security';
}

export interface Decision {
  allow: boolean;
  relation: Relation;
  reason: string;
}

/** How a principal relates to the organisation owning a resource. */
export function relationOf(p: Principal, resource: PolicyResource): Relation {
  if (p.kind === 'public') return resource.orgId === null ? 'city-wide' : 'unrelated';
  if (resource.orgId === null) return 'city-wide';
  if (p.orgId !== null && p.orgId === resource.orgId) return 'own';
  if (p.orgId !== null && resource.participantOrgIds?.includes(p.orgId)) return 'shared-act';
  if (p.actableOrgIds.has(resource.orgId)) return 'shared-act';
  if (p.visibleOrgIds.has(resource.orgId)) return 'shared-read';
  return 'unrelated';
}

/** The decision for one action on one resource, with the reason shown when it is refused. */
export function decide(p: Principal, action: PolicyAction, resource: PolicyResource): Decision {
  const relation = relationOf(p, resource);
  const yes = (reason: string): Decision => ({ allow: true, relation, reason });
  const no = (reason: string): Decision => ({ allow: false, relation, reason });
  if (resource.confidential === 'security') return decideSecurityConfidential(p, action, relation, yes, no);
  if (relation === 'city-wide') {
    if (p.kind === 'public') return no('sign in to see city-wide data');
    if (action === 'read') return yes('city-wide data is readable by every signed-in principal');
    return p.platformOrg ? yes("the platform organisation keeps the city's data") : no("only the city's platform organisation changes city-wide data");
  }
  switch (relation) {
    case 'own':
      return yes('owned by your organisation');
    case 'unrelated':
      return no('not owned by nor shared with your organisation');
    case 'shared-read':
      return action === 'read'
        ? yes('shared with your organisation for reading')
        : no('it belongs to another organisation, shared with yours for reading only');
    case 'shared-act':
      if (action === 'read' || action === 'act') return yes('shared with your organisation to act on');
      if (action === 'personal' && resource.personal && PERSONAL_NEEDED_TO_ACT.includes(resource.personal)) {
        return yes(`a partner acting on it reads the ${resource.personal} it needs`);
      }
      return no(
        action === 'manage'
          ? 'it belongs to another organisation: only its owner configures it'
          : 'it belongs to another organisation: its personal data stays there',
      );
  }
}

/** The CSIRT reads and acts on every organisation's security data; nobody else beyond the owner sees it. */
function decideSecurityConfidential(
  p: Principal,
  action: PolicyAction,
  relation: Relation,
  yes: (reason: string) => Decision,
  no: (reason: string) => Decision,
): Decision {
  if (p.kind === 'public') return no('security data is not public');
  const csirt = p.roles.includes('csirt');
  const owner = relation === 'own' || (relation === 'city-wide' && p.platformOrg);
  if (owner) return yes('security data of your organisation');
  if (csirt && (action === 'read' || action === 'act')) return yes("the city's CSIRT handles every organisation's security data");
  return no(
    csirt
      ? 'security data of another organisation: its owner configures it and keeps its personal data'
      : 'security data stays with its owner organisation and the city CSIRT',
  );
}

/** Whether the principal may perform the action; for conditions and field filtering. */
export function can(p: Principal, action: PolicyAction, resource: PolicyResource): boolean {
  return decide(p, action, resource).allow;
}

/**
 * Throws unless the principal may perform the action: `not_found` (naming `what` and `id`)
 * when it may not even read the resource, so existence is not leaked; `forbidden` otherwise.
 */
export function assertCan(p: Principal, action: PolicyAction, resource: PolicyResource, what: string, id: string): void {
  const d = decide(p, action, resource);
  if (d.allow) return;
  if (action !== 'read' && can(p, 'read', resource)) {
    throw new VigilError('forbidden', `${what} ${id}: ${d.reason}`, { what, id, action, relation: d.relation });
  }
  throw notFound(what, id);
}

/** The items the principal may perform `action` on (default: read), order kept. */
export function filterVisible<T>(
  p: Principal,
  items: Iterable<T>,
  resourceOf: (item: T) => PolicyResource | string | null,
  action: PolicyAction = 'read',
): T[] {
  const out: T[] = [];
  for (const item of items) {
    const r = resourceOf(item);
    if (can(p, action, typeof r === 'object' && r !== null ? r : { orgId: r })) out.push(item);
  }
  return out;
}

/** The resource of city-wide data (no owner organisation). */
export const CITY_WIDE: PolicyResource = Object.freeze({ orgId: null });

/** Shorthand: may the principal read data owned by `orgId` (null = city-wide)? */
export const canRead = (p: Principal, orgId: string | null): boolean => can(p, 'read', { orgId });
