import { holds, liveView, withData, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { can } from '../platform/policy.js';
import type { IdentityEvents } from './model.js';

/**
 * `identity.*` on the live feed: only to the admins of the organisation concerned (the
 * platform organisation's admins for events of no organisation, such as a failed sign-in
 * with an unknown name); a share also to the admins of the organisation it is granted to.
 * Hashes and sealed seeds never travel (the hub redacts such keys; the enrolment is sent as its user only).
 */
export function identityLiveView(): LiveView {
  const admins: LiveProjector = (p, e) => (holds(p, ['admin']) && can(p, 'manage', { orgId: e.orgId }) ? e : null);
  const share: LiveProjector = (p, e) => {
    if (admins(p, e)) return e;
    const to = (e.data as { toOrgId?: string }).toOrgId;
    return to !== undefined && holds(p, ['admin']) && p.orgId === to ? e : null;
  };
  return liveView('identity.', {
    'identity.org.created': admins,
    'identity.user.created': admins,
    'identity.user.roles-changed': admins,
    'identity.user.password-changed': (p, e) => (admins(p, e) ? withData(e, { userId: (e.data as { userId: string }).userId }) : null),
    'identity.user.disabled': admins,
    'identity.user.enabled': admins,
    'identity.totp.enrolment-started': (p, e) => (admins(p, e) ? withData(e, { userId: (e.data as { userId: string }).userId }) : null),
    'identity.totp.enabled': admins,
    // Second-factor use and passkeys: who and when, never the key material or the step.
    'identity.totp.used': (p, e) => (admins(p, e) ? withData(e, { userId: (e.data as { userId: string }).userId }) : null),
    'identity.passkey.registered': (p, e) =>
      admins(p, e) ? withData(e, { userId: (e.data as { userId: string }).userId, name: (e.data as { name: string }).name }) : null,
    'identity.passkey.used': (p, e) => (admins(p, e) ? withData(e, { userId: (e.data as { userId: string }).userId }) : null),
    'identity.passkey.removed': (p, e) => (admins(p, e) ? withData(e, { userId: (e.data as { userId: string }).userId }) : null),
    'identity.session.started': admins,
    'identity.session.ended': admins,
    'identity.login.failed': admins,
    'identity.apikey.created': admins,
    'identity.apikey.revoked': admins,
    'identity.share.granted': share,
    'identity.share.revoked': admins,
  } satisfies Record<keyof IdentityEvents, LiveProjector>);
}
