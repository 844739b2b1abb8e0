import { forbidden } from '../kernel/errors.js';
import { ROLES, type Role } from '../platform/access.js';
import type { Org, OrgKind } from './model.js';

/**
 * The roles a member of an organisation may hold, by kind of organisation: its
 * ceiling. Nobody grants a role above it, not even the platform's administrators.
 * Alerting the public and the city's CERT are the city's business, so
 * `alert-officer` sits only under the ceilings of organisations that can be named an
 * alerting authority (city, police, fire, EMS, utility) and `csirt` only the city's.
 */
export const ROLE_CEILINGS: Readonly<Record<OrgKind, readonly Role[]>> = {
  city: ROLES,
  police: ['commander', 'supervisor', 'responder', 'operator', 'analyst', 'alert-officer', 'admin'],
  fire: ['commander', 'supervisor', 'responder', 'operator', 'analyst', 'alert-officer', 'admin'],
  ems: ['commander', 'supervisor', 'responder', 'operator', 'analyst', 'alert-officer', 'admin'],
  utility: ['operator', 'supervisor', 'responder', 'analyst', 'alert-officer', 'admin'],
  monitoring: ['operator', 'supervisor', 'responder', 'analyst', 'admin'],
  security: ['operator', 'supervisor', 'responder', 'admin'],
  'event-organiser': ['commander', 'supervisor', 'responder', 'operator', 'admin'],
  other: ['operator', 'responder', 'analyst', 'admin'],
};

/** Roles only an administrator of the platform organisation grants, whatever the ceiling allows. */
export const PLATFORM_GRANTED_ROLES: readonly Role[] = ['alert-officer', 'csirt'];

/** Who is granting: an administrator of the platform organisation, of the user's own organisation, or the command line. */
export type Grantor = 'platform-admin' | 'org-admin' | 'system';

/**
 * Refuses roles above the organisation's ceiling, and roles only the platform grants
 * when the grantor is not a platform administrator. `kept` are roles the person holds
 * already: an organisation's admin may leave them in place (and take them away).
 */
export function checkRoleCeiling(org: Org, roles: readonly Role[], grantor: Grantor, kept: readonly Role[] = []): void {
  const ceiling = ROLE_CEILINGS[org.kind];
  const above = roles.filter((r) => !ceiling.includes(r));
  if (above.length > 0) {
    throw forbidden(`${org.name} is a ${org.kind} organisation: its members may hold ${ceiling.join(', ')}; not ${above.join(', ')}`, {
      roles: above,
      ceiling,
    });
  }
  if (grantor !== 'org-admin') return;
  const platformOnly = roles.filter((r) => PLATFORM_GRANTED_ROLES.includes(r) && !kept.includes(r));
  if (platformOnly.length > 0) {
    throw forbidden(`only an administrator of the platform organisation grants ${platformOnly.join(', ')}`, { roles: platformOnly, ceiling });
  }
}

/**
 * An API key never exceeds its creator: its roles are ones the creator holds or may
 * grant a person of that organisation (an admin could give them to a user anyway).
 * So an organisation's admin mints no alert-officer key without being one, and no
 * key climbs above the organisation's ceiling.
 */
export function checkKeyWithinCreator(org: Org, keyRoles: readonly Role[], creatorRoles: readonly Role[], grantor: Grantor): void {
  checkRoleCeiling(org, keyRoles, 'system');
  const mayGrant = (r: Role): boolean => grantor !== 'org-admin' || !PLATFORM_GRANTED_ROLES.includes(r);
  const reach = ROLE_CEILINGS[org.kind].filter((r) => creatorRoles.includes(r) || (creatorRoles.includes('admin') && mayGrant(r)));
  const above = keyRoles.filter((r) => !reach.includes(r));
  if (above.length > 0) {
    throw forbidden(
      `an API key cannot exceed its creator: you neither hold nor may grant ${above.join(', ')} (within your reach: ${reach.join(', ') || 'none'})`,
      {
        roles: above,
        ceiling: reach,
      },
    );
  }
}
