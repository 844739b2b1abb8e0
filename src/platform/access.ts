/**
 * Who may do what. Every HTTP route declares the roles allowed to call it
 * (`config.access`); the API layer enforces it before the handler runs, and a test
 * walks every route × role to prove the matrix (src/api/access-matrix.test.ts).
 */
export const ROLES = [
  'operator', // alarm operator in the monitoring centre
  'supervisor', // monitoring-centre / control-room supervisor
  'alert-officer', // authors and approves public alerts
  'commander', // incident / major-event commander
  'responder', // first responder, private guard, steward
  'analyst', // city cockpit (KPIs, benchmarks, agreements)
  'csirt', // city CERT / CSIRT analyst
  'admin', // platform administrator of an organisation
] as const;
export type Role = (typeof ROLES)[number];

/** Roles whose users must sign in with a second factor (TOTP or passkey); without one they are sent to enrol it. */
export const HIGH_PRIVILEGE_ROLES: readonly Role[] = ['admin', 'supervisor', 'alert-officer', 'commander', 'csirt'];

/**
 * Authentication level reached by a principal: 0 public (no credentials),
 * 1 password or API key, 2 password + second factor.
 */
export type AuthLevel = 0 | 1 | 2;

export interface Principal {
  kind: 'public' | 'user' | 'apikey';
  /** 'user:<id>', 'apikey:<id>' or 'public' — written as `actor` on events. */
  actor: string;
  userId: string | null;
  orgId: string | null;
  roles: Role[];
  authLevel: AuthLevel;
  displayName: string;
  /** Organisations whose data this principal may see (own + those that shared with it). */
  visibleOrgIds: ReadonlySet<string>;
  /** Organisations this principal may act on (own + those that shared with it with rights 'act'); a subset of visibleOrgIds. */
  actableOrgIds: ReadonlySet<string>;
  /** Whether the principal belongs to the city's platform organisation (keeper of city-wide data). */
  platformOrg: boolean;
  /** A session that may only enrol a second factor (a high-privilege user without one); see src/api/server.ts. */
  enrolmentOnly?: boolean;
}

/** What a request offers to prove who it is: its headers (cookie, bearer, API key) and address. */
export interface CredentialSource {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
}

export const PUBLIC_PRINCIPAL: Principal = {
  kind: 'public',
  actor: 'public',
  userId: null,
  orgId: null,
  roles: [],
  authLevel: 0,
  displayName: 'public',
  visibleOrgIds: new Set(),
  actableOrgIds: new Set(),
  platformOrg: false,
};

/**
 * A route's access rule. `roles: 'public'` admits everyone, `'authenticated'` any
 * signed-in principal, a list admits principals holding at least one of the roles.
 * `minAuthLevel: 2` demands a completed second factor.
 */
export interface RouteAccess {
  roles: 'public' | 'authenticated' | readonly Role[];
  minAuthLevel?: AuthLevel;
}

export const ALL_ROLES: readonly Role[] = ROLES;

export function isAllowed(access: RouteAccess, p: Principal): boolean {
  if (access.roles === 'public') return true;
  if (p.kind === 'public') return false;
  if ((access.minAuthLevel ?? 1) > p.authLevel) return false;
  if (access.roles === 'authenticated') return true;
  return access.roles.some((r) => p.roles.includes(r));
}

/** Keys whose values never leave the server, even though (hashed/encrypted) they sit in the log. */
const SECRET_KEY = /hash|secret|token|password|salt/i;

/** A copy of an event's data with secret material removed, for anything sent to clients. */
export function redactData(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(redactData);
  if (data === null || typeof data !== 'object') return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redactData(v);
  return out;
}
