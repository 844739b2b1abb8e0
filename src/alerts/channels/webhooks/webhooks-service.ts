import { checkWebhookUrl, newWebhookSecret } from '../../../adapters/http/webhook-signature.js';
import { badRequest, notFound, VigilError } from '../../../kernel/errors.js';
import { newId } from '../../../kernel/ids.js';
import type { Principal } from '../../../platform/access.js';
import type { AppContext } from '../../../platform/app-context.js';
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
