import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { authenticator } from 'otplib';
import { isLoopbackHost } from '../kernel/config.js';
import { VigilError, badRequest, conflict, forbidden, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { HIGH_PRIVILEGE_ROLES, PUBLIC_PRINCIPAL, ROLES, type CredentialSource, type Principal, type Role } from '../platform/access.js';
import { SHARE_RIGHTS, type ShareRights } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { API_KEY_PREFIX, MIN_PASSWORD_LENGTH, SESSION_COOKIE, decoyHash, hashPassword, newToken, readCookie, sha256, verifyPassword } from './credentials.js';
import type { IdentityState } from './identity-state.js';
import { ROLE_CEILINGS, checkKeyWithinCreator, checkRoleCeiling, type Grantor } from './role-ceilings.js';
import { ORG_KINDS, type ApiKey, type IdentityEvents, type Org, type OrgKind, type Session, type Share, type User } from './model.js';
import { PasskeyCeremonies, type RelyingParty } from './passkeys.js';

authenticator.options = { window: 1 }; // accept the previous and next 30 s step (clock drift)
const TOTP_STEP_MS = 30_000;

/**
 * A new session. The token goes to the client only as a cookie (never in a body or
 * URL); `enrolmentRequired` says the session may only enrol a second factor.
 */
export interface LoginResult {
  token: string;
  expiresAt: number;
  principal: Principal;
  enrolmentRequired: boolean;
}

/** Which second factors a user can sign in with. */
export interface FactorView {
  totp: boolean;
  passkeys: { id: string; name: string; createdAt: string; lastUsedAt: string | null }[];
}

/** Public view of a user: never the password hash or TOTP secret. */
export interface UserView {
  id: string;
  username: string;
  orgId: string;
  roles: Role[];
  displayName: string;
  totpEnabled: boolean;
  passkeyCount: number;
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
    passkeyCount: u.passkeys.length,
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
  private readonly ceremonies = new PasskeyCeremonies();
  /** TOTP steps accepted but maybe not yet applied from their event: a code is accepted once, also in parallel. */
  private readonly totpStepsTaken = new Map<string, number>();

  constructor(
    private readonly ctx: AppContext,
    readonly state: IdentityState,
    /** Usernames of the demo's users (src/identity/demo-identity.ts), exempt on the loopback demo only. */
    private readonly demoUsernames: readonly string[] = [],
  ) {}

  /**
   * The loopback demo (demo seeded on a loopback bind with the node's own SQLite store,
   * src/demo/demo-guard.ts) lets its demo users in without a second factor so a
   * newcomer can look around at once; every other installation requires one.
   */
  demoExemptUsernames(): string[] {
    const c = this.ctx.config;
    if (!c.demoOnEmpty || !isLoopbackHost(c.host) || c.databaseUrl) return [];
    return [...this.demoUsernames];
  }

  /** Whether this user must complete a second factor before using their roles. */
  needsSecondFactor(user: User): boolean {
    return user.roles.some((r) => HIGH_PRIVILEGE_ROLES.includes(r)) && !this.demoExemptUsernames().includes(user.username);
  }

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
    /** The password's hash when the caller already made it (the demo users, who share one password): never from a request. */
    passwordHashOf?: Promise<string>,
  ): Promise<UserView> {
    const username = input.username.trim().toLowerCase();
    if (!USERNAME.test(username)) throw badRequest('a username is 2–64 characters: lowercase letters, digits, . _ -');
    if (this.state.usersByName.has(username)) throw conflict(`user ${username} exists`);
    if (!this.state.orgs.has(input.orgId)) throw notFound('organisation', input.orgId);
    if (actor !== 'system') this.requireOrgAdmin(actor, input.orgId);
    const roles = checkRoles(input.roles);
    checkRoleCeiling(this.state.orgs.get(input.orgId)!, roles, this.grantorOf(actor));
    if (input.password.length < MIN_PASSWORD_LENGTH) throw badRequest(`a password has at least ${MIN_PASSWORD_LENGTH} characters`);
    const userId = newId('usr');
    const passwordHash = await (passwordHashOf ?? hashPassword(input.password));
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
    checkRoleCeiling(this.state.orgs.get(user.orgId)!, checked, this.grantorOf(by), user.roles);
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

  /** Ends every session of the user (the projection does) and returns a new one for the caller (given its address): the session rotates. */
  async changePassword(by: Principal, current: string, next: string, ip?: string): Promise<LoginResult | null> {
    const user = by.userId ? this.state.users.get(by.userId) : undefined;
    if (!user) throw forbidden('only users have passwords');
    if (!(await verifyPassword(user.passwordHash, current))) throw new VigilError('unauthenticated', 'the current password is wrong');
    if (next.length < MIN_PASSWORD_LENGTH) throw badRequest(`a password has at least ${MIN_PASSWORD_LENGTH} characters`);
    const passwordHash = await hashPassword(next);
    await this.ctx.record([identityEvent('identity.user.password-changed', `user:${user.id}`, user.orgId, by.actor, { userId: user.id, passwordHash })]);
    // Without a client address (command-line tools) there is no session to continue.
    return ip === undefined ? null : this.startSession(user, by.enrolmentOnly ? 1 : by.authLevel === 2 ? 2 : 1, ip);
  }

  /** A new session for the caller after an administrator (themselves) changed their roles: the old one ended. */
  async rotateAfterRoleChange(by: Principal, ip: string): Promise<LoginResult | null> {
    const user = by.userId ? this.state.users.get(by.userId) : undefined;
    if (!user) return null;
    return this.startSession(user, by.authLevel === 2 ? 2 : 1, ip);
  }

  /**
   * Password sign-in. A user with a second factor gives the current TOTP code too (or
   * signs in with a passkey instead); the session then has authentication level 2. A
   * high-privilege user without a factor gets a session that may only enrol one.
   * The attempt is reserved before the (awaited) Argon2 check, so parallel attempts
   * are throttled like consecutive ones; delays grow per account and per source.
   */
  async login(input: { username: string; password: string; totp?: string }, ip: string): Promise<LoginResult> {
    const username = input.username.trim().toLowerCase().slice(0, 64);
    const reservation = this.reserveAttempt(username, ip);
    try {
      const user = this.state.usersByName.get(username);
      const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
      if (!user || !passwordOk) return await this.failLogin(username, user, ip, user ? 'wrong password' : 'unknown user');
      if (user.disabled) return await this.failLogin(username, user, ip, 'user disabled');
      const hasFactor = user.totpEnabled || user.passkeys.length > 0;
      if (!hasFactor) return await this.startSession(user, 1, ip, this.needsSecondFactor(user) ? 'enrol' : 'full');
      if (!user.totpEnabled) {
        throw new VigilError('second_factor_required', 'sign in with your passkey', { secondFactor: 'passkey', methods: ['passkey'] });
      }
      // Asking for the code is not a failure; a wrong or reused code is.
      const methods = user.passkeys.length > 0 ? ['totp', 'passkey'] : ['totp'];
      if (!input.totp) throw new VigilError('second_factor_required', 'enter the code of your authenticator app', { secondFactor: 'totp', methods });
      const step = this.takeTotpStep(user, input.totp);
      if (step === null) return await this.failLogin(username, user, ip, 'wrong or reused TOTP code', 'second_factor_required');
      return await this.startSession(user, 2, ip, 'full', [totpUsed(user, step)]);
    } finally {
      reservation();
    }
  }

  /** Sign-in with a passkey (discoverable credential, user verification): authentication level 2 at once. */
  async passkeyLoginOptions(rp: RelyingParty): Promise<unknown> {
    return this.ceremonies.authenticationOptions(rp, this.ctx.clock.now());
  }

  async loginWithPasskey(response: AuthenticationResponseJSON, rp: RelyingParty, ip: string): Promise<LoginResult> {
    const owner = [...this.state.users.values()].find((u) => u.passkeys.some((p) => p.credentialId === response.id));
    const username = owner?.username ?? `passkey:${String(response.id).slice(0, 40)}`;
    const reservation = this.reserveAttempt(username, ip);
    try {
      const passkey = owner?.passkeys.find((p) => p.credentialId === response.id);
      if (!owner || !passkey) return await this.failLogin(username, owner, ip, 'unknown passkey');
      if (owner.disabled) return await this.failLogin(username, owner, ip, 'user disabled');
      let counter: number;
      try {
        counter = await this.ceremonies.verifyAuthentication(passkey, response, rp, this.ctx.clock.now());
      } catch {
        return await this.failLogin(username, owner, ip, 'passkey assertion refused');
      }
      const used = identityEvent('identity.passkey.used', `user:${owner.id}`, owner.orgId, `user:${owner.id}`, {
        userId: owner.id,
        credentialId: passkey.credentialId,
        counter,
      });
      return await this.startSession(owner, 2, ip, 'full', [used]);
    } finally {
      reservation();
    }
  }

  /** Reserves a sign-in attempt (account and source) or refuses with how long to wait; returns the release. */
  private reserveAttempt(account: string, ip: string): () => void {
    const r = this.state.throttle.reserve(account, ip, this.ctx.clock.now());
    if (!r.ok) {
      throw new VigilError('rate_limited', 'too many failed sign-ins; wait before trying again', { retryAfterSeconds: Math.ceil(r.retryAfterMs / 1000) });
    }
    return r.release;
  }

  private async failLogin(
    username: string,
    user: User | undefined,
    ip: string,
    problem: string,
    code: 'unauthenticated' | 'second_factor_required' = 'unauthenticated',
  ): Promise<never> {
    await this.ctx.record([identityEvent('identity.login.failed', `login:${username || '-'}`, user?.orgId ?? null, 'public', { username, ip, problem })]);
    throw new VigilError(
      code,
      code === 'unauthenticated' ? 'wrong username or password' : 'that code is wrong or was used already; wait for the next one',
      code === 'second_factor_required' ? { secondFactor: 'totp', methods: ['totp'] } : undefined,
    ).because(code === 'unauthenticated' ? 'signin.wrong-credentials' : 'signin.wrong-code');
  }

  private async startSession(user: User, authLevel: 1 | 2, ip: string, purpose: Session['purpose'] = 'full', before: NewEvent[] = []): Promise<LoginResult> {
    const token = newToken();
    const sessionId = newId('ses');
    const expiresAt = this.ctx.clock.now() + this.ctx.config.sessionTtlSeconds * 1000;
    await this.ctx.record([
      ...before,
      identityEvent('identity.session.started', `user:${user.id}`, user.orgId, `user:${user.id}`, {
        sessionId,
        userId: user.id,
        tokenHash: sha256(token),
        authLevel,
        expiresAt,
        ip,
        ...(purpose === 'enrol' ? { purpose } : {}),
      }),
    ]);
    const session = this.state.sessionsById.get(sessionId);
    const principal = session ? this.principalOfSession(user, session) : this.principalOfUser(user, authLevel);
    return { token, expiresAt, principal, enrolmentRequired: purpose === 'enrol' };
  }

  /** The time-step of a valid code not used before (and marks it taken), or null. */
  private takeTotpStep(user: User, code: string, secret = user.totpSecret): number | null {
    if (!secret) return null;
    const delta = authenticator.checkDelta(code.replace(/\s/g, ''), secret);
    if (delta === null) return null;
    const step = Math.floor(this.ctx.clock.now() / TOTP_STEP_MS) + delta;
    const last = Math.max(user.lastTotpStep, this.totpStepsTaken.get(user.id) ?? 0);
    if (step <= last) return null;
    this.totpStepsTaken.set(user.id, step);
    return step;
  }

  async logout(principal: Principal, source: CredentialSource): Promise<void> {
    const session = this.sessionOf(source);
    if (!session) return;
    await this.ctx.record([
      identityEvent('identity.session.ended', `user:${session.userId}`, principal.orgId, principal.actor, { sessionId: session.id, userId: session.userId }),
    ]);
  }

  factorsOf(by: Principal): FactorView {
    const user = this.selfOf(by);
    return {
      totp: user.totpEnabled,
      passkeys: user.passkeys.map((p) => ({ id: p.credentialId, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt })),
    };
  }

  /**
   * Starts TOTP enrolment: the secret is shown once; a confirmed code turns it on. With
   * a factor already enrolled, replacing it needs that factor: the current TOTP code, or
   * a session signed in with a passkey (level 2) when the user has no TOTP.
   */
  async startTotp(by: Principal, currentCode?: string): Promise<{ secret: string; otpauthUrl: string }> {
    const user = this.selfOf(by);
    const before: NewEvent[] = [];
    if (user.totpEnabled) {
      if (!currentCode) throw forbidden('enter a code of your current authenticator to replace it', { currentFactor: 'totp' });
      const step = this.takeTotpStep(user, currentCode);
      if (step === null) throw forbidden('that code of your current authenticator is wrong or was used already', { currentFactor: 'totp' });
      before.push(totpUsed(user, step));
    } else if (user.passkeys.length > 0 && by.authLevel < 2) {
      throw forbidden('sign in with your passkey to add an authenticator app');
    }
    const secret = authenticator.generateSecret(20);
    await this.ctx.record([
      ...before,
      identityEvent('identity.totp.enrolment-started', `user:${user.id}`, user.orgId, by.actor, { userId: user.id, totpSecret: this.ctx.secrets.seal(secret) }),
    ]);
    return { secret, otpauthUrl: authenticator.keyuri(user.username, 'Vigil', secret) };
  }

  /** Confirms enrolment with a code of the new secret; the second factor is complete, so the session rotates to level 2. */
  async confirmTotpInSession(by: Principal, code: string, source: CredentialSource): Promise<LoginResult> {
    await this.confirmTotp(by, code);
    return this.rotateToSecondFactor(this.selfOf(by), by, source);
  }

  /** The confirmation alone, without a session: for command-line set-up (`vigil init`) acting as the user. */
  async confirmTotp(by: Principal, code: string): Promise<void> {
    const user = this.selfOf(by);
    if (!user.pendingTotpSecret) throw badRequest('start the enrolment first');
    const step = this.takeTotpStep(user, code, user.pendingTotpSecret);
    if (step === null) throw badRequest('that code does not match; check the time on your device');
    await this.ctx.record([totpUsed(user, step), identityEvent('identity.totp.enabled', `user:${user.id}`, user.orgId, by.actor, { userId: user.id })]);
  }

  async passkeyRegistrationOptions(by: Principal, rp: RelyingParty): Promise<unknown> {
    const user = this.selfOf(by);
    this.requireCurrentFactor(user, by);
    return this.ceremonies.registrationOptions(user, rp, this.ctx.clock.now());
  }

  /** Registers a passkey; like a confirmed TOTP it completes the second factor, so the session rotates to level 2. */
  async registerPasskey(by: Principal, response: RegistrationResponseJSON, name: string, rp: RelyingParty, source: CredentialSource): Promise<LoginResult> {
    const user = this.selfOf(by);
    this.requireCurrentFactor(user, by);
    const key = await this.ceremonies.verifyRegistration(user, response, rp, this.ctx.clock.now());
    const label = name.trim() || `passkey ${user.passkeys.length + 1}`;
    await this.ctx.record([identityEvent('identity.passkey.registered', `user:${user.id}`, user.orgId, by.actor, { userId: user.id, ...key, name: label })]);
    return this.rotateToSecondFactor(user, by, source);
  }

  async removePasskey(by: Principal, credentialId: string): Promise<void> {
    const user = this.selfOf(by);
    if (by.authLevel < 2) throw forbidden('sign in with a second factor to remove a passkey');
    if (!user.passkeys.some((p) => p.credentialId === credentialId)) throw notFound('passkey', credentialId);
    if (this.needsSecondFactor(user) && !user.totpEnabled && user.passkeys.length === 1) {
      throw badRequest('your roles require a second factor: add another passkey or an authenticator app before removing the last one');
    }
    await this.ctx.record([identityEvent('identity.passkey.removed', `user:${user.id}`, user.orgId, by.actor, { userId: user.id, credentialId })]);
  }

  /** Adding a factor when one exists needs a session that proved it (level 2); the first one may be enrolled from any session. */
  private requireCurrentFactor(user: User, by: Principal): void {
    if ((user.totpEnabled || user.passkeys.length > 0) && by.authLevel < 2) {
      throw forbidden('sign in with your current second factor to add another');
    }
  }

  private async rotateToSecondFactor(user: User, by: Principal, source: CredentialSource): Promise<LoginResult> {
    const old = this.sessionOf(source);
    const ended = old ? [identityEvent('identity.session.ended', `user:${user.id}`, user.orgId, by.actor, { sessionId: old.id, userId: user.id })] : [];
    return this.startSession(this.state.users.get(user.id)!, 2, source.ip, 'full', ended);
  }

  private selfOf(by: Principal): User {
    const user = by.userId ? this.state.users.get(by.userId) : undefined;
    if (!user) throw forbidden('only users have second factors');
    return user;
  }

  private sessionOf(source: CredentialSource): Session | undefined {
    const token = tokenOf(source);
    return token ? this.state.sessionsByHash.get(sha256(token)) : undefined;
  }

  listApiKeys(by: Principal): ApiKeyView[] {
    return [...this.state.apiKeys.values()].filter((k) => this.isPlatformAdmin(by) || k.orgId === by.orgId).map(({ keyHash: _hash, ...view }) => view);
  }

  /** The key is returned once; only its hash is kept. Its roles stay within what its creator holds or may grant (role-ceilings.ts). */
  async createApiKey(input: { name: string; roles: string[]; orgId?: string }, by: Principal): Promise<{ key: string; apiKey: ApiKeyView }> {
    const orgId = input.orgId ?? by.orgId;
    if (!orgId || !this.state.orgs.has(orgId)) throw notFound('organisation', String(orgId));
    this.requireOrgAdmin(by, orgId);
    const roles = checkRoles(input.roles);
    checkKeyWithinCreator(this.state.orgs.get(orgId)!, roles, by.roles, this.grantorOf(by));
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
    return this.principalOfSession(user, session);
  }

  /**
   * An enrolment session holds no roles. Otherwise high-privilege roles need level 2:
   * without it (a session from before the user gained such a role) they are left out.
   */
  private principalOfSession(user: User, session: Session): Principal {
    if (session.purpose === 'enrol') return { ...this.principalOfUser(user, 1), roles: [], enrolmentOnly: true };
    const principal = this.principalOfUser(user, session.authLevel);
    if (session.authLevel >= 2 || !this.needsSecondFactor(user)) return principal;
    return { ...principal, roles: user.roles.filter((r) => !HIGH_PRIVILEGE_ROLES.includes(r)) };
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

  /**
   * The principal of a machine acting for an organisation with some of its roles (a webhook
   * subscription): as an API key's, with the shares the organisation holds now; null when the
   * organisation is gone. Roles above the organisation's ceiling are left out.
   */
  principalForOrg(orgId: string, roles: readonly Role[], actor: string, displayName: string): Principal | null {
    const org = this.state.orgs.get(orgId);
    if (!org) return null;
    return {
      kind: 'apikey',
      actor,
      userId: null,
      orgId,
      roles: roles.filter((r) => ROLE_CEILINGS[org.kind].includes(r)),
      authLevel: 1,
      displayName,
      visibleOrgIds: this.state.visibleOrgIds(orgId),
      actableOrgIds: this.state.actableOrgIds(orgId),
      platformOrg: orgId === this.platformOrgId(),
    };
  }

  /** Refuses roles a machine credential of the caller's organisation may not act with: the same rule as API keys. */
  checkDelegatedRoles(roles: readonly string[], by: Principal): Role[] {
    if (!by.orgId || !this.state.orgs.has(by.orgId)) throw notFound('organisation', String(by.orgId));
    const checked = checkRoles([...roles]);
    checkKeyWithinCreator(this.state.orgs.get(by.orgId)!, checked, by.roles, this.grantorOf(by));
    return checked;
  }

  isPlatformAdmin(p: Principal): boolean {
    return p.roles.includes('admin') && p.orgId !== null && p.orgId === this.platformOrgId();
  }

  private grantorOf(actor: Principal | 'system'): Grantor {
    if (actor === 'system') return 'system';
    return this.isPlatformAdmin(actor) ? 'platform-admin' : 'org-admin';
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

/** Sessions travel only in the HttpOnly cookie: never a header a script could set, never a URL. */
function tokenOf(source: CredentialSource): string | null {
  return readCookie(source.headers.cookie, SESSION_COOKIE);
}

function totpUsed(user: User, step: number): NewEvent {
  return identityEvent('identity.totp.used', `user:${user.id}`, user.orgId, `user:${user.id}`, { userId: user.id, step });
}
