/** The public face of identity: organisations, users, sessions, API keys, sharing; the event map; what others may read. */
export * from './model.js';

import type { OrgKind } from './model.js';
import type { Principal, Role } from '../platform/access.js';

/** What other capabilities may ask of identity (names for people and organisations, never secrets). */
export interface IdentityReadPort {
  orgName(orgId: string): string | null;
  /** Every organisation's id, name and kind (other capabilities name organisations to people). */
  orgs(): readonly { id: string; name: string; kind: OrgKind }[];
  /** The organisation that speaks for the city (owner of public alerts), if one is marked so. */
  platformOrgId(): string | null;
  /** An enabled user by sign-in name. */
  userByName(username: string): { userId: string; orgId: string; displayName: string } | null;
  usernameOf(userId: string): string | null;
  /** Every user's id, display name and organisation (screens name people; the directory filters by the policy). */
  users(): readonly { id: string; displayName: string; orgId: string }[];
  /** A machine acting for an organisation with some of its roles (webhook subscriptions): null when the organisation is gone. */
  principalForOrg(orgId: string, roles: readonly Role[], actor: string, displayName: string): Principal | null;
  /** The roles checked as an API key's: none the caller neither holds nor may grant; throws otherwise. */
  checkDelegatedRoles(roles: readonly string[], by: Principal): Role[];
}
