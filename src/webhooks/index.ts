import type { Principal, Role } from '../platform/access.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { LiveViews, type LiveView } from '../platform/live-view.js';
import { WebhookDispatcher } from './dispatcher.js';
import { webhooksRoutes } from './routes.js';
import { WebhooksService } from './webhooks-service.js';
import { WebhooksState } from './webhooks-state.js';

export { verifyWebhook, signWebhook } from '../adapters/http/webhook-signature.js';

export interface WebhooksDeps {
  /** Every capability's live views: a subscription receives an event as the live feed would show it to its principal. */
  liveViews: () => readonly LiveView[];
  principalForOrg: (orgId: string, roles: readonly Role[], actor: string, displayName: string) => Principal | null;
  checkDelegatedRoles: (roles: readonly string[], by: Principal) => Role[];
}

export interface WebhooksCapability extends Capability {
  service: WebhooksService;
  dispatcher: WebhookDispatcher;
}

/** Outgoing webhooks for every capability: subscriptions per organisation, filtered by the live feed's policy. */
export function createWebhooksCapability(ctx: AppContext, deps: WebhooksDeps): WebhooksCapability {
  const state = new WebhooksState();
  let views: LiveViews | null = null;
  const dispatcher = new WebhookDispatcher(ctx, state, {
    views: () => (views ??= new LiveViews(deps.liveViews())),
    principalOf: (s) => deps.principalForOrg(s.orgId, s.roles, `webhook:${s.subscriptionId}`, s.name),
  });
  const service = new WebhooksService(ctx, state, dispatcher, deps.checkDelegatedRoles);
  const follow = (leader: boolean): void => {
    if (leader) dispatcher.start();
    else void dispatcher.stop();
  };
  return {
    name: 'webhooks',
    projections: [state],
    routes: webhooksRoutes(service),
    service,
    dispatcher,
    async listen() {
      ctx.leadership.onChange(follow);
      if (ctx.leadership.isLeader()) dispatcher.start();
    },
    async stop() {
      await dispatcher.stop();
    },
  };
}
