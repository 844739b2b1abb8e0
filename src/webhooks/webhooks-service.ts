import { postOnce } from '../adapters/http/outbound-http.js';
import { checkWebhookUrl, newWebhookSecret } from '../adapters/http/webhook-signature.js';
import { badRequest, notFound, VigilError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { Principal, Role } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { can } from '../platform/policy.js';
import { WEBHOOK_EVENT_TYPES, type WebhookDeliveryView, type WebhookSubscriptionView } from './contract.js';
import { deliveryIdOf, webhookHeaders, type WebhookDispatcher } from './dispatcher.js';
import type { WebhookSubscription, WebhooksEvents, WebhooksState } from './webhooks-state.js';

export interface SubscriptionInput {
  name: string;
  url: string;
  eventTypes: string[];
  roles: string[];
  /** Optional: the receiver's own secret (16+ characters); otherwise Vigil makes one. */
  secret?: string;
}

export const MAX_SUBSCRIPTIONS_PER_ORG = 50;

/** Organisations' webhook subscriptions: made by their administrators, secrets sealed in the log. */
export class WebhooksService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: WebhooksState,
    private readonly dispatcher: WebhookDispatcher,
    private readonly checkRoles: (roles: readonly string[], by: Principal) => Role[],
  ) {}

  list(by: Principal): WebhookSubscriptionView[] {
    return by.orgId ? this.state.ofOrg(by.orgId).map((s) => this.view(s)) : [];
  }

  private view(s: WebhookSubscription): WebhookSubscriptionView {
    const p = this.state.progress.get(s.subscriptionId);
    return {
      subscriptionId: s.subscriptionId,
      orgId: s.orgId,
      name: s.name,
      url: s.url,
      eventTypes: s.eventTypes,
      roles: s.roles,
      createdBy: s.createdBy,
      createdAt: s.createdAt,
      pending: this.dispatcher.pendingCount(s.subscriptionId),
      delivered: p?.delivered ?? 0,
      failed: p?.failed ?? 0,
    };
  }

  private owned(subscriptionId: string, by: Principal): WebhookSubscription {
    const s = this.state.subscriptions.get(subscriptionId);
    if (!s || s.orgId !== by.orgId || !can(by, 'manage', { orgId: s.orgId })) throw notFound('webhook subscription', subscriptionId);
    return s;
  }

  /** Subscribes; the secret is returned this once and never again. Events from now on only. */
  async create(input: SubscriptionInput, by: Principal): Promise<{ subscription: WebhookSubscriptionView; secret: string }> {
    if (!by.orgId) throw badRequest('a webhook subscription belongs to an organisation');
    if (this.state.ofOrg(by.orgId).length >= MAX_SUBSCRIPTIONS_PER_ORG)
      throw new VigilError('conflict', `an organisation has at most ${MAX_SUBSCRIPTIONS_PER_ORG} webhook subscriptions`);
    const url = checkWebhookUrl(input.url, this.ctx.config.webhookAllowPrivate);
    const unknown = input.eventTypes.filter((t) => !WEBHOOK_EVENT_TYPES.includes(t));
    if (unknown.length > 0) throw badRequest(`no webhook for ${unknown.join(', ')}`);
    if (input.eventTypes.length === 0) throw badRequest('choose at least one event type');
    const roles = this.checkRoles(input.roles, by);
    if (roles.length === 0) throw badRequest('choose the roles it is sent as (what a user with them would see live)');
    const secret = input.secret ?? newWebhookSecret();
    const subscription: WebhookSubscription = {
      subscriptionId: newId('whs'),
      orgId: by.orgId,
      name: input.name.trim() || new URL(url).host,
      url,
      eventTypes: [...new Set(input.eventTypes)],
      roles,
      secretSealed: this.ctx.secrets.seal(secret),
      fromSeq: await this.ctx.log.lastSeq(),
      createdBy: by.actor,
      createdAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.ctx.record([
      {
        type: 'webhooks.subscription.created',
        subject: `webhook:${subscription.subscriptionId}`,
        orgId: by.orgId,
        actor: by.actor,
        data: { subscription } satisfies WebhooksEvents['webhooks.subscription.created'],
      },
    ]);
    return { subscription: this.view(subscription), secret };
  }

  async remove(subscriptionId: string, by: Principal): Promise<void> {
    const s = this.owned(subscriptionId, by);
    await this.ctx.record([
      {
        type: 'webhooks.subscription.removed',
        subject: `webhook:${subscriptionId}`,
        orgId: s.orgId,
        actor: by.actor,
        data: { subscriptionId } satisfies WebhooksEvents['webhooks.subscription.removed'],
      },
    ]);
  }

  /** The delivery log, newest first: retries waiting on this node, then what was settled. */
  deliveries(subscriptionId: string, by: Principal): WebhookDeliveryView[] {
    const s = this.owned(subscriptionId, by);
    return [...this.dispatcher.unsettled(s.subscriptionId), ...(this.state.progress.get(s.subscriptionId)?.log ?? [])];
  }

  /** One signed `webhook.test` POST now, once, its outcome recorded in the delivery log. */
  async test(subscriptionId: string, by: Principal): Promise<WebhookDeliveryView> {
    const s = this.owned(subscriptionId, by);
    const secret = this.ctx.secrets.open(s.secretSealed);
    if (secret === null) throw new VigilError('conflict', 'its secret was sealed under another installation key: make a new subscription');
    const at = new Date(this.ctx.clock.now()).toISOString();
    const deliveryId = `${deliveryIdOf(s.subscriptionId, 0)}_${this.ctx.clock.now().toString(36)}`;
    const body = JSON.stringify({
      deliveryId,
      subscriptionId: s.subscriptionId,
      event: 'webhook.test',
      seq: 0,
      at,
      subject: `webhook:${s.subscriptionId}`,
      orgId: s.orgId,
      data: {},
    });
    const result = await postOnce(s.url, body, webhookHeaders(secret, 'webhook.test', deliveryId, body, this.ctx.clock.now()), {
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
      publicOnly: !this.ctx.config.webhookAllowPrivate,
    });
    const settled = {
      subscriptionId: s.subscriptionId,
      deliveryId,
      seq: 0,
      eventType: 'webhook.test',
      outcome: result.ok ? ('delivered' as const) : ('failed' as const),
      attempts: 1,
      status: result.ok ? result.value.status : (result.status ?? null),
      error: result.ok ? null : result.error.slice(0, 300),
      test: true,
      cursor: 0,
    };
    await this.ctx.record([
      {
        type: 'webhooks.delivery.settled',
        subject: `webhook:${s.subscriptionId}`,
        orgId: s.orgId,
        actor: by.actor,
        data: settled satisfies WebhooksEvents['webhooks.delivery.settled'],
      },
    ]);
    return {
      deliveryId,
      seq: 0,
      eventType: 'webhook.test',
      outcome: settled.outcome,
      attempts: 1,
      status: settled.status,
      error: settled.error,
      at,
      test: true,
    };
  }
}
