import { badRequest, VigilError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Principal } from '../../platform/access.js';
import type { AppContext } from '../../platform/app-context.js';
import type { NewEvent } from '../../platform/event-log.js';
import { assertCan, filterVisible } from '../../platform/policy.js';
import { checkWebhookUrl } from '../../adapters/http/webhook-signature.js';
import type { Channel } from '../model.js';
import { describeKey } from './cap-signature.js';
import type { ExchangeEvents, ExchangeState, FeedSubscription, TrustedSigner } from './exchange-state.js';

export const MAX_SIGNERS_PER_ORG = 200;
export const MAX_FEEDS_PER_ORG = 50;

export interface SignerInput {
  sender: string;
  name: string;
  pem: string;
}

export interface FeedInput {
  name: string;
  url: string;
  intervalSeconds: number;
  relayChannels: Channel[];
}

/** A feed URL: the same rules as a webhook's (http or https, no credentials, public addresses unless allowed), said of a feed. */
function feedUrl(raw: string, allowPrivate: boolean): string {
  try {
    return checkWebhookUrl(raw, allowPrivate);
  } catch (error) {
    if (error instanceof VigilError) throw badRequest(error.message.replace(/webhooks/g, 'feeds').replace(/webhook/g, 'feed'));
    throw error;
  }
}

/**
 * Who an organisation trusts to sign which sender's alerts, and which other agencies'
 * feeds it polls: managed by its alert officers and admins (policy 'manage', own
 * organisation only), recorded in the log.
 */
export class ExchangeService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: ExchangeState,
  ) {}

  private async record<K extends keyof ExchangeEvents>(type: K, subject: string, orgId: string, actor: string, data: ExchangeEvents[K]): Promise<void> {
    const e: NewEvent = { type, subject, orgId, actor, data };
    await this.ctx.record([e]);
  }

  signers(by: Principal): TrustedSigner[] {
    return filterVisible(by, this.state.signers.values(), (s) => s.orgId, 'manage').sort(
      (a, b) => a.sender.localeCompare(b.sender) || a.name.localeCompare(b.name),
    );
  }

  async trust(input: SignerInput, by: Principal): Promise<TrustedSigner> {
    if (!by.orgId) throw badRequest('a trusted signer belongs to an organisation');
    assertCan(by, 'manage', { orgId: by.orgId }, 'organisation', by.orgId);
    const sender = input.sender.trim();
    if (!sender || /[\s,&<]/.test(sender)) throw badRequest('the sender is a CAP <sender>: no spaces, commas or "&" / "<"');
    if ([...this.state.signers.values()].filter((s) => s.orgId === by.orgId).length >= MAX_SIGNERS_PER_ORG)
      throw new VigilError('conflict', `an organisation trusts at most ${MAX_SIGNERS_PER_ORG} signers`);
    const described = describeKey(input.pem);
    if (this.state.signersFor(by.orgId, sender).some((s) => s.fingerprint === described.fingerprint))
      throw new VigilError('conflict', `this key is already trusted for ${sender}`);
    const signer: TrustedSigner = {
      signerId: newId('sgn'),
      orgId: by.orgId,
      sender,
      name: input.name.trim() || described.subject || sender,
      pem: input.pem.trim(),
      ...described,
      addedBy: by.actor,
      addedAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.record('alerts.signer.trusted', `signer:${signer.signerId}`, by.orgId, by.actor, { signer });
    return signer;
  }

  async untrust(signerId: string, by: Principal): Promise<void> {
    const s = this.state.signers.get(signerId);
    if (!s) throw new VigilError('not_found', `trusted signer ${signerId} does not exist`);
    assertCan(by, 'manage', { orgId: s.orgId }, 'trusted signer', signerId);
    await this.record('alerts.signer.removed', `signer:${signerId}`, s.orgId, by.actor, { signerId });
  }

  feeds(by: Principal): (FeedSubscription & { status: ReturnType<ExchangeState['status']['get']> | null })[] {
    return filterVisible(by, this.state.feeds.values(), (f) => f.orgId, 'manage')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((f) => ({ ...f, status: this.state.status.get(f.feedId) ?? null }));
  }

  async subscribe(input: FeedInput, by: Principal): Promise<FeedSubscription> {
    if (!by.orgId) throw badRequest('a feed subscription belongs to an organisation');
    assertCan(by, 'manage', { orgId: by.orgId }, 'organisation', by.orgId);
    if ([...this.state.feeds.values()].filter((f) => f.orgId === by.orgId).length >= MAX_FEEDS_PER_ORG)
      throw new VigilError('conflict', `an organisation polls at most ${MAX_FEEDS_PER_ORG} feeds`);
    // The same rules as a webhook's URL: http(s), no credentials, public addresses unless the installation allows private ones.
    const url = feedUrl(input.url, this.ctx.config.webhookAllowPrivate);
    if ([...this.state.feeds.values()].some((f) => f.orgId === by.orgId && f.url === url)) throw new VigilError('conflict', `${url} is already polled`);
    const feed: FeedSubscription = {
      feedId: newId('fed'),
      orgId: by.orgId,
      name: input.name.trim() || new URL(url).host,
      url,
      intervalSeconds: input.intervalSeconds,
      relayChannels: [...new Set(input.relayChannels)],
      addedBy: by.actor,
      addedAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.record('alerts.feed.subscribed', `feed:${feed.feedId}`, by.orgId, by.actor, { feed });
    return feed;
  }

  async unsubscribe(feedId: string, by: Principal): Promise<void> {
    const f = this.feedFor(feedId, by);
    await this.record('alerts.feed.removed', `feed:${feedId}`, f.orgId, by.actor, { feedId });
  }

  feedFor(feedId: string, by: Principal): FeedSubscription {
    const f = this.state.feeds.get(feedId);
    if (!f) throw new VigilError('not_found', `feed ${feedId} does not exist`);
    assertCan(by, 'manage', { orgId: f.orgId }, 'feed', feedId);
    return f;
  }
}
