import type { CityReadPort } from '../city/contract.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { EarlyWarningService, type AlertDrafting } from './early-warning-service.js';
import { EarlyWarningState } from './early-warning-state.js';
import { earlyWarningRoutes } from './routes.js';
import { earlyWarningLiveView } from './live-view.js';

export { EarlyWarningService, draftInput, type AlertDrafting } from './early-warning-service.js';
export type { EarlyWarningState } from './early-warning-state.js';

export interface EarlyWarningCapability extends Capability {
  service: EarlyWarningService;
}

/**
 * Early warning: rules over the sensor readings alarms records (`alarms.signal.received`)
 * that draft public alerts for approval through the alerts capability (`deps.alerts`).
 */
export function createEarlyWarningCapability(ctx: AppContext, deps: { city: CityReadPort; alerts: AlertDrafting }): EarlyWarningCapability {
  const service = new EarlyWarningService(ctx, new EarlyWarningState(deps.city), deps.alerts, deps.city);
  return {
    name: 'early-warning',
    projections: [service.state],
    routes: earlyWarningRoutes(service),
    liveViews: [earlyWarningLiveView()],
    service,
    async start() {
      // After the log was replayed: drafts firings decided but not yet written.
      service.start();
    },
    async stop() {
      await service.stop();
    },
  };
}
