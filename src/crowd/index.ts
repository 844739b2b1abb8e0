import type { MqttTopicRouter } from '../adapters/protocols/mqtt/topic-router.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { CountIngest } from './count-ingest.js';
import { CrowdService, type CrowdDeps } from './crowd-service.js';
import { CrowdState } from './crowd-state.js';
import { crowdRoutes } from './routes.js';
import { crowdLiveView } from './live-view.js';

export { CrowdService } from './crowd-service.js';
export type { CrowdDeps, GateInput, ZoneInput } from './crowd-service.js';
export { footRouting } from './foot-routing.js';

export interface CrowdCapability extends Capability {
  service: CrowdService;
}

/** Crowd density: people counts per zone, density levels with hysteresis, alarms, gate and re-routing suggestions. */
export function createCrowdCapability(ctx: AppContext, deps: CrowdDeps & { mqtt: MqttTopicRouter }, windowMs = 1000): CrowdCapability {
  const state = new CrowdState();
  const service = new CrowdService(ctx, state, deps, windowMs);
  const counts = new CountIngest(ctx, service);
  deps.mqtt.route({ filter: ctx.config.mqttTopic, type: 'people-count', handle: (message) => counts.mqttCount(message) });
  return {
    name: 'crowd',
    projections: [state],
    routes: crowdRoutes(service),
    liveViews: [crowdLiveView(service)],
    service,
    async stop() {
      await service.counts.flush();
    },
  };
}
