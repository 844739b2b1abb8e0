import type { Role } from '../platform/access.js';
import type { IdentityService } from './identity-service.js';
import { hashPassword } from './credentials.js';
import type { OrgKind } from './model.js';
import type { ShareRights } from '../platform/policy.js';

/** The organisations of the demo city (Monaco). Private companies are fictitious. */
export const DEMO_ORGS: readonly { key: string; name: string; kind: OrgKind; platform?: boolean }[] = [
  { key: 'city', name: 'Monaco City Safety Office', kind: 'city', platform: true },
  { key: 'police', name: 'Monaco Public Safety Police', kind: 'police' },
  { key: 'fire', name: 'Monaco Fire and Rescue', kind: 'fire' },
  { key: 'marc', name: 'Riviera Alarm Monitoring (demo MARC)', kind: 'monitoring' },
  { key: 'security', name: 'Portier Private Security (demo)', kind: 'security' },
  { key: 'events', name: 'Harbour Events Ltd (demo organiser)', kind: 'event-organiser' },
];

/** One user per role; all share the demo password. Listed in the README. */
export const DEMO_USERS: readonly { username: string; org: string; roles: Role[]; displayName: string; does: string }[] = [
  { username: 'admin', org: 'city', roles: ['admin'], displayName: 'Camille Admin', does: 'administers the platform: organisations, users, keys, sharing' },
  { username: 'operator', org: 'marc', roles: ['operator'], displayName: 'Olivia Operator', does: 'handles alarms in the monitoring centre' },
  {
    username: 'supervisor',
    org: 'marc',
    roles: ['supervisor', 'operator'],
    displayName: 'Sam Supervisor',
    does: 'supervises the monitoring centre, reads the audit trail',
  },
  { username: 'alert-officer', org: 'city', roles: ['alert-officer'], displayName: 'Alex Alert-Officer', does: 'writes and approves public alerts' },
  { username: 'duty-officer', org: 'city', roles: ['alert-officer'], displayName: 'Dana Duty-Officer', does: 'approves public alerts as the second person' },
  { username: 'commander', org: 'police', roles: ['commander'], displayName: 'Chris Commander', does: 'commands incidents and major events' },
  { username: 'responder', org: 'fire', roles: ['responder'], displayName: 'Robin Responder', does: 'a firefighter in the field' },
  { username: 'guard', org: 'security', roles: ['responder'], displayName: 'Gabriel Guard', does: 'a private guard answering alarms' },
  { username: 'steward', org: 'events', roles: ['responder'], displayName: 'Stella Steward', does: 'a steward at a major event (sees least)' },
  { username: 'analyst', org: 'city', roles: ['analyst'], displayName: 'Ana Analyst', does: 'reads the city cockpit' },
  { username: 'csirt', org: 'city', roles: ['csirt'], displayName: 'Cyril CSIRT', does: "the city CERT's analyst" },
];

/** Who shares data with whom in the demo: [from, to]. */
/** Who shares with whom in the demo city: 'read' to see, 'act' to also operate (never configure). */
const DEMO_SHARES: readonly [string, string, ShareRights][] = [
  // The police take over the alarms the monitoring centre escalates to them.
  ['marc', 'police', 'act'],
  ['marc', 'city', 'read'],
  ['fire', 'city', 'read'],
  ['police', 'city', 'read'],
  ['security', 'police', 'read'],
  ['events', 'police', 'read'],
  ['events', 'fire', 'read'],
  // The fire service's units are dispatched from the police-run command room too.
  ['fire', 'police', 'act'],
];

export async function seedDemoIdentity(service: IdentityService, password: string): Promise<{ orgIds: Record<string, string>; users: number }> {
  const orgIds = await seedDemoOrgs(service);
  return { orgIds, users: await seedDemoUsers(service, orgIds, password) };
}

/** The demo organisations alone: what the city import needs while the users' passwords are still being hashed. */
export async function seedDemoOrgs(service: IdentityService): Promise<Record<string, string>> {
  const orgIds: Record<string, string> = {};
  for (const o of DEMO_ORGS) orgIds[o.key] = (await service.createOrg({ name: o.name, kind: o.kind, platform: o.platform ?? false }, 'system')).id;
  return orgIds;
}

/**
 * One user per role and the organisations' sharing agreements; returns the number of users. They share the
 * published demo password, so one Argon2 hash of it serves them all (eleven would cost a first start ~0.3–1 s of CPU).
 */
export async function seedDemoUsers(service: IdentityService, orgIds: Record<string, string>, password: string): Promise<number> {
  const passwordHash = hashPassword(password);
  await Promise.all(
    DEMO_USERS.map((u) =>
      service.createUser({ username: u.username, orgId: orgIds[u.org]!, roles: u.roles, displayName: u.displayName, password }, 'system', passwordHash),
    ),
  );
  const admin = service.resolvePrincipalOf('admin');
  for (const [from, to, rights] of DEMO_SHARES) {
    await service.grantShare({ fromOrgId: orgIds[from]!, toOrgId: orgIds[to]!, note: 'demo city agreement', rights }, admin);
  }
  return DEMO_USERS.length;
}
