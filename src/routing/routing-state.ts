import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { Closure, RoutingEvents, SpeedUpdate } from './model.js';

/**
 * Live traffic and closures, rebuilt from `routing.*` events. The road graph is not
 * in the log (every node builds it from the extract); what changes it is, so every
 * node applies the same updates and they survive a restart. `onEvent` lets the
 * service apply each change to the graph as it is projected.
 */
export class RoutingState implements Projection {
  readonly name = 'routing';
  readonly typePrefixes = ['routing.'];
  readonly closures = new Map<string, Closure>();
  /** Latest speed per 'way:<id>' or 'edge:<graphId>:<id>' (null speeds are dropped). */
  readonly speeds = new Map<string, { update: SpeedUpdate; graphId: string | null; at: string }>();
  trafficUpdates = 0;
  onEvent: ((type: keyof RoutingEvents, data: unknown) => void) | null = null;

  apply(e: StoredEvent): void {
    switch (e.type as keyof RoutingEvents) {
      case 'routing.traffic.updated': {
        const d = e.data as RoutingEvents['routing.traffic.updated'];
        for (const u of d.updates) {
          const key = u.wayId !== undefined ? `way:${u.wayId}` : `edge:${d.graphId}:${u.edgeId}`;
          if (u.speedKmh === null) this.speeds.delete(key);
          else this.speeds.set(key, { update: u, graphId: d.graphId, at: e.at });
        }
        this.trafficUpdates += d.updates.length;
        break;
      }
      case 'routing.closure.created': {
        const d = e.data as Closure;
        this.closures.set(d.closureId, d);
        break;
      }
      case 'routing.closure.removed':
        break; // applied below, after the service has seen the closure it removes
      default:
        return;
    }
    this.onEvent?.(e.type as keyof RoutingEvents, e.data);
    if (e.type === 'routing.closure.removed') this.closures.delete((e.data as RoutingEvents['routing.closure.removed']).closureId);
  }
}
