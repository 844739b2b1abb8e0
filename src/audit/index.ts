import type { AppContext, Capability } from '../platform/app-context.js';
import { auditRoutes } from './routes.js';
import { auditLiveView } from './live-view.js';

export { verifyChain } from '../platform/chain-verifier.js';
export { queryAudit } from './audit-query.js';

/** The audit trail is the event log itself (hash-chained); this capability reads and verifies it. */
export function createAuditCapability(ctx: AppContext): Capability {
  return { name: 'audit', routes: auditRoutes(ctx), liveViews: [auditLiveView()] };
}
