import type { StoredEvent } from '../platform/event-log.js';
import type { Role } from '../platform/access.js';
import { holds, liveView, managed, mayReadPersonal, readable, withData, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { can } from '../platform/policy.js';

/** The roles of GET /api/alerts/:id; webhooks are configured by OFFICERS. */
const VIEWERS: readonly Role[] = ['alert-officer', 'admin', 'commander', 'analyst'];
const OFFICERS: readonly Role[] = ['alert-officer', 'admin'];

/** A projector showing only the fields named, to the viewers who may read the alert's organisation. */
const only =
  (...keys: string[]): LiveProjector =>
  (p, e) => {
    if (!holds(p, VIEWERS) || !can(p, 'read', { orgId: e.orgId })) return null;
    const d = e.data as Record<string, unknown>;
    return withData(e, Object.fromEntries(keys.filter((k) => k in d).map((k) => [k, d[k]])));
  };

const webhookIdOnly = (e: StoredEvent): StoredEvent => withData(e, { webhookId: (e.data as { webhookId: string }).webhookId });

/**
 * `alerts.*` on the live feed: the alert's life to those who read the issuing
 * organisation's alerts; delivery as progress only (who was reached stays with
 * GET /api/alerts/:id/recipients); a "need help" answer's recipient only where the
 * policy lets the principal read places; webhooks (URL, sealed secret) as their id
 * inside the owning organisation; subscribers (citizens' contacts) never.
 */
export function alertsLiveView(): LiveView {
  const seen = readable(VIEWERS);
  return liveView('alerts.', {
    'alerts.alert.drafted': seen,
    'alerts.alert.imported': seen,
    'alerts.alert.edited': seen,
    'alerts.alert.submitted': seen,
    'alerts.alert.rejected': seen,
    'alerts.alert.issued': seen,
    'alerts.alert.ended': seen,
    'alerts.delivery.queued': only('alertId', 'channel', 'first'),
    'alerts.delivery.updated': only('alertId', 'channel', 'status', 'queued', 'note', 'byLanguage'),
    'alerts.delivery.progressed': only('alertId', 'channel', 'failedAfterSend'),
    'alerts.delivery.acknowledged': (p, e) => {
      if (!seen(p, e)) return null;
      return mayReadPersonal(p, e.orgId, 'places') ? e : only('alertId', 'answer')(p, e);
    },
    'alerts.cell-broadcast.requested': only('alertId', 'rootAlertId'),
    'alerts.cell-broadcast.answered': seen,
    'alerts.ambient.levels': seen,
    'alerts.webhook.registered': managed(OFFICERS, (e) => withData(e, { webhookId: (e.data as { webhook: { webhookId: string } }).webhook.webhookId })),
    'alerts.webhook.removed': managed(OFFICERS),
    // Edits, pauses, rotations and delivery lines: the endpoint's id only (URL and sealed secrets stay with the API).
    'alerts.webhook.updated': managed(OFFICERS, webhookIdOnly),
    'alerts.webhook.paused': managed(OFFICERS, webhookIdOnly),
    'alerts.webhook.resumed': managed(OFFICERS, webhookIdOnly),
    'alerts.webhook.secret-rotated': managed(OFFICERS, webhookIdOnly),
    'alerts.webhook.delivered': managed(OFFICERS, webhookIdOnly),
    // Other agencies (exchange/): relays like any alert; trusted signers and feeds to their organisation's managers.
    // The received documents' parts (alerts.alert.received) are never sent: GET /api/alerts/:id/received reads them.
    'alerts.alert.relay-drafted': seen,
    'alerts.signer.trusted': managed(OFFICERS, (e) => {
      const s = (e.data as { signer: { signerId: string; sender: string; name: string; fingerprint: string } }).signer;
      return withData(e, { signerId: s.signerId, sender: s.sender, name: s.name, fingerprint: s.fingerprint });
    }),
    'alerts.signer.removed': managed(OFFICERS),
    'alerts.feed.subscribed': managed(OFFICERS),
    'alerts.feed.removed': managed(OFFICERS),
    'alerts.feed.polled': managed(OFFICERS),
  });
}
