import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one Vigil node, served at GET /metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly eventsRecorded: Counter<'type'>;
  readonly busPublishFailures: Counter;
  readonly liveClients: Gauge;
  readonly appliedSeq: Gauge;

  constructor(nodeId: string) {
    this.registry.setDefaultLabels({ node: nodeId });
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_process_' });
    this.httpDuration = new Histogram({
      name: 'vigil_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [this.registry],
    });
    this.eventsRecorded = new Counter({
      name: 'vigil_events_recorded_total',
      help: 'Events appended durably to the log by this node, by type prefix',
      labelNames: ['type'],
      registers: [this.registry],
    });
    this.busPublishFailures = new Counter({
      name: 'vigil_bus_publish_failures_total',
      help: 'Events durable in the log whose publication on the stream failed',
      registers: [this.registry],
    });
    this.liveClients = new Gauge({
      name: 'vigil_live_clients',
      help: 'Connected WebSocket clients',
      registers: [this.registry],
    });
    this.appliedSeq = new Gauge({
      name: 'vigil_projection_applied_seq',
      help: "Last event sequence number applied to this node's projections",
      registers: [this.registry],
    });
  }
}

/** 'identity.user.created' → 'identity.user' keeps label cardinality bounded. */
export const typeLabel = (type: string): string => type.split('.').slice(0, 2).join('.');
