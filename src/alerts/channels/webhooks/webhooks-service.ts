import { nonPublicLiteral } from '../../../adapters/http/outbound-guard.js';
import { badRequest, notFound, VigilError } from '../../../kernel/errors.js';
import { newId } from '../../../kernel/ids.js';
import type { Principal } from '../../../platform/access.js';
import type { AppContext } from '../../../platform/app-context.js';
import { newWebhookSecret } from './webhook-signature.js';
import type { WebhookEndpoint, WebhookEvent, WebhookEvents, WebhookFormat, WebhooksState } from './webhooks-state.js';

export interface WebhookInput {
  name: string;
  url: string;
  events: WebhookEvent[];
  includeExercise: boolean;
  format: WebhookFormat;
  /** Optional: the receiver's own secret (16+ characters); otherwise Vigil makes one. */
  secret?: string;
}

export const MAX_WEBHOOKS_PER_ORG = 50;

/** An endpoint URL Vigil will POST to: http or https, a host, no credentials in it. */
export function checkWebhookUrl(raw: string, allowPrivate = false): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badRequest(`"${raw.slice(0, 100)}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest(`a webhook URL is http or https, not ${u.protocol.replace(/:$/, '')}`);
  if (!u.hostname) throw badRequest('a webhook URL names a host');
  if (u.username || u.password) throw badRequest('no credentials in a webhook URL: the shared secret signs every request');
  // Names are checked again on every delivery, on the addresses they resolve to then (outbound-guard.ts).
  const local = nonPublicLiteral(u.hostname) !== null || u.hostname === 'localhost' || u.hostname.endsWith('.localhost');
  if (local && !allowPrivate)
    throw badRequest(
      `${u.hostname} is a private or local address: webhooks reach public addresses only (an installation with an on-premises hub sets VIGIL_WEBHOOK_ALLOW_PRIVATE=true)`,
    );
  return u.toString();
}

/** Organisations' webhook endpoints: registered by their alert officers and admins, secrets sealed in the log. */
export class WebhooksService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: WebhooksState,
  ) {}

  list(by: Principal): Omit<WebhookEndpoint, 'secretSealed'>[] {
    return by.orgId ? this.state.ofOrg(by.orgId).map(({ secretSealed: _sealed, ...w }) => w) : [];
  }

  /** Registers an endpoint; the secret is returned this once and never again. */
  async register(input: WebhookInput, by: Principal): Promise<{ webhook: Omit<WebhookEndpoint, 'secretSealed'>; secret: string }> {
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
    const { secretSealed: _sealed, ...shown } = webhook;
    return { webhook: shown, secret };
  }

  async remove(webhookId: string, by: Principal): Promise<void> {
    const w = this.state.endpoints.get(webhookId);
    if (!w || w.orgId !== by.orgId) throw notFound('webhook', webhookId);
    await this.ctx.record([
      {
        type: 'alerts.webhook.removed',
        subject: `webhook:${webhookId}`,
        orgId: w.orgId,
        actor: by.actor,
        data: { webhookId } satisfies WebhookEvents['alerts.webhook.removed'],
      },
    ]);
  }

  /** The plain secret of an endpoint, for signing (null when sealed under another key). */
  secretOf(w: WebhookEndpoint): string | null {
    return this.ctx.secrets.open(w.secretSealed);
  }
}
