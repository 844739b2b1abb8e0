import { randomBytes } from 'node:crypto';
import { pushEndpointProblem } from '../../adapters/http/push-hosts.js';
import { badRequest, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { AppContext } from '../../platform/app-context.js';
import {
  hashToken,
  personalDataSubject,
  type PersonalData,
  type SealedSubscriber,
  type Subscriber,
  type SubscriberLocation,
  type SubscribersState,
} from './subscribers-state.js';

export interface SubscribeInput {
  name?: string | null;
  language: string;
  email?: string | null;
  phone?: string | null;
  locations: { kind: SubscriberLocation['kind']; lat: number; lon: number }[];
  push?: { endpoint: string; keys: { p256dh: string; auth: string } } | null;
  consent: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+[1-9]\d{6,14}$/;

/**
 * Citizens, staff and visitors who asked to be warned, with their consent. Their
 * personal data go into the log sealed under a key of their own; unsubscribing
 * shreds that key, so they are forgotten in the log, its backups and every node.
 */
export class SubscribersService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: SubscribersState,
  ) {}

  /** Returns the subscriber and the token that unsubscribes them (given once, kept only hashed). */
  async register(input: SubscribeInput, source: string, orgId: string | null = null): Promise<{ subscriber: Subscriber; token: string }> {
    const subscriber: Subscriber = { subscriberId: newId('sub'), ...this.checked(input, source) };
    const token = randomBytes(24).toString('base64url');
    await this.ctx.record([
      {
        type: 'alerts.subscriber.registered',
        subject: `subscriber:${subscriber.subscriberId}`,
        orgId,
        actor: source,
        data: { ...(await this.sealed(subscriber)), tokenHash: hashToken(token) },
      },
    ]);
    return { subscriber, token };
  }

  /**
   * Many subscribers at once (an import, the demo's): their keys made in one vault transaction
   * and their events in one append. Each is checked as `register` checks one; any bad input refuses all.
   */
  async registerMany(inputs: readonly SubscribeInput[], source: string, orgId: string | null = null): Promise<{ subscriber: Subscriber; token: string }[]> {
    const made = inputs.map((input) => ({
      subscriber: { subscriberId: newId('sub'), ...this.checked(input, source) } as Subscriber,
      token: randomBytes(24).toString('base64url'),
    }));
    const sealed = await this.ctx.personal.sealMany(
      made.map(({ subscriber: { subscriberId, language, consentAt, consentSource, ...personal } }) => ({
        subject: personalDataSubject(subscriberId),
        value: personal satisfies PersonalData,
      })),
    );
    await this.ctx.record(
      made.map(({ subscriber, token }, i) => ({
        type: 'alerts.subscriber.registered',
        subject: `subscriber:${subscriber.subscriberId}`,
        orgId,
        actor: source,
        data: {
          subscriberId: subscriber.subscriberId,
          language: subscriber.language,
          consentAt: subscriber.consentAt,
          consentSource: subscriber.consentSource,
          personal: sealed[i]!.sealed,
          tokenHash: hashToken(token),
        },
      })),
    );
    return made;
  }

  /** The event form of a subscriber: what identifies or locates them sealed under their key, durable in the vault before it reaches the log. */
  private async sealed(subscriber: Subscriber): Promise<SealedSubscriber> {
    const { subscriberId, language, consentAt, consentSource, ...rest } = subscriber;
    const personal: PersonalData = rest;
    // Sealing renews the key's last use: retention of a subscriber counts from their last change.
    const { sealed } = await this.ctx.personal.seal(personalDataSubject(subscriberId), personal);
    return { subscriberId, language, consentAt, consentSource, personal: sealed };
  }

  /** Replaces what a subscriber gave (places, language, channels) under the same token: one person stays one subscriber. */
  async update(token: string, input: SubscribeInput, source: string): Promise<Subscriber> {
    const current = this.byToken(token);
    const subscriber: Subscriber = { subscriberId: current.subscriberId, ...this.checked(input, source) };
    await this.record(subscriber);
    return subscriber;
  }

  /** "I am here now": the last known location replaces the previous one; home and work stay. */
  async moveTo(token: string, at: { lat: number; lon: number }): Promise<Subscriber> {
    const current = this.byToken(token);
    const subscriber: Subscriber = {
      ...current,
      locations: [...current.locations.filter((l) => l.kind !== 'last'), { kind: 'last', position: [at.lon, at.lat] }],
    };
    await this.record(subscriber);
    return subscriber;
  }

  /** The subscriber a token belongs to; an unknown or spent token is not found. */
  byToken(token: string): Subscriber {
    const subscriberId = this.state.byTokenHash.get(hashToken(token));
    const subscriber = subscriberId ? this.state.subscribers.get(subscriberId) : undefined;
    if (!subscriber) throw notFound('subscription', 'for this link');
    return subscriber;
  }

  private async record(subscriber: Subscriber): Promise<void> {
    await this.ctx.record([
      {
        type: 'alerts.subscriber.updated',
        subject: `subscriber:${subscriber.subscriberId}`,
        orgId: this.state.ownerOf.get(subscriber.subscriberId) ?? null,
        actor: 'public',
        data: await this.sealed(subscriber),
      },
    ]);
  }

  /** The subscriber's data from their input, checked: consent, addresses, push keys, at least one channel and place. */
  private checked(input: SubscribeInput, source: string): Omit<Subscriber, 'subscriberId'> {
    if (input.consent !== true) throw badRequest('subscribing needs your consent to be warned on the channels you give');
    const email = input.email?.trim() || null;
    const phone = input.phone?.replace(/[\s().-]/g, '') || null;
    if (email && !EMAIL.test(email)) throw badRequest(`"${email}" is not an e-mail address`);
    if (phone && !PHONE.test(phone)) throw badRequest('a phone number is in international form: +377 6 12 34 56 78');
    const push = input.push ? { endpoint: input.push.endpoint, keys: { p256dh: input.push.keys.p256dh, auth: input.push.keys.auth } } : null;
    if (push) {
      const problem = pushEndpointProblem(push.endpoint, this.ctx.config.pushHosts);
      if (problem) throw badRequest(problem);
      if (Buffer.from(push.keys.p256dh, 'base64url').length !== 65 || Buffer.from(push.keys.auth, 'base64url').length !== 16)
        throw badRequest('push keys: p256dh is a 65-byte P-256 point, auth 16 bytes (base64url)');
    }
    if (!email && !phone && !push) throw badRequest('give at least an e-mail address, a phone number or a push subscription');
    if (input.locations.length === 0) throw badRequest('give at least one location (home, work or where you are)');
    return {
      name: input.name?.trim() || null,
      language: input.language,
      email,
      phone,
      push,
      locations: input.locations.map((l) => ({ kind: l.kind, position: [l.lon, l.lat] })),
      consentAt: new Date(this.ctx.clock.now()).toISOString(),
      consentSource: source,
    };
  }

  /** Records that the person left, then shreds their key: from then on their data in the log cannot be read. */
  async unsubscribe(token: string): Promise<void> {
    const { subscriberId } = this.byToken(token);
    await this.ctx.record([
      {
        type: 'alerts.subscriber.unsubscribed',
        subject: `subscriber:${subscriberId}`,
        orgId: this.state.ownerOf.get(subscriberId) ?? null,
        actor: 'public',
        data: { subscriberId },
      },
    ]);
    await this.ctx.personal.shred([personalDataSubject(subscriberId)]);
    this.state.erased.delete(subscriberId);
  }

  /** Shreds the keys of everyone who unsubscribed (a node that stopped between recording and shredding left one behind). */
  async shredErased(): Promise<number> {
    let shredded = 0;
    for (const subscriberId of this.state.erased) shredded += await this.ctx.personal.shred([personalDataSubject(subscriberId)]);
    this.state.erased.clear();
    return shredded;
  }
}
