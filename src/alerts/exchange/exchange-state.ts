import type { StoredEvent } from '../../platform/event-log.js';
import type { Projection } from '../../platform/projection.js';
import type { Channel } from '../model.js';

/** A key an organisation trusts to sign one sender's CAP alerts. */
export interface TrustedSigner {
  signerId: string;
  orgId: string;
  /** The CAP <sender> whose alerts it signs (e.g. "w-nws.webmaster@noaa.gov"). */
  sender: string;
  name: string;
  /** The PEM certificate or public key. */
  pem: string;
  fingerprint: string;
  subject: string | null;
  notAfter: string | null;
  addedBy: string;
  addedAt: string;
}

/** Another agency's CAP feed (Atom, RSS) or CAP endpoint that an organisation polls. */
export interface FeedSubscription {
  feedId: string;
  orgId: string;
  name: string;
  url: string;
  /** Seconds between polls when all is well (errors back off from it). */
  intervalSeconds: number;
  /** Channels a new alert from this feed is relayed on, as a draft waiting for approval; empty: not relayed. */
  relayChannels: Channel[];
  addedBy: string;
  addedAt: string;
}

/** What the last polls of a feed gave: recorded when it changes (ok ↔ failing) or something was imported. */
export interface FeedStatus {
  ok: boolean;
  at: string;
  /** The failure, or the documents of the feed that were refused (with why). */
  error: string | null;
  /** `reason` in English; `why`, when the refusal had one, its sentence key and params for the reader's language (web/src/errors.ts). */
  refused: { url: string; reason: string; why?: { reason: string; params: Record<string, string | number> } }[];
  imported: number;
  failures: number;
}

export interface ExchangeEvents {
  'alerts.signer.trusted': { signer: TrustedSigner };
  'alerts.signer.removed': { signerId: string };
  'alerts.feed.subscribed': { feed: FeedSubscription };
  'alerts.feed.removed': { feedId: string };
  'alerts.feed.polled': { feedId: string; status: FeedStatus };
}

/** Trusted signers and feed subscriptions, from `alerts.signer.*` and `alerts.feed.*`. */
export class ExchangeState implements Projection {
  readonly name = 'alert-exchange';
  readonly typePrefixes = ['alerts.signer.', 'alerts.feed.'];
  readonly signers = new Map<string, TrustedSigner>();
  readonly feeds = new Map<string, FeedSubscription>();
  readonly status = new Map<string, FeedStatus & { importedTotal: number }>();

  apply(e: StoredEvent): void {
    switch (e.type as keyof ExchangeEvents) {
      case 'alerts.signer.trusted': {
        const d = e.data as ExchangeEvents['alerts.signer.trusted'];
        this.signers.set(d.signer.signerId, d.signer);
        break;
      }
      case 'alerts.signer.removed':
        this.signers.delete((e.data as ExchangeEvents['alerts.signer.removed']).signerId);
        break;
      case 'alerts.feed.subscribed': {
        const d = e.data as ExchangeEvents['alerts.feed.subscribed'];
        this.feeds.set(d.feed.feedId, d.feed);
        break;
      }
      case 'alerts.feed.removed': {
        const id = (e.data as ExchangeEvents['alerts.feed.removed']).feedId;
        this.feeds.delete(id);
        this.status.delete(id);
        break;
      }
      case 'alerts.feed.polled': {
        const d = e.data as ExchangeEvents['alerts.feed.polled'];
        const before = this.status.get(d.feedId)?.importedTotal ?? 0;
        this.status.set(d.feedId, { ...d.status, importedTotal: before + d.status.imported });
        break;
      }
    }
  }

  /** The keys an organisation trusts for a sender. */
  signersFor(orgId: string, sender: string): TrustedSigner[] {
    return [...this.signers.values()].filter((s) => s.orgId === orgId && s.sender === sender);
  }
}
