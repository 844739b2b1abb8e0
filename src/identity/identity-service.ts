import { authenticator } from 'otplib';
import { VigilError, badRequest, conflict, forbidden, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { PUBLIC_PRINCIPAL, ROLES, type CredentialSource, type Principal, type Role } from '../platform/access.js';
import { SHARE_RIGHTS, type ShareRights } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { API_KEY_PREFIX, MIN_PASSWORD_LENGTH, SESSION_COOKIE, decoyHash, hashPassword, newToken, readCookie, sha256, verifyPassword } from './credentials.js';
import { type IdentityState, LOGIN_WINDOW_MS } from './identity-state.js';
import { ORG_KINDS, type ApiKey, type IdentityEvents, type Org, type OrgKind, type Share, type User } from './model.js';

authenticator.options = { window: 1 }; // accept the previous and next 30 s step (clock drift)

export const MAX_FAILURES_PER_USER = 5;
export const MAX_FAILURES_PER_IP = 30;

export interface LoginResult {
  token: string;
  expiresAt: number;
  principal: Principal;
}

/** Public view of a user: never the password hash or TOTP secret. */
export interface UserView {
  id: string;
  username: string;
  orgId: string;
  roles: Role[];
  displayName: string;
  totpEnabled: boolean;
  disabled: boolean;
  createdAt: string;
}

export type ApiKeyView = Omit<ApiKey, 'keyHash'>;

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

function identityEvent<K extends keyof IdentityEvents>(
  type: K,
  subject: string,
  orgId: string | null,
  actor: string,
  data: IdentityEvents[K],
  reason?: string,
): NewEvent {
  return { type, subject, orgId, actor, data, reason: reason ?? null };
}

export function userView(u: User): UserView {
  return {
    id: u.id,
    username: u.username,
    orgId: u.orgId,
    roles: u.roles,
    displayName: u.displayName,
    totpEnabled: u.totpEnabled,
    disabled: u.disabled,
    createdAt: u.createdAt,
  };
}

/**
 * Organisations, users, sign-in, second factor, API keys and data sharing. Every
 * change is an `identity.*` event (so the audit trail records who created whom and
 * who signed in when); the state is the IdentityState projection.
 */
export class IdentityService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: IdentityState,
  ) {}

  platformOrgId(): string | null {
    return this.state.platformOrg()?.id ?? null;
  }

  listOrgs(): Org[] {
    return [...this.state.orgs.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async createOrg(input: { name: string; kind: OrgKind; platform?: boolean }, actor: Principal | 'system'): Promise<Org> {
    const platform = input.platform ?? false;
    if (actor !== 'system') this.requirePlatformAdmin(actor);
    if (!ORG_KINDS.includes(input.kind)) throw badRequest(`unknown organisation kind ${input.kind}`);
    const name = input.name.trim();
    if (!name) throw badRequest('an organisation needs a name');
    if ([...this.state.orgs.values()].some((o) => o.name.toLowerCase() === name.toLowerCase())) throw conflict(`an organisation named "${name}" exists`);
    if (platform && this.state.platformOrg()) throw conflict('the platform organisation exists already');
    const orgId = newId('org');
    await this.ctx.record([identityEvent('identity.org.created', `org:${orgId}`, orgId, actorOf(actor), { orgId, name, kind: input.kind, platform })]);
    return this.state.orgs.get(orgId)!;
  }

  listUsers(by: Principal): UserView[] {
    const all = [...this.state.users.values()];
    const mine = this.isPlatformAdmin(by) ? all : all.filter((u) => u.orgId === by.orgId);
    return mine.sort((a, b) => a.username.localeCompare(b.username)).map(userView);
  }

  async createUser(
    input: { username: string; orgId: string; roles: string[]; displayName?: string; password: string },
    actor: Principal | 'system',
  ): Promise<UserView> {
    const username = input.username.trim().toLowerCase();
    if (!USERNAME.test(username)) throw badRequest('a username is 2–64 characters: lowercase letters, digits, . _ -');
    if (this.state.usersByName.has(username)) throw conflict(`user ${username} exists`);
    if (!this.state.orgs.has(input.orgId)) throw notFound('organisation', input.orgId);
    if (actor !== 'system') this.requireOrgAdmin(actor, input.orgId);
    const roles = checkRoles(input.roles);
    if (input.password.length < MIN_PASSWORD_LENGTH) throw badRequest(`a password has at least ${MIN_PASSWORD_LENGTH} characters`);
    const userId = newId('usr');
    const passwordHash = await hashPassword(input.password);
    await this.ctx.record([
      identityEvent('identity.user.created', `user:${userId}`, input.orgId, actorOf(actor), {
        userId,
        username,
        orgId: input.orgId,
        roles,
        displayName: input.displayName?.trim() || username,
        passwordHash,
      }),
    ]);
    return userView(this.state.users.get(userId)!);
  }

  async setRoles(userId: string, roles: string[], by: Principal, reason?: string): Promise<UserView> {
    const user = this.userFor(userId, by);
    const checked = checkRoles(roles);
    if (user.id === by.userId && user.roles.includes('admin') && !checked.includes('admin')) throw badRequest('you cannot remove your own admin role');
    await this.ctx.record([identityEvent('identity.user.roles-changed', `user:${user.id}`, user.orgId, by.actor, { userId: user.id, roles: checked }, reason)]);
    return userView(user);
  }

  async setDisabled(userId: string, disabled: boolean, by: Principal, reason?: string): Promise<UserView> {
    const user = this.userFor(userId, by);
    if (user.id === by.userId) throw badRequest('you cannot disable yourself');
    const event = disabled
      ? identityEvent('identity.user.disabled', `user:${user.id}`, user.orgId, by.actor, { userId: user.id }, reason)
      : identityEvent('identity.user.enabled', `user:${user.id}`, user.orgId, by.actor, { userId: user.id }, reason);
    await this.ctx.record([event]);
    return userView(user);
  }

  /** Which of these users (enabled ones) still sign in with this password: a published one must not be served to the network. */
  async usersWithPassword(usernames: readonly string[], password: string): Promise<string[]> {
    const users = usernames.map((name) => this.state.usersByName.get(name.toLowerCase())).filter((u) => u !== undefined && !u.disabled);
    const matches = await Promise.all(users.map((u) => verifyPassword(u!.passwordHash, password)));
    return users.filter((_, i) => matches[i]).map((u) => u!.username);
  }

  async changePassword(by: Principal, current: string, next: string): Promise<void> {
    const user = by.userId ? this.state.users.get(by.userId) : undefined;
    if (!user) throw forbidden('only users have passwords');
    if (!(await verifyPassword(user.passwordHash, current))) throw new VigilError('unauthenticated', 'the current password is wrong');
    if (next.length < MIN_PASSWORD_LENGTH) throw badRequest(`a password has at least ${MIN_PASSWORD_LENGTH} characters`);
    const passwordHash = await hashPassword(next);
    await this.ctx.record([identityEvent('identity.user.password-changed', `user:${user.id}`, user.orgId, by.actor, { userId: user.id, passwordHash })]);
  }

  /**
   * Password sign-in. A user who enrolled a second factor must give the current
   * TOTP code too; the session then has authentication level 2. Five failures for a
   * username (or 30 from one address) within 15 minutes lock further attempts.
   */
  async login(input: { username: string; password: string; totp?: string }, ip: string): Promise<LoginResult> {
    const username = input.username.trim().toLowerCase();
    const now = this.ctx.clock.now();
    const byUser = this.state.recentFailures(this.state.failuresByUser, username, now);
    const byIp = this.state.recentFailures(this.state.failuresByIp, ip, now);
    if (byUser >= MAX_FAILURES_PER_USER || byIp >= MAX_FAILURES_PER_IP) {
      throw new VigilError('rate_limited', 'too many failed sign-ins; wait before trying again', { retryAfterSeconds: LOGIN_WINDOW_MS / 1000 });
    }
    const user = this.state.usersByName.get(username);
    const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
    const fail = async (problem: string, code: 'unauthenticated' | 'second_factor_required' = 'unauthenticated'): Promise<never> => {
      await this.ctx.record([
        identityEvent('identity.login.failed', `login:${username.slice(0, 64) || '-'}`, user?.orgId ?? null, 'public', {
          username: username.slice(0, 64),
          ip,
          problem,
        }),
      ]);
      throw new VigilError(
        code,
        code === 'unauthenticated' ? 'wrong username or password' : 'enter the code of your authenticator app',
        code === 'second_factor_required' ? { secondFactor: 'totp' } : undefined,
      );
    };
    if (!user || !passwordOk) return fail(user ? 'wrong password' : 'unknown user');
    if (user.disabled) return fail('user disabled');
    let authLevel: 1 | 2 = 1;
    if (user.totpEnabled && user.totpSecret) {
      // Asking for the code is not a failure; a wrong code is.
      if (!input.totp) throw new VigilError('second_factor_required', 'enter the code of your authenticator app', { secondFactor: 'totp' });
      if (!authenticator.check(input.totp.replace(/\s/g, ''), user.totpSecret)) return fail('wrong TOTP code', 'second_factor_required');
      authLevel = 2;
    }
    const token = newToken();
    const sessionId = newId('ses');
    const expiresAt = now + this.ctx.config.sessionTtlSeconds * 1000;
    await this.ctx.record([
      identityEvent('identity.session.started', `user:${user.id}`, user.orgId, `user:${user.id}`, {
        sessionId,
        userId: user.id,
        tokenHash: sha256(token),
        authLevel,
        expiresAt,
        ip,
      }),
    ]);
    return { token, expiresAt, principal: this.principalOfUser(user, authLevel) };
  }

  async logout(principal: Principal, source: CredentialSource): Promise<void> {
    const token = tokenOf(source);
    const session = token ? this.state.sessionsByHash.get(sha256(token)) : undefined;
    if (!session) return;
    await this.ctx.record([
      identityEvent('identity.session.ended', `user:${session.userId}`, principal.orgId, principal.actor, { sessionId: session.id, userId: session.userId }),
    ]);
  }

  /** Starts TOTP enrolment: the secret is shown once; a confirmed code turns it on. */
  async startTotp(by: Principal): Promise<{ secret: string; otpauthUrl: string }> {
    const user = by.userId ? this.state.users.get(by.userId) : undefined;
    if (!user) throw forbidden('only users can enrol a second factor');
    const secret = authenticator.generateSecret(20);
    await this.ctx.record([
      identityEvent('identity.totp.enrolment-started', `user:${user.id}`, user.orgId, by.actor, { userId: user.id, totpSecret: this.ctx.secrets.seal(secret) }),
    ]);
    return { secret, otpauthUrl: authenticator.keyuri(user.username, 'Vigil', secret) };
  }

  async confirmTotp(by: Principal, code: string): Promise<void> {
    const user = by.userId ? this.state.users.get(by.userId) : undefined;
    if (!user?.totpSecret) throw badRequest('start the enrolment first');
    if (!authenticator.check(code.replace(/\s/g, ''), user.totpSecret)) throw badRequest('that code does not match; check the time on your device');
    await this.ctx.record([identityEvent('identity.totp.enabled', `user:${user.id}`, user.orgId, by.actor, { userId: user.id })]);
  }

  listApiKeys(by: Principal): ApiKeyView[] {
    return [...this.state.apiKeys.values()].filter((k) => this.isPlatformAdmin(by) || k.orgId === by.orgId).map(({ keyHash: _hash, ...view }) => view);
  }

  /** The key is returned once; only its hash is kept. Its roles cannot exceed the creator's. */
  async createApiKey(input: { name: string; roles: string[]; orgId?: string }, by: Principal): Promise<{ key: string; apiKey: ApiKeyView }> {
    const orgId = input.orgId ?? by.orgId;
    if (!orgId || !this.state.orgs.has(orgId)) throw notFound('organisation', String(orgId));
    this.requireOrgAdmin(by, orgId);
    const roles = checkRoles(input.roles);
    const name = input.name.trim();
    if (!name) throw badRequest('an API key needs a name (what uses it)');
    const key = newToken(API_KEY_PREFIX);
    const keyId = newId('key');
    await this.ctx.record([
      identityEvent('identity.apikey.created', `apikey:${keyId}`, orgId, by.actor, {
        keyId,
        orgId,
        name,
        roles,
        keyHash: sha256(key),
        prefix: key.slice(0, 10),
      }),
    ]);
    const { keyHash: _hash, ...apiKey } = this.state.apiKeys.get(keyId)!;
    return { key, apiKey };
  }

  async revokeApiKey(keyId: string, by: Principal, reason?: string): Promise<void> {
    const key = this.state.apiKeys.get(keyId);
    if (!key) throw notFound('API key', keyId);
    this.requireOrgAdmin(by, key.orgId);
    if (key.revoked) return;
    await this.ctx.record([identityEvent('identity.apikey.revoked', `apikey:${keyId}`, key.orgId, by.actor, { keyId }, reason)]);
  }

  listShares(by: Principal): Share[] {
    return [...this.state.shares.values()].filter((s) => this.isPlatformAdmin(by) || s.fromOrgId === by.orgId || s.toOrgId === by.orgId);
  }

  /**
   * An admin of `fromOrgId` lets another organisation see its data ('read', the default) or
   * see and operate on it ('act'). Granting again with other rights changes them.
   */
  async grantShare(input: { fromOrgId?: string; toOrgId: string; note?: string; rights?: ShareRights }, by: Principal): Promise<Share> {
    const rights = input.rights ?? 'read';
    if (!(SHARE_RIGHTS as readonly string[]).includes(rights)) throw badRequest(`rights must be one of ${SHARE_RIGHTS.join(', ')}`);
    const fromOrgId = input.fromOrgId ?? by.orgId;
    if (!fromOrgId || !this.state.orgs.has(fromOrgId)) throw notFound('organisation', String(fromOrgId));
    if (!this.state.orgs.has(input.toOrgId)) throw notFound('organisation', input.toOrgId);
    if (fromOrgId === input.toOrgId) throw badRequest('an organisation always sees its own data');
    this.requireOrgAdmin(by, fromOrgId);
    const existing = [...this.state.shares.values()].find((s) => s.fromOrgId === fromOrgId && s.toOrgId === input.toOrgId);
    if (existing && existing.rights === rights) return existing;
    const shareId = existing?.id ?? newId('shr');
    await this.ctx.record([
      identityEvent('identity.share.granted', `org:${fromOrgId}`, fromOrgId, actorOf(by), {
        shareId,
        fromOrgId,
        toOrgId: input.toOrgId,
        note: input.note?.trim() ?? existing?.note ?? '',
        rights,
      }),
    ]);
    return this.state.shares.get(shareId)!;
  }

  async revokeShare(shareId: string, by: Principal, reason?: string): Promise<void> {
    const share = this.state.shares.get(shareId);
    if (!share) throw notFound('share', shareId);
    this.requireOrgAdmin(by, share.fromOrgId);
    await this.ctx.record([identityEvent('identity.share.revoked', `org:${share.fromOrgId}`, share.fromOrgId, by.actor, { shareId }, reason)]);
  }

  /**
   * Credentials → principal, synchronously from the projection (every request
   * does this). No credentials: the public principal. Wrong or expired ones: an
   * error, so a client learns its session ended instead of silently seeing less.
   */
  resolvePrincipal(source: CredentialSource): Principal {
    const apiKey = header(source, 'x-api-key');
    if (apiKey) {
      const key = this.state.apiKeysByHash.get(sha256(apiKey));
      if (!key) throw new VigilError('unauthenticated', 'unknown or revoked API key');
      return {
        kind: 'apikey',
        actor: `apikey:${key.id}`,
        userId: null,
        orgId: key.orgId,
        roles: key.roles,
        authLevel: 1,
        displayName: key.name,
        visibleOrgIds: this.state.visibleOrgIds(key.orgId),
        actableOrgIds: this.state.actableOrgIds(key.orgId),
        platformOrg: key.orgId === this.platformOrgId(),
      };
    }
    const token = tokenOf(source);
    if (!token) return PUBLIC_PRINCIPAL;
    const session = this.state.sessionsByHash.get(sha256(token));
    if (!session || session.expiresAt <= this.ctx.clock.now()) throw new VigilError('unauthenticated', 'your session has ended; sign in again');
    const user = this.state.users.get(session.userId);
    if (!user || user.disabled) throw new VigilError('unauthenticated', 'your session has ended; sign in again');
    return this.principalOfUser(user, session.authLevel);
  }

  /** A user's principal without a session: for seeding and command-line tools acting as that user. */
  resolvePrincipalOf(username: string): Principal {
    const user = this.state.usersByName.get(username);
    if (!user) throw notFound('user', username);
    return this.principalOfUser(user, 2);
  }

  private principalOfUser(user: User, authLevel: 1 | 2): Principal {
    return {
      kind: 'user',
      actor: `user:${user.id}`,
      userId: user.id,
      orgId: user.orgId,
      roles: user.roles,
      authLevel,
      displayName: user.displayName,
      visibleOrgIds: this.state.visibleOrgIds(user.orgId),
      actableOrgIds: this.state.actableOrgIds(user.orgId),
      platformOrg: user.orgId === this.platformOrgId(),
    };
  }

  isPlatformAdmin(p: Principal): boolean {
    return p.roles.includes('admin') && p.orgId !== null && p.orgId === this.platformOrgId();
  }

  private requirePlatformAdmin(p: Principal): void {
    if (!this.isPlatformAdmin(p)) throw forbidden("only administrators of the city's platform organisation may do this");
  }

  /** Admins administer their own organisation; the platform's admins every organisation. */
  private requireOrgAdmin(p: Principal, orgId: string): void {
    if (!p.roles.includes('admin') || (p.orgId !== orgId && !this.isPlatformAdmin(p))) {
      throw forbidden('only an administrator of that organisation may do this', { orgId });
    }
  }

  private userFor(userId: string, by: Principal): User {
    const user = this.state.users.get(userId);
    if (!user) throw notFound('user', userId);
    this.requireOrgAdmin(by, user.orgId);
    return user;
  }
}

function checkRoles(roles: string[]): Role[] {
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) throw badRequest(`unknown roles: ${unknown.join(', ')}`, { known: ROLES });
  if (roles.length === 0) throw badRequest('give at least one role');
  return [...new Set(roles)] as Role[];
}

const actorOf = (p: Principal | 'system'): string => (p === 'system' ? 'system' : p.actor);

function header(source: CredentialSource, name: string): string | null {
  const v = source.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s.trim() : null;
}

function tokenOf(source: CredentialSource): string | null {
  const auth = header(source, 'authorization');
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || null;
  return readCookie(source.headers.cookie, SESSION_COOKIE);
}
