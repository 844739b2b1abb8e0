import type { Role } from '../platform/access.js';
import type { ShareRights } from '../platform/policy.js';

/** Kinds of organisation that take part in a city's safety. */
export const ORG_KINDS = ['city', 'police', 'fire', 'ems', 'monitoring', 'security', 'event-organiser', 'utility', 'other'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export interface Org {
  id: string;
  name: string;
  kind: OrgKind;
  /** The platform's own organisation (the city): its admins administer every organisation. */
  platform: boolean;
  createdAt: string;
}

export interface User {
  id: string;
  username: string;
  orgId: string;
  roles: Role[];
  displayName: string;
  passwordHash: string;
  /** Base32 TOTP secret once enrolment started; `totpEnabled` once a code confirmed it. */
  totpSecret: string | null;
  totpEnabled: boolean;
  disabled: boolean;
  createdAt: string;
}

export interface Session {
  id: string;
  userId: string;
  tokenHash: string;
  authLevel: 1 | 2;
  expiresAt: number;
}

export interface ApiKey {
  id: string;
  orgId: string;
  name: string;
  roles: Role[];
  keyHash: string;
  /** First characters of the key, shown so people can tell keys apart. */
  prefix: string;
  createdBy: string;
  createdAt: string;
  revoked: boolean;
}

/**
 * `fromOrgId` lets `toOrgId` see its data ('read') or see and operate on it ('act'; never
 * configure it). Sharing is explicit and one-directional. The policy (src/platform/policy.ts) applies it.
 */
export interface Share {
  id: string;
  fromOrgId: string;
  toOrgId: string;
  rights: ShareRights;
  note: string;
  createdAt: string;
}

/** Event payloads of the identity capability (type → data). */
export interface IdentityEvents {
  'identity.org.created': { orgId: string; name: string; kind: OrgKind; platform: boolean };
  'identity.user.created': { userId: string; username: string; orgId: string; roles: Role[]; displayName: string; passwordHash: string };
  'identity.user.roles-changed': { userId: string; roles: Role[] };
  'identity.user.password-changed': { userId: string; passwordHash: string };
  'identity.user.disabled': { userId: string };
  'identity.user.enabled': { userId: string };
  'identity.totp.enrolment-started': { userId: string; totpSecret: string };
  'identity.totp.enabled': { userId: string };
  'identity.session.started': { sessionId: string; userId: string; tokenHash: string; authLevel: 1 | 2; expiresAt: number; ip: string };
  'identity.session.ended': { sessionId: string; userId: string };
  'identity.login.failed': { username: string; ip: string; problem: string };
  'identity.apikey.created': { keyId: string; orgId: string; name: string; roles: Role[]; keyHash: string; prefix: string };
  'identity.apikey.revoked': { keyId: string };
  /** `rights` absent on events written before shares had rights: 'read'. Granted again with the same shareId: rights changed. */
  'identity.share.granted': { shareId: string; fromOrgId: string; toOrgId: string; note: string; rights?: ShareRights };
  'identity.share.revoked': { shareId: string };
}
