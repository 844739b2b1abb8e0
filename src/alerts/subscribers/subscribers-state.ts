import { createHash } from 'node:crypto';
import { openWithKey } from '../../kernel/secrets.js';
import type { StoredEvent } from '../../platform/event-log.js';
import type { KeyVault } from '../../platform/key-vault.js';
import type { Projection } from '../../platform/projection.js';
import type { LonLat, TargetArea } from '../targeting/area-geometry.js';
import { PointGrid } from '../targeting/point-grid.js';
import { phoneKey } from '../delivery/sms-keywords.js';

export interface SubscriberLocation {
  kind: 'home' | 'work' | 'last';
  position: LonLat;
}

/** A person who asked to be warned: where they are, in which language, on which channels. */
export interface Subscriber {
  subscriberId: string;
  name: string | null;
  language: string;
  locations: SubscriberLocation[];
  email: string | null;
  phone: string | null;
  /** A browser's Web Push subscription (the citizen page). */
  push?: { endpoint: string; keys: { p256dh: string; auth: string } } | null;
  consentAt: string;
  consentSource: string;
}

/** What identifies or locates the person: sealed in the log under their own key (crypto-shredding). */
export type PersonalData = Pick<Subscriber, 'name' | 'email' | 'phone' | 'push' | 'locations'>;

export interface SubscriberEvents {
  /**
   * `personal`: the PersonalData as JSON sealed under the subscriber's key in the
   * vault (ctx.vault, subject `subscriber:<id>`); unsubscribing shreds that key.
   * `tokenHash`: SHA-256 of the unsubscribe token given to the person (never the token).
   * Logs written before sealing carry `subscriber` whole instead.
   */
  'alerts.subscriber.registered': { subscriberId: string; language: string; consentAt: string; consentSource: string; personal: string; tokenHash: string } | { subscriber: Subscriber; tokenHash: string };
  'alerts.subscriber.unsubscribed': { subscriberId: string };
}

export const personalDataSubject = (subscriberId: string): string => `subscriber:${subscriberId}`;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Subscribers and a spatial index of their locations, rebuilt from the log. */
export class SubscribersState implements Projection {
  readonly name = 'alert-subscribers';
  readonly typePrefixes = ['alerts.subscriber.'];
  readonly subscribers = new Map<string, Subscriber>();
  readonly byTokenHash = new Map<string, string>();
  /** The organisation that holds each subscriber's data. */
  readonly ownerOf = new Map<string, string | null>();
  /** Unsubscribed while this node replayed or followed: their keys are shredded (again, idempotently) by `shredErased`. */
  readonly erased = new Set<string>();
  /** Phone number as digits → subscriber (for answers by SMS). */
  readonly byPhone = new Map<string, string>();
  private readonly grid = new PointGrid();
  private readonly pointOwner: string[] = [];
  private readonly pointsOf = new Map<string, number[]>();
  /** Keys fetched by `prepare` for the batch being applied. */
  private keys = new Map<string, Buffer>();

  /** `vault`: where the subscribers' keys are (null: only unsealed, pre-vault events can be read). */
  constructor(private readonly vault: Pick<KeyVault, 'get'> | null = null) {}

  async prepare(events: readonly StoredEvent[]): Promise<void> {
    const sealed = events.filter((e) => e.type === 'alerts.subscriber.registered' && 'personal' in (e.data as object));
    this.keys = sealed.length && this.vault ? await this.vault.get(sealed.map((e) => personalDataSubject((e.data as { subscriberId: string }).subscriberId))) : new Map();
  }

  apply(e: StoredEvent): void {
    if (e.type === 'alerts.subscriber.registered') {
      const data = e.data as SubscriberEvents['alerts.subscriber.registered'];
      const subscriber = 'subscriber' in data ? data.subscriber : this.unseal(data);
      const { tokenHash } = data;
      // A shredded key: the person unsubscribed; their data in the log stay unreadable.
      if (!subscriber) return;
      this.drop(subscriber.subscriberId);
      this.subscribers.set(subscriber.subscriberId, subscriber);
      this.byTokenHash.set(tokenHash, subscriber.subscriberId);
      this.ownerOf.set(subscriber.subscriberId, e.orgId);
      if (subscriber.phone) this.byPhone.set(phoneKey(subscriber.phone), subscriber.subscriberId);
      const ids = subscriber.locations.map((l) => {
        const id = this.pointOwner.length;
        this.pointOwner.push(subscriber.subscriberId);
        this.grid.add(id, l.position);
        return id;
      });
      this.pointsOf.set(subscriber.subscriberId, ids);
    } else if (e.type === 'alerts.subscriber.unsubscribed') {
      const { subscriberId } = e.data as SubscriberEvents['alerts.subscriber.unsubscribed'];
      this.drop(subscriberId);
      this.erased.add(subscriberId);
    }
  }

  private unseal(data: Extract<SubscriberEvents['alerts.subscriber.registered'], { personal: string }>): Subscriber | null {
    const key = this.keys.get(personalDataSubject(data.subscriberId));
    const plain = key ? openWithKey(key, data.personal) : null;
    if (!plain) return null;
    const personal = JSON.parse(plain) as PersonalData;
    return { subscriberId: data.subscriberId, language: data.language, consentAt: data.consentAt, consentSource: data.consentSource, ...personal };
  }

  private drop(subscriberId: string): void {
    for (const id of this.pointsOf.get(subscriberId) ?? []) this.grid.remove(id);
    this.pointsOf.delete(subscriberId);
    const phone = this.subscribers.get(subscriberId)?.phone;
    if (phone && this.byPhone.get(phoneKey(phone)) === subscriberId) this.byPhone.delete(phoneKey(phone));
    this.subscribers.delete(subscriberId);
    this.ownerOf.delete(subscriberId);
  }

  /** Subscribers with any location (home, work, last known) inside the area, each once. */
  within(area: TargetArea): Subscriber[] {
    const ids = new Set<string>();
    this.grid.query(area, (point) => ids.add(this.pointOwner[point]!));
    return [...ids].map((id) => this.subscribers.get(id)!).filter(Boolean);
  }
}
