import { createHash } from 'node:crypto';
import type { StoredEvent } from '../../platform/event-log.js';
import type { Projection } from '../../platform/projection.js';
import type { LonLat, TargetArea } from '../targeting/area-geometry.js';
import { PointGrid } from '../targeting/point-grid.js';

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
  /** New places, language or channels of the same subscriber (same token, same owner). */
  'alerts.subscriber.updated': { subscriber: Subscriber };
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
  private readonly grid = new PointGrid();
  private readonly pointOwner: string[] = [];
  /** Point numbers given back by moved or departed subscribers, reused so that moving does not grow the grid. */
  private readonly freePoints: number[] = [];
  private readonly pointsOf = new Map<string, number[]>();

  apply(e: StoredEvent): void {
    if (e.type === 'alerts.subscriber.registered') {
      const { subscriber, tokenHash } = e.data as SubscriberEvents['alerts.subscriber.registered'];
      this.put(subscriber, e.orgId);
      this.byTokenHash.set(tokenHash, subscriber.subscriberId);
    } else if (e.type === 'alerts.subscriber.updated') {
      const { subscriber } = e.data as SubscriberEvents['alerts.subscriber.updated'];
      // An update of someone who left is not a new subscription.
      if (this.subscribers.has(subscriber.subscriberId)) this.put(subscriber, this.ownerOf.get(subscriber.subscriberId) ?? e.orgId);
    } else if (e.type === 'alerts.subscriber.unsubscribed') {
      this.drop((e.data as SubscriberEvents['alerts.subscriber.unsubscribed']).subscriberId);
    }
  }

  private put(subscriber: Subscriber, owner: string | null): void {
    this.drop(subscriber.subscriberId);
    this.subscribers.set(subscriber.subscriberId, subscriber);
    this.ownerOf.set(subscriber.subscriberId, owner);
    this.pointsOf.set(subscriber.subscriberId, subscriber.locations.map((l) => {
      const id = this.freePoints.pop() ?? this.pointOwner.length;
      this.pointOwner[id] = subscriber.subscriberId;
      this.grid.add(id, l.position);
      return id;
    }));
  }

  private drop(subscriberId: string): void {
    for (const id of this.pointsOf.get(subscriberId) ?? []) {
      this.grid.remove(id);
      this.freePoints.push(id);
    }
    this.pointsOf.delete(subscriberId);
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
