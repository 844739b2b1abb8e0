import { postOnce } from '../../../adapters/http/outbound-http.js';
import {
  checkWebhookUrl,
  MAX_ROTATION_GRACE_HOURS,
  newWebhookSecret,
  ROTATION_GRACE_HOURS,
  signedWebhookHeaders,
} from '../../../adapters/http/webhook-signature.js';
import { badRequest, notFound, VigilError } from '../../../kernel/errors.js';
import { newId } from '../../../kernel/ids.js';
import type { Principal } from '../../../platform/access.js';
import type { AppContext } from '../../../platform/app-context.js';
import type { AlertRecord } from '../../model.js';
import { capWebhookBody, deliveryId, secretsOf, webhookEventOf } from './cap-webhook-request.js';
import { InFlightDeliveries } from './in-flight.js';
import type {
  WebhookChanges,
  WebhookDelivery,
  WebhookDeliveryLine,
  WebhookEndpoint,
  WebhookEvent,
  WebhookEvents,
  WebhookFormat,
  WebhooksState,
} from './webhooks-state.js';

export interface WebhookInput {
  name: string;
  description?: string;
  url: string;
  events: WebhookEvent[];
  includeExercise: boolean;
  format: WebhookFormat;
  /** Optional: the receiver's own secret (16+ characters); otherwise Vigil makes one. */
  secret?: string;
}

export type WebhookEdit = Partial<Omit<WebhookInput, 'secret'>>;

export interface WebhookRotation {
  /** Hours during which POSTs are signed with the old secret too (0: at once; default 24, at most 168). */
  graceHours?: number;
  secret?: string;
}

/** An endpoint as the API shows it: never a secret. */
export interface WebhookView extends Omit<WebhookEndpoint, 'secretSealed' | 'previousSecretSealed' | 'previousSecretUntil' | 'description' | 'paused'> {
  description: string;
  paused: boolean;
  /** After a rotation, until when POSTs carry a second signature with the previous secret. */
  previousSecretUntil: string | null;
  delivered: number;
  failed: number;
  /** POSTs not settled yet (an attempt under way or a retry waiting), on the node sending them. */
  inFlight: number;
}

export const MAX_WEBHOOKS_PER_ORG = 50;

/** Organisations' webhook endpoints: registered by their alert officers and admins, secrets sealed in the log. */
export class WebhooksService {
  /** POSTs the channel has under way on this node (pending, retrying). */
  readonly inFlight: InFlightDeliveries;

  constructor(
    private readonly ctx: AppContext,
    readonly state: WebhooksState,
    /** An alert by id, to send it again (resend). */
    private readonly alertOf: (alertId: string) => AlertRecord | undefined = () => undefined,
  ) {
    this.inFlight = new InFlightDeliveries(() => ctx.clock.now());
  }

  list(by: Principal): WebhookView[] {
    return by.orgId ? this.state.ofOrg(by.orgId).map((w) => this.view(w)) : [];
  }

  private view(w: WebhookEndpoint): WebhookView {
    const { secretSealed: _s, previousSecretSealed: _p, previousSecretUntil, description, paused, ...shown } = w;
    const log = this.state.logs.get(w.webhookId);
    return {
      ...shown,
      description: description ?? '',
      paused: paused === true,
      previousSecretUntil: previousSecretUntil && Date.parse(previousSecretUntil) > this.ctx.clock.now() ? previousSecretUntil : null,
      delivered: log?.delivered ?? 0,
      failed: log?.failed ?? 0,
      inFlight: this.inFlight.count(w.webhookId),
    };
  }

  /** Registers an endpoint; the secret is returned this once and never again. */
  async register(input: WebhookInput, by: Principal): Promise<{ webhook: WebhookView; secret: string }> {
    if (!by.orgId) throw badRequest('a webhook belongs to an organisation');
    if (this.state.ofOrg(by.orgId).length >= MAX_WEBHOOKS_PER_ORG)
      throw new VigilError('conflict', `an organisation has at most ${MAX_WEBHOOKS_PER_ORG} webhooks`);
    const url = checkWebhookUrl(input.url, this.ctx.config.webhookAllowPrivate);
    if (input.events.length === 0) throw badRequest('choose at least one event: issued, updated, cancelled');
    const secret = input.secret ?? newWebhookSecret();
    const webhook: WebhookEndpoint = {
      webhookId: newId('whk'),
      orgId: by.orgId,
      name: input.name.trim() || new URL(url).host,
      ...(input.description?.trim() ? { description: input.description.trim() } : {}),
      url,
      events: [...new Set(input.events)],
      includeExercise: input.includeExercise,
      format: input.format,
      secretSealed: this.ctx.secrets.seal(secret),
      createdBy: by.actor,
      createdAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.ctx.record([
      {
        type: 'alerts.webhook.registered',
        subject: `webhook:${webhook.webhookId}`,
        orgId: by.orgId,
        actor: by.actor,
        data: { webhook } satisfies WebhookEvents['alerts.webhook.registered'],
      },
    ]);
    return { webhook: this.view(webhook), secret };
  }

  private owned(webhookId: string, by: Principal): WebhookEndpoint {
    const w = this.state.endpoints.get(webhookId);
    if (!w || w.orgId !== by.orgId) throw notFound('webhook', webhookId);
    return w;
  }

  private async recordOf<K extends keyof WebhookEvents>(w: WebhookEndpoint, actor: string, type: K, data: WebhookEvents[K]): Promise<void> {
    await this.ctx.record([{ type, subject: `webhook:${w.webhookId}`, orgId: w.orgId, actor, data }]);
  }

  async remove(webhookId: string, by: Principal): Promise<void> {
    const w = this.owned(webhookId, by);
    await this.recordOf(w, by.actor, 'alerts.webhook.removed', { webhookId });
  }

  /** Changes its name, description, URL, events, exercises or format (checked as when registered); the secret stays. */
  async update(webhookId: string, edit: WebhookEdit, by: Principal): Promise<WebhookView> {
    const w = this.owned(webhookId, by);
    const changes: WebhookChanges = {};
    if (edit.name !== undefined) changes.name = edit.name.trim() || new URL(edit.url ?? w.url).host;
    if (edit.description !== undefined) changes.description = edit.description.trim();
    if (edit.url !== undefined) changes.url = checkWebhookUrl(edit.url, this.ctx.config.webhookAllowPrivate);
    if (edit.events !== undefined) {
      if (edit.events.length === 0) throw badRequest('choose at least one event: issued, updated, cancelled');
      changes.events = [...new Set(edit.events)];
    }
    if (edit.includeExercise !== undefined) changes.includeExercise = edit.includeExercise;
    if (edit.format !== undefined) changes.format = edit.format;
    const changed = Object.fromEntries(
      Object.entries(changes).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify((w as unknown as Record<string, unknown>)[k])),
    ) as WebhookChanges;
    if (Object.keys(changed).length > 0) await this.recordOf(w, by.actor, 'alerts.webhook.updated', { webhookId, changes: changed });
    // Built from what was recorded: the projection may apply it a moment later.
    return this.view({ ...w, ...changed });
  }

  /** Paused: alerts issued while paused are not sent to it, then or later. */
  async pause(webhookId: string, by: Principal): Promise<WebhookView> {
    const w = this.owned(webhookId, by);
    if (!w.paused) await this.recordOf(w, by.actor, 'alerts.webhook.paused', { webhookId });
    return this.view({ ...w, paused: true });
  }

  async resume(webhookId: string, by: Principal): Promise<WebhookView> {
    const w = this.owned(webhookId, by);
    if (w.paused) await this.recordOf(w, by.actor, 'alerts.webhook.resumed', { webhookId });
    return this.view({ ...w, paused: false });
  }

  /** A new secret, returned this once; the old one still signs POSTs (a second `v1`) during the grace period. */
  async rotateSecret(webhookId: string, input: WebhookRotation, by: Principal): Promise<{ webhook: WebhookView; secret: string }> {
    const w = this.owned(webhookId, by);
    const graceHours = input.graceHours ?? ROTATION_GRACE_HOURS;
    if (!Number.isFinite(graceHours) || graceHours < 0 || graceHours > MAX_ROTATION_GRACE_HOURS)
      throw badRequest(`the grace period is 0 to ${MAX_ROTATION_GRACE_HOURS} hours`);
    const secret = input.secret ?? newWebhookSecret();
    const rotated = {
      webhookId,
      secretSealed: this.ctx.secrets.seal(secret),
      previousSecretSealed: w.secretSealed,
      previousSecretUntil: new Date(this.ctx.clock.now() + graceHours * 3_600_000).toISOString(),
    };
    await this.recordOf(w, by.actor, 'alerts.webhook.secret-rotated', rotated);
    return { webhook: this.view({ ...w, ...rotated }), secret };
  }

  /** The delivery log: POSTs in flight on this node first, then the last 200 settled, newest first. */
  deliveries(webhookId: string, by: Principal): WebhookDeliveryLine[] {
    const w = this.owned(webhookId, by);
    return [...this.inFlight.of(w.webhookId), ...(this.state.logs.get(w.webhookId)?.lines ?? [])];
  }

  /** Records a settled POST in the endpoint's log (the channel, a test, a resend). */
  async logDelivery(w: WebhookEndpoint, d: Omit<WebhookDelivery, 'webhookId'>, actor = 'system'): Promise<void> {
    await this.recordOf(w, actor, 'alerts.webhook.delivered', { webhookId: w.webhookId, ...d });
  }

  /** One signed POST now (no retries), its outcome recorded in the log: a `webhook.test`, or an alert sent again. */
  private async sendOnce(w: WebhookEndpoint, alert: AlertRecord | null, by: Principal): Promise<WebhookDeliveryLine> {
    const secrets = secretsOf(this.ctx, w);
    if (secrets === null) throw new VigilError('conflict', 'its secret was sealed under another installation key: rotate it');
    const now = this.ctx.clock.now();
    const id = alert ? deliveryId(alert.alertId, w.webhookId) : `${deliveryId(`test-${now.toString(36)}`, w.webhookId)}`;
    const event = alert ? `alert.${webhookEventOf(alert)}` : 'webhook.test';
    const { body, contentType } = alert
      ? capWebhookBody(w, alert, id)
      : { body: JSON.stringify({ event, deliveryId: id, webhookId: w.webhookId, at: new Date(now).toISOString() }), contentType: 'application/json' };
    const result = await postOnce(w.url, body, signedWebhookHeaders(secrets, contentType, event, id, body, now), {
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
      publicOnly: !this.ctx.config.webhookAllowPrivate,
    });
    const line: Omit<WebhookDelivery, 'webhookId'> = {
      deliveryId: id,
      alertId: alert?.alertId ?? null,
      event,
      outcome: result.ok ? 'delivered' : 'failed',
      attempts: 1,
      status: result.ok ? result.value.status : (result.status ?? null),
      error: result.ok ? null : result.error.slice(0, 300),
      test: alert === null,
      resend: alert !== null,
    };
    await this.logDelivery(w, line, by.actor);
    return { ...line, at: new Date(now).toISOString() };
  }

  /** A signed `webhook.test` POST now, once. */
  async test(webhookId: string, by: Principal): Promise<WebhookDeliveryLine> {
    return this.sendOnce(this.owned(webhookId, by), null, by);
  }

  /** Sends a delivery of the log once more, now, with the same delivery id (a test is sent as a new test). */
  async resend(webhookId: string, id: string, by: Principal): Promise<WebhookDeliveryLine> {
    const w = this.owned(webhookId, by);
    const line = this.state.logs.get(webhookId)?.lines.find((l) => l.deliveryId === id);
    if (!line) throw notFound('delivery', id);
    if (line.alertId === null) return this.sendOnce(w, null, by);
    const alert = this.alertOf(line.alertId);
    if (!alert) throw new VigilError('conflict', 'the alert is no longer kept');
    return this.sendOnce(w, alert, by);
  }
}
