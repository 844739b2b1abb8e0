import type { AppContext, Capability } from '../platform/app-context.js';
import { PrivacyService, type PrivacyDeps } from './privacy-service.js';
import { PrivacyState } from './privacy-state.js';
import { privacyRoutes } from './routes.js';

export { PrivacyService } from './privacy-service.js';

export interface PrivacyCapability extends Capability {
  service: PrivacyService;
}

/**
 * Privacy by retention (docs/privacy.md): the retention job shreds the keys of personal
 * records past their period; reads of personal data are shown to the owners; a data
 * subject's export and erasure.
 */
export function createPrivacyCapability(ctx: AppContext, deps: PrivacyDeps): PrivacyCapability {
  const state = new PrivacyState();
  const service = new PrivacyService(ctx, state, deps);
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  const tick = async (): Promise<void> => {
    // One node of a cluster runs it (the leader); a run still going is not started twice.
    if (running || !ctx.leadership.isLeader()) return;
    running = true;
    try {
      await service.runRetention();
    } catch (error) {
      ctx.logger.error({ err: error }, 'retention run failed; the next run tries again');
    } finally {
      running = false;
    }
  };
  return {
    name: 'privacy',
    projections: [state],
    routes: privacyRoutes(service),
    service,
    // Only `vigil serve` runs the job on a schedule (`vigil retention run` runs it once).
    async listen() {
      timer = setInterval(() => void tick(), ctx.config.retentionEveryMs);
      timer.unref();
      void tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
