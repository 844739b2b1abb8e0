import type { SecretBox } from '../kernel/secrets.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { ApiKey, IdentityEvents, Org, Session, Share, User } from './model.js';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

/**
 * The identity read model, rebuilt from `identity.*` events: organisations, users,
 * live sessions, API keys, shares, and recent failed sign-ins for throttling.
 */
export class IdentityState implements Projection {
  readonly name = 'identity';
  readonly typePrefixes = ['identity.'];
  readonly orgs = new Map<string, Org>();
  readonly users = new Map<string, User>();
  readonly usersByName = new Map<string, User>();
  readonly sessionsByHash = new Map<string, Session>();
  readonly sessionsById = new Map<string, Session>();
  readonly apiKeysByHash = new Map<string, ApiKey>();
  readonly apiKeys = new Map<string, ApiKey>();
  readonly shares = new Map<string, Share>();
  /** Failed sign-in times (epoch ms) per lower-cased username and per IP, pruned to the window. */
  readonly failuresByUser = new Map<string, number[]>();
  readonly failuresByIp = new Map<string, number[]>();

  constructor(private readonly secrets: SecretBox) {}

  apply(e: StoredEvent): void {
    const at = e.at;
    switch (e.type as keyof IdentityEvents) {
      case 'identity.org.created': {
        const d = e.data as IdentityEvents['identity.org.created'];
        this.orgs.set(d.orgId, { id: d.orgId, name: d.name, kind: d.kind, platform: d.platform, createdAt: at });
        break;
      }
      case 'identity.user.created': {
        const d = e.data as IdentityEvents['identity.user.created'];
        const user: User = {
          id: d.userId,
          username: d.username,
          orgId: d.orgId,
          roles: d.roles,
          displayName: d.displayName,
          passwordHash: d.passwordHash,
          totpSecret: null,
          totpEnabled: false,
          disabled: false,
          createdAt: at,
        };
        this.users.set(user.id, user);
        this.usersByName.set(user.username.toLowerCase(), user);
        break;
      }
      case 'identity.user.roles-changed': {
        const d = e.data as IdentityEvents['identity.user.roles-changed'];
        this.withUser(d.userId, (u) => (u.roles = d.roles));
        break;
      }
      case 'identity.user.password-changed': {
        const d = e.data as IdentityEvents['identity.user.password-changed'];
        this.withUser(d.userId, (u) => (u.passwordHash = d.passwordHash));
        this.endSessionsOf(d.userId);
        break;
      }
      case 'identity.user.disabled': {
        const d = e.data as IdentityEvents['identity.user.disabled'];
        this.withUser(d.userId, (u) => (u.disabled = true));
        this.endSessionsOf(d.userId);
        break;
      }
      case 'identity.user.enabled':
        this.withUser((e.data as IdentityEvents['identity.user.enabled']).userId, (u) => (u.disabled = false));
        break;
      case 'identity.totp.enrolment-started': {
        const d = e.data as IdentityEvents['identity.totp.enrolment-started'];
        this.withUser(d.userId, (u) => {
          // Null when sealed under another installation key: the user enrols again.
          u.totpSecret = this.secrets.open(d.totpSecret);
          u.totpEnabled = false;
        });
        break;
      }
      case 'identity.totp.enabled':
        this.withUser((e.data as IdentityEvents['identity.totp.enabled']).userId, (u) => (u.totpEnabled = true));
        break;
      case 'identity.session.started': {
        const d = e.data as IdentityEvents['identity.session.started'];
        const s: Session = { id: d.sessionId, userId: d.userId, tokenHash: d.tokenHash, authLevel: d.authLevel, expiresAt: d.expiresAt };
        this.sessionsByHash.set(s.tokenHash, s);
        this.sessionsById.set(s.id, s);
        // A successful sign-in clears that user's failure count.
        const user = this.users.get(d.userId);
        if (user) this.failuresByUser.delete(user.username.toLowerCase());
        break;
      }
      case 'identity.session.ended':
        this.endSession((e.data as IdentityEvents['identity.session.ended']).sessionId);
        break;
      case 'identity.login.failed': {
        const d = e.data as IdentityEvents['identity.login.failed'];
        const t = Date.parse(at);
        push(this.failuresByUser, d.username.toLowerCase(), t);
        push(this.failuresByIp, d.ip, t);
        break;
      }
      case 'identity.apikey.created': {
        const d = e.data as IdentityEvents['identity.apikey.created'];
        const key: ApiKey = {
          id: d.keyId,
          orgId: d.orgId,
          name: d.name,
          roles: d.roles,
          keyHash: d.keyHash,
          prefix: d.prefix,
          createdBy: e.actor,
          createdAt: at,
          revoked: false,
        };
        this.apiKeys.set(key.id, key);
        this.apiKeysByHash.set(key.keyHash, key);
        break;
      }
      case 'identity.apikey.revoked': {
        const key = this.apiKeys.get((e.data as IdentityEvents['identity.apikey.revoked']).keyId);
        if (key) {
          key.revoked = true;
          this.apiKeysByHash.delete(key.keyHash);
        }
        break;
      }
      case 'identity.share.granted': {
        const d = e.data as IdentityEvents['identity.share.granted'];
        const old = this.shares.get(d.shareId);
        this.shares.set(d.shareId, {
          id: d.shareId,
          fromOrgId: d.fromOrgId,
          toOrgId: d.toOrgId,
          rights: d.rights ?? 'read',
          note: d.note,
          createdAt: old?.createdAt ?? at,
        });
        break;
      }
      case 'identity.share.revoked':
        this.shares.delete((e.data as IdentityEvents['identity.share.revoked']).shareId);
        break;
    }
  }

  /** Organisations whose data members of `orgId` may see: their own and every one that shared with it. */
  visibleOrgIds(orgId: string): Set<string> {
    const visible = new Set([orgId]);
    for (const s of this.shares.values()) if (s.toOrgId === orgId) visible.add(s.fromOrgId);
    return visible;
  }

  /** Organisations members of `orgId` may act on: their own and every one that shared with it with rights 'act'. */
  actableOrgIds(orgId: string): Set<string> {
    const actable = new Set([orgId]);
    for (const s of this.shares.values()) if (s.toOrgId === orgId && s.rights === 'act') actable.add(s.fromOrgId);
    return actable;
  }

  recentFailures(map: Map<string, number[]>, key: string, now: number): number {
    const list = map.get(key);
    if (!list) return 0;
    const fresh = list.filter((t) => now - t < LOGIN_WINDOW_MS);
    if (fresh.length === 0) map.delete(key);
    else map.set(key, fresh);
    return fresh.length;
  }

  platformOrg(): Org | undefined {
    for (const o of this.orgs.values()) if (o.platform) return o;
    return undefined;
  }

  private withUser(id: string, change: (u: User) => void): void {
    const u = this.users.get(id);
    if (u) change(u);
  }

  private endSession(id: string): void {
    const s = this.sessionsById.get(id);
    if (!s) return;
    this.sessionsById.delete(id);
    this.sessionsByHash.delete(s.tokenHash);
  }

  private endSessionsOf(userId: string): void {
    for (const s of [...this.sessionsById.values()]) if (s.userId === userId) this.endSession(s.id);
  }
}

function push(map: Map<string, number[]>, key: string, t: number): void {
  const list = map.get(key);
  if (list) list.push(t);
  else map.set(key, [t]);
}
