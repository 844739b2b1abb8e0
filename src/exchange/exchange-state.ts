import type { Incident } from '../incidents/contract.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { ExchangeEvents, Hospital, PartnerSitRep, ResourceMessage } from './contract.js';
import type { IncidentSnapshot } from './incident-message.js';

/** What the exchange state needs to know of the rest of the node, read at the moment each event is applied. */
export interface ExchangeStateDeps {
  /** This node's agency id on the hub. */
  agency: string;
  /** The organisation standing for the partner (null: no link, nothing goes out). */
  partnerOrgId(): string | null;
  /** Rights `fromOrgId` granted `toOrgId` ('read', 'act') or null. */
  shareRights(fromOrgId: string, toOrgId: string): 'read' | 'act' | null;
  /** The incident as it is after the event being applied (incidents' projection runs first). */
  incident(incidentId: string): Incident | undefined;
}

/** One message of the outbox: derived from the log, forgotten when the partner acknowledges it. */
export interface OutboxItem {
  distributionId: string;
  seq: number;
  at: string;
  incidentId: string | null;
  /** The Vigil message carried in the envelope (an incident snapshot, or an RM document). */
  message: { kind: 'incident'; snapshot: IncidentSnapshot; change: string; note: string | null } | { kind: 'rm'; message: ResourceMessage };
}

export interface Origin {
  agency: string;
  remoteIncidentId: string;
  remoteReference: string;
  localIncidentId: string;
  version: number;
  partnerStatus: string;
  receivedAt: string;
  updatedAt: string;
  updates: number;
}

const INCIDENT_CHANGES: Record<string, string> = {
  'incidents.incident.opened': 'opened',
  'incidents.incident.updated': 'updated',
  'incidents.incident.status-changed': 'status',
  'incidents.incident.taken': 'taken',
  'incidents.message.posted': 'message',
  'incidents.unit.dispatched': 'dispatched',
  'incidents.unit.released': 'released',
};

/**
 * The exchange's read model. The outbox is not a table of its own: every incident event of an
 * incident shared with the partner (and every resource message to it) is a message, named
 * `<agency>:<seq>`, until the partner acknowledges it — so a restart, or a lost connection,
 * resends exactly what was not acknowledged. Received distributions are the dedupe table.
 */
export class ExchangeState implements Projection {
  readonly name = 'exchange';
  readonly typePrefixes = ['incidents.', 'exchange.'];
  readonly outbox = new Map<string, OutboxItem>();
  /** distributionId → when applied (received from the partner). */
  readonly applied = new Map<string, string>();
  /** `${agency}/${remoteIncidentId}` → the local incident. */
  readonly origins = new Map<string, Origin>();
  readonly originByLocal = new Map<string, Origin>();
  /** incidentId → messages sent about it, and the last acknowledgement. */
  readonly sent = new Map<string, { messages: number; lastAcknowledgedAt: string | null }>();
  readonly hospitals = new Map<string, Hospital>();
  readonly resourceMessages = new Map<string, ResourceMessage>();
  /** local incidentId → the partner's latest SitRep about it (highest report number; the later one on a tie). */
  readonly partnerSitReps = new Map<string, PartnerSitRep>();
  refused = 0;

  constructor(private readonly deps: ExchangeStateDeps) {}

  apply(e: StoredEvent): void {
    const change = INCIDENT_CHANGES[e.type];
    if (change) return this.incidentEvent(e, change);
    switch (e.type) {
      case 'exchange.outbound.acknowledged': {
        for (const id of (e.data as ExchangeEvents['exchange.outbound.acknowledged']).distributionIds) this.forget(id, e.at);
        return;
      }
      case 'exchange.outbound.refused': {
        this.refused++;
        this.forget((e.data as ExchangeEvents['exchange.outbound.refused']).distributionId, e.at);
        return;
      }
      case 'exchange.inbound.applied': {
        const d = e.data as ExchangeEvents['exchange.inbound.applied'];
        this.applied.set(d.distributionId, e.at);
        if (d.remoteIncidentId && d.localIncidentId) {
          const key = `${d.senderId}/${d.remoteIncidentId}`;
          const old = this.origins.get(key);
          const origin: Origin = {
            agency: d.senderId,
            remoteIncidentId: d.remoteIncidentId,
            remoteReference: d.remoteReference ?? old?.remoteReference ?? d.remoteIncidentId,
            localIncidentId: d.localIncidentId,
            version: Math.max(old?.version ?? 0, d.version ?? 0),
            partnerStatus: (d.version ?? 0) >= (old?.version ?? 0) ? (d.partnerStatus ?? old?.partnerStatus ?? 'new') : old!.partnerStatus,
            receivedAt: old?.receivedAt ?? e.at,
            updatedAt: e.at,
            updates: (old?.updates ?? 0) + 1,
          };
          this.origins.set(key, origin);
          this.originByLocal.set(d.localIncidentId, origin);
        }
        return;
      }
      case 'exchange.hospitals.reported': {
        for (const h of (e.data as ExchangeEvents['exchange.hospitals.reported']).hospitals)
          this.hospitals.set(h.hospitalId, { ...h, receivedAt: e.at, source: e.actor });
        return;
      }
      case 'exchange.sitrep.received': {
        const { localIncidentId, ...s } = e.data as ExchangeEvents['exchange.sitrep.received'];
        const old = this.partnerSitReps.get(localIncidentId);
        if (!old || old.agency !== s.agency || s.reportNumber >= old.reportNumber) this.partnerSitReps.set(localIncidentId, { ...s, receivedAt: e.at });
        return;
      }
      case 'exchange.rm.sent': {
        const m = e.data as ExchangeEvents['exchange.rm.sent'];
        this.resourceMessages.set(m.messageId, m);
        const partner = this.deps.partnerOrgId();
        if (partner && m.toOrgId === partner && m.fromOrgId !== partner) {
          const distributionId = `${this.deps.agency}:${e.seq}`;
          this.outbox.set(distributionId, { distributionId, seq: e.seq, at: e.at, incidentId: m.incidentId, message: { kind: 'rm', message: m } });
        }
        return;
      }
    }
  }

  private forget(distributionId: string, at: string): void {
    const item = this.outbox.get(distributionId);
    if (!item) return;
    this.outbox.delete(distributionId);
    if (item.incidentId) {
      const s = this.sent.get(item.incidentId);
      if (s) s.lastAcknowledgedAt = at;
    }
  }

  /**
   * Whether the partner may report on one of our incidents: it was sent to the partner and its
   * organisation still shares with the partner's (a withdrawn share ends it).
   */
  sentToPartnerNow(incident: { incidentId: string; orgId: string }): boolean {
    const partner = this.deps.partnerOrgId();
    return !!partner && incident.orgId !== partner && this.sent.has(incident.incidentId) && this.deps.shareRights(incident.orgId, partner) !== null;
  }

  private incidentEvent(e: StoredEvent, change: string): void {
    const partner = this.deps.partnerOrgId();
    if (!partner) return;
    // What the partner sent is the partner's: it does not go back.
    if (e.actor.startsWith('exchange:')) return;
    const incidentId =
      (e.data as { incidentId?: string; incident?: { incidentId: string } }).incidentId ??
      (e.data as { incident: { incidentId: string } }).incident?.incidentId;
    const incident = incidentId ? this.deps.incident(incidentId) : undefined;
    if (!incident || incident.orgId === partner || this.originByLocal.has(incident.incidentId)) return;
    const rights = this.deps.shareRights(incident.orgId, partner);
    if (!rights) return;
    let note: string | null = null;
    if (change === 'message') {
      const m = e.data as { channel: string; text: string; author: string };
      // Internal messages only to a partner the owner lets act on its incidents.
      if (m.channel !== 'public' && rights !== 'act') return;
      note = `${m.author}: ${m.text}`;
    } else if (change === 'status') {
      note = (e.data as { note: string | null }).note;
    }
    const distributionId = `${this.deps.agency}:${e.seq}`;
    this.outbox.set(distributionId, {
      distributionId,
      seq: e.seq,
      at: e.at,
      incidentId: incident.incidentId,
      message: { kind: 'incident', snapshot: snapshotOf(incident, e.seq), change, note },
    });
    const s = this.sent.get(incident.incidentId) ?? { messages: 0, lastAcknowledgedAt: null };
    s.messages++;
    this.sent.set(incident.incidentId, s);
  }
}

export function snapshotOf(i: Incident, version: number): IncidentSnapshot {
  return {
    id: i.incidentId,
    reference: i.reference,
    version,
    type: i.type,
    priority: i.priority,
    title: i.title,
    description: i.description,
    position: [i.location.position[0], i.location.position[1]],
    address: i.location.address,
    status: i.status,
    resolution: i.resolution,
    createdAt: i.createdAt,
    closedAt: i.closedAt,
    units: i.assignments.filter((a) => !a.releasedAt).map((a) => a.callSign),
  };
}
