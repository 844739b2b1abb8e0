import type { AppContext, Capability } from '../platform/app-context.js';
import { AlertsService } from './alerts-service.js';
import { AlertsState } from './alerts-state.js';
import { alertsRoutes } from './routes.js';

export { AlertsService } from './alerts-service.js';

export interface AlertsCapability extends Capability {
  service: AlertsService;
}

/** Public alert and mass notification: CAP 1.2 alerts, approval, import and the public feed. */
export function createAlertsCapability(ctx: AppContext): AlertsCapability {
  const state = new AlertsState();
  const service = new AlertsService(ctx, state);
  return { name: 'alerts', projections: [state], routes: alertsRoutes(service), service };
}
