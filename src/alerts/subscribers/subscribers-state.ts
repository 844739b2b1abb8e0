import { createHash } from 'node:crypto';
import type { StoredEvent } from '../../platform/event-log.js';
import type { KeyVault } from '../../platform/key-vault.js';
import { ERASED_EVENT, SealedReader, erasedBy, personalSubject } from '../../platform/personal-data.js';
import type { Projection } from '../../platform/projection.js';
import type { LonLat, TargetArea } from '../targeting/area-geometry.js';
import { PointGrid } from '../targeting/point-grid.js';
import { phoneKey } from '../channels/sms/sms-keywords.js';

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

/**
 * A subscriber as events carry it: `personal` is the PersonalData as JSON sealed under
 * the subscriber's key in the vault (ctx.vault, subject `subscriber:<id>`);
 * unsubscribing shreds that key.
 */
export interface SealedSubscriber {
  subscriberId: string;
  language: string;
  consentAt: string;
  consentSource: string;
  personal: string;
}

export interface SubscriberEvents {
  /**
   * `tokenHash`: SHA-256 of the unsubscribe token given to the person (never the token).
   * Logs written before sealing carry `subscriber` whole instead.
   */
  'alerts.subscriber.registered': (SealedSubscriber & { tokenHash: string }) | { subscriber: Subscriber; tokenHash: string };
  /** New places, language or channels of the same subscriber (same token, same owner, same key). */
  'alerts.subscriber.updated': SealedSubscriber;
  'alerts.subscriber.unsubscribed': { subscriberId: string };
}

export const personalDataSubject = (subscriberId: string): string => personalSubject('subscriber', subscriberId);

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Subscribers and a spatial index of their locations, rebuilt from the log. */
export class SubscribersState implements Projection {
  readonly name = 'alert-subscribers';
  readonly typePrefixes = ['alerts.subscriber.', ERASED_EVENT];
  readonly subscribers = new Map<string, Subscriber>();
  readonly byTokenHash = new Map<string, string>();
  /** The organisation that holds each subscriber's data. */
  readonly ownerOf = new Map<string, string | null>();
  /** Unsubscribed while this node replayed or followed: their keys are shredded (again, idempotently) by `shredErased`. */
  readonly erased = new Set<string>();
  /** Phone number as digits → subscriber (for answers by SMS). */
  readonly byPhone = new Map<string, string>();
  private readonly grid = new PointGrid();
  /** The subscriber of each point in the grid (freed points: none). */
  private readonly pointOwner: (Subscriber | undefined)[] = [];
  /** Point numbers given back by moved or departed subscribers, reused so that moving does not grow the grid. */
  private readonly freePoints: number[] = [];
  private readonly pointsOf = new Map<string, number[]>();
  /** Keys fetched by `prepare` for the batch being applied. */
  private readonly sealed: SealedReader;

  /** `vault`: where the subscribers' keys are (null: only unsealed, pre-vault events can be read). */
  constructor(vault: Pick<KeyVault, 'get'> | null = null) {
    this.sealed = new SealedReader(vault);
  }

  async prepare(events: readonly StoredEvent[]): Promise<void> {
    const sealed = events.filter(
      (e) => (e.type === 'alerts.subscriber.registered' || e.type === 'alerts.subscriber.updated') && 'personal' in (e.data as object),
    );
    await this.sealed.prepare(sealed.map((e) => personalDataSubject((e.data as { subscriberId: string }).subscriberId)));
  }

  apply(e: StoredEvent): void {
    const erased = erasedBy(e);
    if (erased) {
      // Retention reached or erased at their request: forgotten like someone who unsubscribed.
      for (const subject of erased.subjects) {
        if (!subject.startsWith('subscriber:')) continue;
        const subscriberId = subject.slice('subscriber:'.length);
        this.drop(subscriberId);
        this.erased.add(subscriberId);
      }
      return;
    }
    if (e.type === 'alerts.subscriber.registered') {
      const data = e.data as SubscriberEvents['alerts.subscriber.registered'];
      const subscriber = 'subscriber' in data ? data.subscriber : this.unseal(data);
      // A shredded key: the person unsubscribed; their data in the log stay unreadable.
      if (!subscriber) return;
      this.put(subscriber, e.orgId);
      this.byTokenHash.set(data.tokenHash, subscriber.subscriberId);
    } else if (e.type === 'alerts.subscriber.updated') {
      const subscriber = this.unseal(e.data as SubscriberEvents['alerts.subscriber.updated']);
      // An update of someone who left is not a new subscription.
      if (subscriber && this.subscribers.has(subscriber.subscriberId)) this.put(subscriber, this.ownerOf.get(subscriber.subscriberId) ?? e.orgId);
    } else if (e.type === 'alerts.subscriber.unsubscribed') {
      const { subscriberId } = e.data as SubscriberEvents['alerts.subscriber.unsubscribed'];
      this.drop(subscriberId);
      this.erased.add(subscriberId);
    }
  }

  private unseal(data: SealedSubscriber): Subscriber | null {
    const plain = this.sealed.openString(personalDataSubject(data.subscriberId), data.personal);
    if (!plain) return null;
    const personal = JSON.parse(plain) as PersonalData;
    return { subscriberId: data.subscriberId, language: data.language, consentAt: data.consentAt, consentSource: data.consentSource, ...personal };
  }

  private put(subscriber: Subscriber, owner: string | null): void {
    this.drop(subscriber.subscriberId);
    this.subscribers.set(subscriber.subscriberId, subscriber);
    this.ownerOf.set(subscriber.subscriberId, owner);
    if (subscriber.phone) this.byPhone.set(phoneKey(subscriber.phone), subscriber.subscriberId);
    this.pointsOf.set(
      subscriber.subscriberId,
      subscriber.locations.map((l) => {
        const id = this.freePoints.pop() ?? this.pointOwner.length;
        this.pointOwner[id] = subscriber;
        this.grid.add(id, l.position);
        return id;
      }),
    );
  }

  private drop(subscriberId: string): void {
    for (const id of this.pointsOf.get(subscriberId) ?? []) {
      this.grid.remove(id);
      this.pointOwner[id] = undefined;
      this.freePoints.push(id);
    }
    this.pointsOf.delete(subscriberId);
    const phone = this.subscribers.get(subscriberId)?.phone;
    if (phone && this.byPhone.get(phoneKey(phone)) === subscriberId) this.byPhone.delete(phoneKey(phone));
    this.subscribers.delete(subscriberId);
    this.ownerOf.delete(subscriberId);
  }

  /**
   * Subscribers with any location (home, work, last known) inside the area, each once, in
   * the order the grid finds their first point. Only people with several places need the
   * set that keeps them once (most have one: no lookup for them).
   */
  within(area: TargetArea): Subscriber[] {
    const found: Subscriber[] = [];
    const several = new Set<Subscriber>();
    this.grid.query(area, (point) => {
      const s = this.pointOwner[point];
      if (!s) return;
      if (s.locations.length > 1) {
        if (several.has(s)) return;
        several.add(s);
      }
      found.push(s);
    });
    return found;
  }
}
