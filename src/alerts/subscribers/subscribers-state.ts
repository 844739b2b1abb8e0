import { createHash } from 'node:crypto';
import type { StoredEvent } from '../../platform/event-log.js';
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

export interface SubscriberEvents {
  /** `tokenHash`: SHA-256 of the unsubscribe token given to the person (never the token). */
  'alerts.subscriber.registered': { subscriber: Subscriber; tokenHash: string };
  'alerts.subscriber.unsubscribed': { subscriberId: string };
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Subscribers and a spatial index of their locations, rebuilt from the log. */
export class SubscribersState implements Projection {
  readonly name = 'alert-subscribers';
  readonly typePrefixes = ['alerts.subscriber.'];
  readonly subscribers = new Map<string, Subscriber>();
  readonly byTokenHash = new Map<string, string>();
  /** The organisation that holds each subscriber's data. */
  readonly ownerOf = new Map<string, string | null>();
  /** Phone number as digits → subscriber (for answers by SMS). */
  readonly byPhone = new Map<string, string>();
  private readonly grid = new PointGrid();
  private readonly pointOwner: string[] = [];
  private readonly pointsOf = new Map<string, number[]>();

  apply(e: StoredEvent): void {
    if (e.type === 'alerts.subscriber.registered') {
      const { subscriber, tokenHash } = e.data as SubscriberEvents['alerts.subscriber.registered'];
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
      this.drop((e.data as SubscriberEvents['alerts.subscriber.unsubscribed']).subscriberId);
    }
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
