import { postOnce } from '../adapters/http/outbound-http.js';
import { checkWebhookUrl, MAX_ROTATION_GRACE_HOURS, newWebhookSecret, ROTATION_GRACE_HOURS, signingSecrets } from '../adapters/http/webhook-signature.js';
import { badRequest, notFound, VigilError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { Principal, Role } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { can } from '../platform/policy.js';
import { WEBHOOK_EVENT_TYPES, type WebhookDeliveryView, type WebhookSubscriptionView } from './contract.js';
import { deliveryIdOf, webhookHeaders, type WebhookDispatcher } from './dispatcher.js';
import type { SubscriptionChanges, WebhookSubscription, WebhooksEvents, WebhooksState } from './webhooks-state.js';

export interface SubscriptionInput {
  name: string;
  url: string;
  eventTypes: string[];
  roles: string[];
  description?: string;
  /** Optional: the receiver's own secret (16+ characters); otherwise Vigil makes one. */
  secret?: string;
}

/** An edit: any of these, the others kept. */
export interface SubscriptionEdit {
  name?: string;
  description?: string;
  url?: string;
  eventTypes?: string[];
  roles?: string[];
}

export interface RotationInput {
  /** Hours during which deliveries are signed with the old secret too (0: at once; default 24, at most 168). */
  graceHours?: number;
  /** Optional: the receiver's own new secret (16+ characters). */
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
      description: s.description ?? '',
      url: s.url,
      eventTypes: s.eventTypes,
      paused: s.paused === true,
      previousSecretUntil: s.previousSecretUntil && Date.parse(s.previousSecretUntil) > this.ctx.clock.now() ? s.previousSecretUntil : null,
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
    checkEventTypes(input.eventTypes);
    const roles = this.checkRoles(input.roles, by);
    if (roles.length === 0) throw badRequest('choose the roles it is sent as (what a user with them would see live)');
    const secret = input.secret ?? newWebhookSecret();
    const subscription: WebhookSubscription = {
      subscriptionId: newId('whs'),
      orgId: by.orgId,
      name: input.name.trim() || new URL(url).host,
      ...(input.description?.trim() ? { description: input.description.trim() } : {}),
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
    const secret = signingSecrets((x) => this.ctx.secrets.open(x), s, this.ctx.clock.now());
    if (secret === null) throw new VigilError('conflict', 'its secret was sealed under another installation key: rotate it');
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

  private async recordOf(s: WebhookSubscription, by: Principal, type: keyof WebhooksEvents, data: unknown): Promise<void> {
    await this.ctx.record([{ type, subject: `webhook:${s.subscriptionId}`, orgId: s.orgId, actor: by.actor, data }]);
  }

  /** Changes its name, description, URL, event types or roles (checked as when it was made); the secret stays. */
  async update(subscriptionId: string, edit: SubscriptionEdit, by: Principal): Promise<WebhookSubscriptionView> {
    const s = this.owned(subscriptionId, by);
    const changes: SubscriptionChanges = {};
    if (edit.name !== undefined) changes.name = edit.name.trim() || new URL(edit.url ?? s.url).host;
    if (edit.description !== undefined) changes.description = edit.description.trim();
    if (edit.url !== undefined) changes.url = checkWebhookUrl(edit.url, this.ctx.config.webhookAllowPrivate);
    if (edit.eventTypes !== undefined) {
      checkEventTypes(edit.eventTypes);
      changes.eventTypes = [...new Set(edit.eventTypes)];
    }
    if (edit.roles !== undefined) {
      const roles = this.checkRoles(edit.roles, by);
      if (roles.length === 0) throw badRequest('choose the roles it is sent as (what a user with them would see live)');
      changes.roles = roles;
    }
    const changed = Object.fromEntries(
      Object.entries(changes).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify((s as unknown as Record<string, unknown>)[k])),
    ) as SubscriptionChanges;
    if (Object.keys(changed).length > 0)
      await this.recordOf(s, by, 'webhooks.subscription.updated', {
        subscriptionId,
        changes: changed,
      } satisfies WebhooksEvents['webhooks.subscription.updated']);
    // Built from what was recorded: the projection may apply it a moment later.
    return this.view({ ...s, ...changed });
  }

  /** Paused: nothing is queued or sent; the events of the pause are never sent (resuming starts from then). */
  async pause(subscriptionId: string, by: Principal): Promise<WebhookSubscriptionView> {
    const s = this.owned(subscriptionId, by);
    if (!s.paused) await this.recordOf(s, by, 'webhooks.subscription.paused', { subscriptionId } satisfies WebhooksEvents['webhooks.subscription.paused']);
    return this.view({ ...s, paused: true });
  }

  async resume(subscriptionId: string, by: Principal): Promise<WebhookSubscriptionView> {
    const s = this.owned(subscriptionId, by);
    if (s.paused)
      await this.recordOf(s, by, 'webhooks.subscription.resumed', {
        subscriptionId,
        fromSeq: await this.ctx.log.lastSeq(),
      } satisfies WebhooksEvents['webhooks.subscription.resumed']);
    return this.view({ ...s, paused: false });
  }

  /** A new secret, returned this once; the old one still signs deliveries (a second `v1`) during the grace period. */
  async rotateSecret(subscriptionId: string, input: RotationInput, by: Principal): Promise<{ subscription: WebhookSubscriptionView; secret: string }> {
    const s = this.owned(subscriptionId, by);
    const graceHours = checkGrace(input.graceHours);
    const secret = input.secret ?? newWebhookSecret();
    const rotated = {
      subscriptionId,
      secretSealed: this.ctx.secrets.seal(secret),
      previousSecretSealed: s.secretSealed,
      previousSecretUntil: new Date(this.ctx.clock.now() + graceHours * 3_600_000).toISOString(),
    } satisfies WebhooksEvents['webhooks.subscription.secret-rotated'];
    await this.recordOf(s, by, 'webhooks.subscription.secret-rotated', rotated);
    return { subscription: this.view({ ...s, ...rotated }), secret };
  }

  /** Sends a settled delivery of its log once more, now (a test is sent as a new test); the outcome joins the log. */
  async resend(subscriptionId: string, deliveryId: string, by: Principal): Promise<WebhookDeliveryView> {
    const s = this.owned(subscriptionId, by);
    const line = this.state.progress.get(subscriptionId)?.log.find((d) => d.deliveryId === deliveryId);
    if (!line) throw notFound('delivery', deliveryId);
    if (line.test) return this.test(subscriptionId, by);
    const sent = await this.dispatcher.sendAgain(s, line.seq);
    const settled = {
      subscriptionId,
      deliveryId,
      seq: line.seq,
      eventType: sent.eventType,
      outcome: sent.outcome,
      attempts: 1,
      status: sent.status,
      error: sent.error,
      test: false,
      resend: true,
      cursor: 0,
    };
    await this.recordOf(s, by, 'webhooks.delivery.settled', settled satisfies WebhooksEvents['webhooks.delivery.settled']);
    return { ...settled, at: new Date(this.ctx.clock.now()).toISOString() };
  }
}

function checkEventTypes(eventTypes: readonly string[]): void {
  const unknown = eventTypes.filter((t) => !WEBHOOK_EVENT_TYPES.includes(t));
  if (unknown.length > 0) throw badRequest(`no webhook for ${unknown.join(', ')}`);
  if (eventTypes.length === 0) throw badRequest('choose at least one event type');
}

/** The grace period of a rotation, in hours: 0 to a week, 24 when not given. */
export function checkGrace(graceHours: number | undefined): number {
  const h = graceHours ?? ROTATION_GRACE_HOURS;
  if (!Number.isFinite(h) || h < 0 || h > MAX_ROTATION_GRACE_HOURS) throw badRequest(`the grace period is 0 to ${MAX_ROTATION_GRACE_HOURS} hours`);
  return h;
}
