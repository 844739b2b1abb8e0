import type { Principal, Role } from './access.js';
import type { StoredEvent } from './event-log.js';
import { can, type PersonalDataClass } from './policy.js';

/**
 * What a live client receives of one event: the event as this principal may see it
 * (fields it may not read removed), or null for nothing. Asked per client per event.
 */
export type LiveProjector = (p: Principal, e: StoredEvent) => StoredEvent | null;

/**
 * A capability's declaration of how its events travel on the live feed. The hub sends
 * an event only through the view whose prefix matches it (the longest one) and only
 * if that view lists the event's type: anything undeclared is not sent (deny by default).
 */
export interface LiveView {
  typePrefix: string;
  view: LiveProjector;
}

/** A view from a table type → projector; types missing from the table are never sent. */
export function liveView(typePrefix: string, table: Readonly<Record<string, LiveProjector>>): LiveView {
  return {
    typePrefix,
    view: (p, e) => (Object.hasOwn(table, e.type) ? table[e.type]!(p, e) : null),
  };
}

/** Whether the principal holds one of the roles (the same gate as the HTTP route showing the item). */
export function holds(p: Principal, roles: readonly Role[]): boolean {
  return roles.some((r) => p.roles.includes(r));
}

/** The event as it is, for principals with one of the roles who may read the owning organisation's data. */
export function readable(roles: readonly Role[]): LiveProjector {
  return (p, e) => (holds(p, roles) && can(p, 'read', { orgId: e.orgId }) ? e : null);
}

/** Only for principals who may configure the owner's data (its own organisation), with one of the roles. */
export function managed(roles: readonly Role[], project: (e: StoredEvent) => StoredEvent = (e) => e): LiveProjector {
  return (p, e) => (holds(p, roles) && can(p, 'manage', { orgId: e.orgId }) ? project(e) : null);
}

/** Whether the principal may read this class of personal data held by the organisation. */
export function mayReadPersonal(p: Principal, orgId: string | null, personal: PersonalDataClass): boolean {
  return can(p, 'personal', { orgId, personal });
}

/** The event with other data (same type, seq, hashes). */
export function withData(e: StoredEvent, data: unknown): StoredEvent {
  return { ...e, data };
}

/**
 * Every capability's live views, asked as the live feed asks them: the view whose prefix
 * matches the event's type (the longest), or nothing (deny by default). The WebSocket hub
 * and webhook subscriptions (src/webhooks) share it, so both send a principal the same.
 */
export class LiveViews {
  private readonly views: readonly LiveView[];

  constructor(views: readonly LiveView[]) {
    // Longest prefix first: a capability nested in another's namespace (alerts.rule. in alerts.) decides its own.
    this.views = [...views].sort((a, b) => b.typePrefix.length - a.typePrefix.length);
  }

  /** The event as this principal may see it, or null (no declared view: null). */
  project(principal: Principal, e: StoredEvent): StoredEvent | null {
    const view = this.views.find((v) => e.type.startsWith(v.typePrefix));
    return view ? view.view(principal, e) : null;
  }
}
