import { randomBytes } from 'node:crypto';
import { badRequest, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { sealWithKey } from '../../kernel/secrets.js';
import type { AppContext } from '../../platform/app-context.js';
import { hashToken, personalDataSubject, type PersonalData, type Subscriber, type SubscriberLocation, type SubscribersState } from './subscribers-state.js';

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
  constructor(private readonly ctx: AppContext, readonly state: SubscribersState) {}

  /** Returns the subscriber and the token that unsubscribes them (given once, kept only hashed). */
  async register(input: SubscribeInput, source: string, orgId: string | null = null): Promise<{ subscriber: Subscriber; token: string }> {
    if (input.consent !== true) throw badRequest('subscribing needs your consent to be warned on the channels you give');
    const email = input.email?.trim() || null;
    const phone = input.phone?.replace(/[\s().-]/g, '') || null;
    if (email && !EMAIL.test(email)) throw badRequest(`"${email}" is not an e-mail address`);
    if (phone && !PHONE.test(phone)) throw badRequest('a phone number is in international form: +377 6 12 34 56 78');
    const push = input.push ? { endpoint: input.push.endpoint, keys: { p256dh: input.push.keys.p256dh, auth: input.push.keys.auth } } : null;
    if (push) {
      const u = URL.canParse(push.endpoint) ? new URL(push.endpoint) : null;
      if (!u || u.protocol !== 'https:') throw badRequest('a push endpoint is an https: URL');
      if (Buffer.from(push.keys.p256dh, 'base64url').length !== 65 || Buffer.from(push.keys.auth, 'base64url').length !== 16) throw badRequest('push keys: p256dh is a 65-byte P-256 point, auth 16 bytes (base64url)');
    }
    if (!email && !phone && !push) throw badRequest('give at least an e-mail address, a phone number or a push subscription');
    if (input.locations.length === 0) throw badRequest('give at least one location (home, work or where you are)');
    const subscriber: Subscriber = {
      subscriberId: newId('sub'), name: input.name?.trim() || null, language: input.language, email, phone, push,
      locations: input.locations.map((l) => ({ kind: l.kind, position: [l.lon, l.lat] })),
      consentAt: new Date(this.ctx.clock.now()).toISOString(), consentSource: source,
    };
    const token = randomBytes(24).toString('base64url');
    const { subscriberId, language, consentAt, consentSource, ...rest } = subscriber;
    const personal: PersonalData = rest;
    // The key is durable in the vault before the sealed data reach the log.
    const key = await this.ctx.vault.create(personalDataSubject(subscriberId));
    await this.ctx.record([{ type: 'alerts.subscriber.registered', subject: `subscriber:${subscriberId}`, orgId, actor: source, data: { subscriberId, language, consentAt, consentSource, personal: sealWithKey(key, JSON.stringify(personal)), tokenHash: hashToken(token) } }]);
    return { subscriber, token };
  }

  /** Records that the person left, then shreds their key: from then on their data in the log cannot be read. */
  async unsubscribe(token: string): Promise<void> {
    const subscriberId = this.state.byTokenHash.get(hashToken(token));
    if (!subscriberId || !this.state.subscribers.has(subscriberId)) throw notFound('subscription', 'for this link');
    await this.ctx.record([{ type: 'alerts.subscriber.unsubscribed', subject: `subscriber:${subscriberId}`, orgId: this.state.ownerOf.get(subscriberId) ?? null, actor: 'public', data: { subscriberId } }]);
    await this.ctx.vault.shred(personalDataSubject(subscriberId));
    this.state.erased.delete(subscriberId);
  }

  /** Shreds the keys of everyone who unsubscribed (a node that stopped between recording and shredding left one behind). */
  async shredErased(): Promise<number> {
    let shredded = 0;
    for (const subscriberId of this.state.erased) if (await this.ctx.vault.shred(personalDataSubject(subscriberId))) shredded++;
    this.state.erased.clear();
    return shredded;
  }
}
