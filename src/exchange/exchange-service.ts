import { createHash } from 'node:crypto';
import type { IncidentsService } from '../incidents/index.js';
import {
  INCIDENT_RESOLUTIONS,
  INCIDENT_TYPE_IDS,
  type Incident,
  type IncidentResolution,
  type IncidentStatus,
  type IncidentType,
} from '../incidents/contract.js';
import { VigilError, badRequest, notFound } from '../kernel/errors.js';
import { haversineM } from '../kernel/geo.js';
import { newId } from '../kernel/ids.js';
import type { ExchangeConfig } from '../kernel/config.js';
import type { Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { CITY_WIDE, assertCan, can, filterVisible, type PolicyResource } from '../platform/policy.js';
import { AmqpLink } from './amqp-link.js';
import type {
  ExchangeEvents,
  Hospital,
  HospitalsReadPort,
  LinkHealth,
  LinkState,
  PartnerSitRep,
  ReceivedIncident,
  ResourceMessage,
  RmType,
  SentIncident,
} from './contract.js';
import {
  AGENCY_SCHEME,
  ackFor,
  distributionToJson,
  distributionToXml,
  envelope,
  errorFor,
  parseDistribution,
  parseReference,
  unwrap,
  type EdxlDistribution,
} from './edxl/edxl-de.js';
import { haveFromXml } from './edxl/have.js';
import { rmFromXml, rmToXml, type RmMessage } from './edxl/rm.js';
import { sitRepFromXml, sitRepToXml, type SitRep } from './edxl/sitrep.js';
import type { ExchangeState, OutboxItem } from './exchange-state.js';
import { readIncidentMessage, type IncidentMessage } from './incident-message.js';

export interface ExchangeActivity {
  kind: 'applied' | 'acknowledged';
  distributionId: string;
  remoteIncidentId: string | null;
}

export interface ExchangeDeps {
  incidents: IncidentsService;
  orgs(): readonly { id: string; name: string }[];
  orgName(orgId: string): string | null;
  /**
   * Imports a partner's CAP alert as the alerts capability imports other agencies' documents
   * (checks, signature, duplicates), owned by the partner's organisation; absent: acknowledged only.
   */
  importCap?: (xml: string, orgId: string, agency: string) => Promise<{ alertId: string; duplicate: boolean }>;
}

const STATUS_ORDER: readonly IncidentStatus[] = ['new', 'dispatched', 'on-scene', 'contained', 'closed'];
const MAX_PUBLISHING = 256;
const LINK_RESOURCE: PolicyResource = CITY_WIDE;

const eventId = (kind: string, key: string): string => `evt_x${createHash('sha256').update(`${kind}\n${key}`).digest('hex').slice(0, 40)}`;

/** A refusal the partner should hear about (its message is wrong), as opposed to a failure here (retried). */
/** Deliveries with the same key are applied in order: the incident they are about, else the distribution itself. */
function orderingKey(body: string): string {
  const m = /"incidentI[Dd]"\s*:\s*"([^"]{1,200})"|<incidentID>([^<]{1,200})<\/incidentID>/.exec(body);
  return m ? `incident:${m[1] ?? m[2]}` : `body:${body.length}:${body.slice(0, 64)}`;
}

const isRefusal = (error: unknown): error is VigilError =>
  error instanceof VigilError && ['bad_request', 'conflict', 'not_found', 'forbidden'].includes(error.code);

/**
 * The exchange with a partner agency: what goes out (the outbox in ExchangeState, published
 * with confirms and retried until the partner acknowledges), what comes in (applied once per
 * distribution id, durably, before the broker is told), situation reports, resource messages
 * and hospital availability.
 */
export class ExchangeService {
  private link: AmqpLink | null = null;
  private pumpTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly inflight = new Map<string, { sentAt: number; attempts: number; confirmed: boolean; acked: boolean }>();
  private readonly pendingAcks = new Set<string>();
  private publishing = 0;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly counters = { sent: 0, confirmed: 0, acknowledged: 0, retried: 0, received: 0, duplicates: 0, rejected: 0 };
  private lastReceivedAt: string | null = null;
  private lastAcknowledgedAt: string | null = null;
  private readonly listeners = new Set<(e: ExchangeActivity) => void>();

  constructor(
    private readonly ctx: AppContext,
    readonly state: ExchangeState,
    private readonly deps: ExchangeDeps,
    private readonly config: ExchangeConfig,
  ) {}

  /** The organisation standing for the partner here, by id or name (VIGIL_EXCHANGE_PARTNER_ORG). */
  partnerOrgId(): string | null {
    const want = this.config.partnerOrg;
    if (!want || !this.config.amqpUrl) return null;
    const orgs = this.deps.orgs();
    return (orgs.find((o) => o.id === want) ?? orgs.find((o) => o.name === want))?.id ?? null;
  }

  // ------------------------------------------------------------ the link

  get running(): boolean {
    return this.link !== null;
  }

  /** Connects (when configured) and starts sending the outbox. */
  startLink(): void {
    const url = this.config.amqpUrl;
    if (!url || this.link) return;
    if (!this.config.partner) {
      this.ctx.logger.warn('VIGIL_EXCHANGE_AMQP_URL is set without VIGIL_EXCHANGE_PARTNER: the exchange link stays off');
      return;
    }
    this.link = new AmqpLink({
      url,
      exchange: this.config.amqpExchange,
      agency: this.config.agency,
      connectionName: `vigil-exchange ${this.config.agency} ${this.config.amqpExchange}`,
      logger: this.ctx.logger,
      onMessage: (body, props) => this.onDelivery(body, props),
      onState: (s) => this.onLinkState(s),
      backoffMs: { first: Math.min(250, this.config.retryMs), max: 10_000 },
    });
    this.link.start();
    this.pumpTimer = setInterval(() => this.pump(), 50);
    this.pumpTimer.unref();
    this.flushTimer = setInterval(() => void this.flushAcks(), 100);
    this.flushTimer.unref();
  }

  async stopLink(): Promise<void> {
    if (this.pumpTimer) clearInterval(this.pumpTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.pumpTimer = this.flushTimer = null;
    const link = this.link;
    this.link = null;
    await link?.stop();
    await Promise.all(this.chains.values());
    await this.flushAcks();
  }

  /** For tests and the bench: called after each distribution applied here, and each acknowledgement from the partner. */
  onActivity(listener: (e: ExchangeActivity) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onLinkState(s: LinkState): void {
    if (s !== 'connected') {
      // What was published and not confirmed may be lost with the connection: send it again once back.
      for (const [id, f] of this.inflight) if (!f.confirmed && !f.acked) this.inflight.delete(id);
    } else {
      this.pump();
    }
  }

  private backoff(attempts: number): number {
    return Math.min(600_000, this.config.retryMs * 2 ** Math.max(0, attempts - 1));
  }

  /** Publishes what is due: new outbox items, and those the partner has not acknowledged in time. */
  pump(): void {
    const link = this.link;
    if (!link?.connected || !this.config.partner) return;
    const now = Date.now();
    for (const item of this.state.outbox.values()) {
      if (this.publishing >= MAX_PUBLISHING) break;
      const f = this.inflight.get(item.distributionId);
      if (f && (f.acked || !f.confirmed || now < f.sentAt + this.backoff(f.attempts))) continue;
      this.send(link, item, f?.attempts ?? 0, now);
    }
  }

  private send(link: AmqpLink, item: OutboxItem, attempts: number, now: number): void {
    const f = { sentAt: now, attempts: attempts + 1, confirmed: false, acked: false };
    this.inflight.set(item.distributionId, f);
    if (attempts > 0) this.counters.retried++;
    this.counters.sent++;
    let body: { bytes: Buffer; contentType: string };
    try {
      body = this.encode(this.envelopeOf(item));
    } catch (error) {
      this.ctx.logger.error({ err: error, distributionId: item.distributionId }, 'exchange: an outbox message cannot be written; it is skipped');
      this.pendingAcks.add(item.distributionId);
      return;
    }
    this.publishing++;
    link.publish(this.config.partner!, body.bytes, item.distributionId, body.contentType).then(
      () => {
        this.publishing--;
        f.confirmed = true;
        this.counters.confirmed++;
      },
      () => {
        this.publishing--;
        if (this.inflight.get(item.distributionId) === f && !f.acked) this.inflight.delete(item.distributionId);
      },
    );
  }

  private encode(d: EdxlDistribution): { bytes: Buffer; contentType: string } {
    return this.config.format === 'xml'
      ? { bytes: Buffer.from(distributionToXml(d)), contentType: 'application/xml' }
      : { bytes: Buffer.from(JSON.stringify(distributionToJson(d))), contentType: 'application/json' };
  }

  private envelopeOf(item: OutboxItem): EdxlDistribution {
    const base = { distributionId: item.distributionId, senderId: this.config.agency, to: [this.config.partner!], now: Date.parse(item.at) || Date.now() };
    if (item.message.kind === 'rm') {
      const m = item.message.message;
      return envelope({
        ...base,
        kind: m.type === 'RequestResource' ? 'Request' : 'Response',
        keywords: [{ valueListUri: 'urn:vigil:content', values: ['rm'] }],
        contents: [{ description: m.type, xml: rmToXml(this.rmDocument(m)), ...(m.incidentId ? { incidentId: m.incidentId } : {}) }],
      });
    }
    const { snapshot, change, note } = item.message;
    const message: IncidentMessage = { vigil: 'incident', change, note, incident: snapshot };
    return envelope({
      ...base,
      kind: change === 'opened' ? 'Report' : 'Update',
      keywords: [{ valueListUri: 'urn:vigil:content', values: ['incident', snapshot.type] }],
      targetAreas: [{ circle: { lat: snapshot.position[1], lon: snapshot.position[0], radiusKm: 0.1 } }],
      contents: [{ description: snapshot.title, incidentId: snapshot.id, json: message }],
    });
  }

  /** Sends an acknowledgement or error report without waiting: a lost reply is fine, the sender retries and the redelivery is answered again. */
  private publishReply(d: EdxlDistribution): void {
    const link = this.link;
    if (!link?.connected) return;
    const body = this.encode(d);
    link.publish(d.explicitAddresses?.[0]?.values[0] ?? this.config.partner!, body.bytes, d.distributionId, body.contentType).catch(() => undefined);
  }

  private flushing: Promise<void> | null = null;

  /** Records the partner's acknowledgements, one flush at a time (so none is counted twice). */
  private async flushAcks(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pendingAcks.size === 0) return;
    this.flushing = this.flushOnce();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private async flushOnce(): Promise<void> {
    const ids = [...this.pendingAcks].filter((id) => this.state.outbox.has(id));
    this.pendingAcks.clear();
    if (ids.length === 0) return;
    try {
      await this.ctx.record([
        {
          type: 'exchange.outbound.acknowledged',
          subject: `exchange:${this.config.partner}`,
          orgId: null,
          actor: 'system',
          data: { distributionIds: ids } satisfies ExchangeEvents['exchange.outbound.acknowledged'],
        },
      ]);
      for (const id of ids) this.inflight.delete(id);
      this.counters.acknowledged += ids.length;
    } catch (error) {
      for (const id of ids) this.pendingAcks.add(id);
      this.ctx.logger.warn({ err: error }, 'exchange: acknowledgements not recorded yet');
    }
  }

  // ------------------------------------------------------------ what comes in

  /**
   * Deliveries about the same incident are handled one after the other, in order; different
   * incidents at once (their durable appends share one commit).
   */
  private onDelivery(body: string, props: { messageId: string | null }): Promise<void> {
    const key = orderingKey(body);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.handle(body, props));
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }

  /** One delivery from the hub: an acknowledgement, an error report, or content to apply once. */
  async handle(body: string, props: { messageId: string | null } = { messageId: null }): Promise<void> {
    this.counters.received++;
    this.lastReceivedAt = new Date(this.ctx.clock.now()).toISOString();
    let d: EdxlDistribution;
    try {
      d = parseDistribution(body);
    } catch (error) {
      // Unreadable: no sender to answer; recorded and dropped (a redelivery would fail the same way).
      this.counters.rejected++;
      await this.record('exchange.inbound.rejected', null, { distributionId: props.messageId, senderId: null, errors: [(error as Error).message] });
      return;
    }
    if (d.kind === 'Ack' || d.kind === 'Error') return this.reply(d);
    const errors: string[] = [];
    if (d.senderId !== this.config.partner) errors.push(`sender ${d.senderId} is not this link's partner`);
    const to = (d.explicitAddresses ?? []).filter((a) => a.scheme === AGENCY_SCHEME).flatMap((a) => a.values);
    if (to.length > 0 && !to.includes(this.config.agency)) errors.push(`not addressed to ${this.config.agency}`);
    if (errors.length > 0) return this.refuse(d, errors);
    if (this.state.applied.has(d.distributionId)) {
      this.counters.duplicates++;
      this.publishReply(ackFor(d, { distributionId: newId('ack'), senderId: this.config.agency, now: this.ctx.clock.now() }));
      return;
    }
    let applied: ExchangeEvents['exchange.inbound.applied'];
    try {
      applied = await this.apply(d);
    } catch (error) {
      if (isRefusal(error)) return this.refuse(d, [error.message]);
      throw error;
    }
    // The dedupe entry is durable before the broker hears the message was taken.
    await this.ctx.record([
      {
        id: eventId('inbound', `${d.senderId}\n${d.distributionId}`),
        type: 'exchange.inbound.applied',
        subject: `exchange:${d.senderId}`,
        orgId: this.partnerOrgId(),
        actor: `exchange:${d.senderId}`,
        data: applied,
      } as NewEvent,
    ]);
    for (const l of this.listeners) l({ kind: 'applied', distributionId: d.distributionId, remoteIncidentId: applied.remoteIncidentId });
    this.publishReply(ackFor(d, { distributionId: newId('ack'), senderId: this.config.agency, now: this.ctx.clock.now() }));
  }

  private async refuse(d: EdxlDistribution, errors: string[]): Promise<void> {
    this.counters.rejected++;
    await this.record('exchange.inbound.rejected', this.partnerOrgId(), { distributionId: d.distributionId, senderId: d.senderId, errors });
    this.publishReply(errorFor(d, { distributionId: newId('err'), senderId: this.config.agency, now: this.ctx.clock.now() }, errors));
  }

  private async reply(d: EdxlDistribution): Promise<void> {
    for (const ref of d.references ?? []) {
      const r = parseReference(ref);
      if (!r || r.senderId !== this.config.agency || !this.state.outbox.has(r.distributionId)) continue;
      const f = this.inflight.get(r.distributionId);
      if (f) f.acked = true;
      if (d.kind === 'Ack') {
        this.pendingAcks.add(r.distributionId);
        this.lastAcknowledgedAt = new Date(this.ctx.clock.now()).toISOString();
        for (const l of this.listeners) l({ kind: 'acknowledged', distributionId: r.distributionId, remoteIncidentId: null });
      } else {
        const errors = d.contents.flatMap((c) => ((c.json as { errors?: unknown } | undefined)?.errors as string[] | undefined) ?? []).map(String);
        await this.record('exchange.outbound.refused', null, { distributionId: r.distributionId, errors });
      }
    }
  }

  private async record<K extends keyof ExchangeEvents>(type: K, orgId: string | null, data: ExchangeEvents[K]): Promise<void> {
    await this.ctx.record([{ type, subject: `exchange:${this.config.partner ?? 'local'}`, orgId, actor: 'system', data }]);
  }

  private partnerPrincipal(): Principal {
    const orgId = this.partnerOrgId();
    if (!orgId) throw new VigilError('unavailable', `the partner organisation ${this.config.partnerOrg ?? '(not configured)'} does not exist here`);
    return {
      kind: 'apikey',
      actor: `exchange:${this.config.partner}`,
      userId: null,
      orgId,
      roles: ['commander', 'operator'],
      authLevel: 2,
      displayName: `${this.deps.orgName(orgId) ?? orgId} (${this.config.partner})`,
      visibleOrgIds: new Set([orgId]),
      actableOrgIds: new Set([orgId]),
      platformOrg: false,
    };
  }

  private async apply(d: EdxlDistribution): Promise<ExchangeEvents['exchange.inbound.applied']> {
    const none = { remoteIncidentId: null, remoteReference: null, localIncidentId: null, version: null, partnerStatus: null };
    const base = { distributionId: d.distributionId, senderId: d.senderId, kind: d.kind };
    const parts = unwrap(d);
    if (parts.length === 0) throw badRequest('the distribution carries no content');
    let result: ExchangeEvents['exchange.inbound.applied'] = { ...base, ...none };
    for (const { type, content } of parts) {
      if (type === 'json' && (content.json as { vigil?: unknown } | null)?.vigil === 'incident') {
        result = { ...base, ...(await this.applyIncident(d.senderId, readIncidentMessage(content.json))) };
      } else if (type === 'rm') {
        await this.receiveRm(rmFromXml(content.xml!));
      } else if (type === 'have') {
        const hospitals = haveFromXml(content.xml!);
        await this.ctx.record([
          { type: 'exchange.hospitals.reported', subject: 'hospitals', orgId: null, actor: `exchange:${d.senderId}`, data: { hospitals } },
        ]);
      } else if (type === 'cap' && this.deps.importCap) {
        // Shown like the alerts of other agencies' feeds: imported, owned by the partner's organisation.
        const orgId = this.partnerPrincipal().orgId!;
        try {
          await this.deps.importCap(content.xml!, orgId, d.senderId);
        } catch (error) {
          // The partner's document is wrong (invalid, conflicting): a refusal it hears about, not a retry.
          if (error instanceof VigilError && error.code === 'validation_failed') throw badRequest(`CAP alert not accepted: ${error.message}`);
          throw error;
        }
      } else if (type === 'sitrep') {
        await this.receiveSitRep(d, sitRepFromXml(content.xml!));
      } else if (type === 'cap') {
        // Acknowledged and counted: no CAP import on this node.
      } else throw badRequest(`content of type ${type} is not handled by this link`);
    }
    return result;
  }

  private marker(agency: string, m: IncidentMessage): string {
    return `From ${agency}, ${m.incident.reference} (${m.incident.id})`;
  }

  private async applyIncident(
    agency: string,
    m: IncidentMessage,
  ): Promise<Omit<ExchangeEvents['exchange.inbound.applied'], 'distributionId' | 'senderId' | 'kind'>> {
    const r = m.incident;
    const key = `${agency}/${r.id}`;
    const origin = this.state.origins.get(key);
    const marker = this.marker(agency, m);
    const out = { remoteIncidentId: r.id, remoteReference: r.reference, version: r.version, partnerStatus: r.status };
    const by = this.partnerPrincipal();
    const incidents = this.deps.incidents;
    // After a crash between creating the incident and recording the dedupe entry: find it by its origin line.
    let localId =
      origin?.localIncidentId ??
      [...incidents.state.incidents.values()].find((i) => i.orgId === by.orgId && i.description.startsWith(marker))?.incidentId ??
      null;
    if (origin && r.version <= origin.version) return { ...out, localIncidentId: origin.localIncidentId, partnerStatus: origin.partnerStatus };
    const description = `${marker}\n${r.description}`.slice(0, 10_000);
    const type = (INCIDENT_TYPE_IDS as readonly string[]).includes(r.type) ? (r.type as IncidentType) : 'other';
    if (!localId) {
      const created = await incidents.create(
        { type, priority: r.priority, title: r.title, description, position: r.position, address: r.address, source: 'call' },
        by,
      );
      localId = created.incidentId;
    } else {
      const local = incidents.state.incidents.get(localId)!;
      const change: { priority?: number; title?: string; description?: string } = {};
      if (local.priority !== r.priority) change.priority = r.priority;
      if (local.title !== r.title) change.title = r.title;
      if (local.description !== description) change.description = description;
      if (Object.keys(change).length > 0 && local.status !== 'closed') await incidents.update(localId, change, by);
    }
    await this.followStatus(localId, r.status as IncidentStatus, r.resolution, by);
    const said = this.describe(agency, m);
    const local = incidents.state.incidents.get(localId)!;
    if (said && local.status !== 'closed') await incidents.post(localId, { channel: 'internal', text: said }, by);
    return { ...out, localIncidentId: localId };
  }

  /** What the partner did, as a line of the incident's log. */
  private describe(agency: string, m: IncidentMessage): string | null {
    const units = m.incident.units.length > 0 ? ` (units: ${m.incident.units.join(', ')})` : '';
    switch (m.change) {
      case 'opened':
        return null;
      case 'status':
        return `${agency}: ${m.incident.status}${units}${m.note ? ` — ${m.note}` : ''}`;
      case 'message':
        return m.note ? `${agency}: ${m.note}` : null;
      case 'dispatched':
      case 'released':
        return `${agency}: ${m.change}${units}`;
      default:
        return null;
    }
  }

  /** Moves the local incident towards the partner's status as far as its own rules allow (it has no units here to dispatch). */
  private async followStatus(localId: string, target: IncidentStatus, resolution: string | null, by: Principal): Promise<void> {
    const incidents = this.deps.incidents;
    const local = (): Incident => incidents.state.incidents.get(localId)!;
    if (local().status === target || local().status === 'closed') return;
    if (target === 'closed') {
      const res = (INCIDENT_RESOLUTIONS as readonly string[]).includes(resolution ?? '') ? (resolution as IncidentResolution) : 'resolved';
      await incidents.changeStatus(localId, 'closed', by, { resolution: res, note: `closed by ${this.config.partner}` });
      return;
    }
    for (const next of STATUS_ORDER.slice(STATUS_ORDER.indexOf(local().status) + 1, STATUS_ORDER.indexOf(target) + 1)) {
      try {
        await incidents.changeStatus(localId, next, by);
      } catch (error) {
        if (error instanceof VigilError && error.code === 'conflict') return;
        throw error;
      }
    }
  }

  // ------------------------------------------------------------ reads

  health(by: Principal): LinkHealth {
    assertCan(by, 'read', LINK_RESOURCE, 'exchange link', this.config.agency);
    const partnerOrgId = this.partnerOrgId();
    const now = Date.now();
    const oldest = this.state.outbox.values().next().value as OutboxItem | undefined;
    return {
      state: this.link ? this.link.state : 'off',
      broker: this.link ? this.link.broker : null,
      agency: this.config.agency,
      partner: this.config.partner,
      partnerOrgName: partnerOrgId ? this.deps.orgName(partnerOrgId) : null,
      format: this.config.format,
      connectedSince: this.link?.connectedSince ?? null,
      lastError: this.link?.lastError ?? null,
      reconnects: this.link?.reconnects ?? 0,
      outbox: this.state.outbox.size,
      inFlight: [...this.inflight.values()].filter((f) => !f.confirmed).length,
      oldestUnackedMs: oldest ? Math.max(0, now - Date.parse(oldest.at)) : 0,
      ...this.counters,
      refused: this.state.refused,
      lastReceivedAt: this.lastReceivedAt,
      lastAcknowledgedAt: this.lastAcknowledgedAt,
    };
  }

  /** Incidents that came from the partner, those the caller may see. */
  received(by: Principal): ReceivedIncident[] {
    const incidents = this.deps.incidents;
    return [...this.state.origins.values()]
      .map((o) => ({ o, i: incidents.state.incidents.get(o.localIncidentId) }))
      .filter((x): x is { o: (typeof x)['o']; i: Incident } => x.i !== undefined && incidents.canSee(x.i, by))
      .map(({ o, i }) => ({
        incidentId: i.incidentId,
        reference: i.reference,
        title: i.title,
        status: i.status,
        agency: o.agency,
        remoteReference: o.remoteReference,
        partnerStatus: o.partnerStatus,
        receivedAt: o.receivedAt,
        updatedAt: o.updatedAt,
        updates: o.updates,
      }))
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  }

  /** Incidents sent to the partner, those the caller may see, with what is still unacknowledged. */
  sentIncidents(by: Principal): SentIncident[] {
    const incidents = this.deps.incidents;
    const unacked = new Map<string, number>();
    for (const item of this.state.outbox.values()) if (item.incidentId) unacked.set(item.incidentId, (unacked.get(item.incidentId) ?? 0) + 1);
    return [...this.state.sent.entries()]
      .map(([id, s]) => ({ s, i: incidents.state.incidents.get(id) }))
      .filter((x): x is { s: (typeof x)['s']; i: Incident } => x.i !== undefined && incidents.canSee(x.i, by))
      .map(({ s, i }) => ({
        incidentId: i.incidentId,
        reference: i.reference,
        title: i.title,
        messages: s.messages,
        unacknowledged: unacked.get(i.incidentId) ?? 0,
        lastAcknowledgedAt: s.lastAcknowledgedAt,
      }));
  }

  // ------------------------------------------------------------ SitRep

  /** An EDXL-SitRep 1.0 of an incident the caller may read. */
  sitRep(incidentId: string, by: Principal): { sitRep: SitRep; xml: string } {
    const i = this.deps.incidents.incidentFor(incidentId, by);
    const now = new Date(this.ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const iso = (t: string): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const sitRep: SitRep = {
      messageId: `${this.config.agency}:sitrep:${i.incidentId}:${i.statusHistory.length}`,
      preparedBy: this.deps.orgName(i.orgId) ?? i.orgId,
      reportNumber: i.statusHistory.length,
      version: i.status === 'closed' ? 'Final' : i.statusHistory.length <= 1 ? 'Initial' : 'Update',
      from: iso(i.createdAt),
      to: i.closedAt ? iso(i.closedAt) : now,
      title: i.title,
      incidentId: i.incidentId,
      lifecyclePhase: i.status === 'closed' || i.status === 'contained' ? 'Recovery' : 'Response',
      urgency: i.priority <= 2 ? 'Urgent' : 'NotUrgent',
      situation: {
        incidentName: `${i.reference} ${i.title}`,
        incidentType: i.type,
        location: [i.location.position[1], i.location.position[0]],
        address: i.location.address,
        status: i.status,
        priority: i.priority,
        summary: i.description || i.title,
      },
      resources: i.assignments.map((a) => ({
        callSign: a.callSign,
        kind: 'unit',
        organisation: this.deps.orgName(a.orgId) ?? a.orgId,
        committedAt: iso(a.at),
        releasedAt: a.releasedAt ? iso(a.releasedAt) : null,
      })),
      // Only where the commander recorded them: nothing rather than zeros.
      casualties: i.casualties ? { ...i.casualties.counts } : null,
    };
    return { sitRep, xml: sitRepToXml(sitRep) };
  }

  /**
   * Kept on the incident it concerns: the partner's incident shared with us (its id, through the
   * origins table), or one of ours by its id that was sent to the partner while its organisation still
   * shares with the partner's (once the share is withdrawn, no more). A SitRep about any other incident is refused (an error report), as one about
   * no incident here: the partner does not write onto incidents it was never sent, nor learn they exist.
   */
  private async receiveSitRep(d: EdxlDistribution, s: SitRep): Promise<void> {
    const localIncidentId =
      this.state.origins.get(`${d.senderId}/${s.incidentId}`)?.localIncidentId ??
      (this.state.sentToPartnerNow(this.deps.incidents.state.incidents.get(s.incidentId) ?? { incidentId: '', orgId: '' }) ? s.incidentId : null);
    if (!localIncidentId) throw badRequest(`SitRep ${s.messageId}: incident ${s.incidentId} is not known here`);
    const incident = this.deps.incidents.state.incidents.get(localIncidentId)!;
    const data: ExchangeEvents['exchange.sitrep.received'] = {
      localIncidentId,
      agency: d.senderId,
      distributionId: d.distributionId,
      messageId: s.messageId,
      preparedBy: s.preparedBy,
      reportNumber: s.reportNumber,
      version: s.version,
      to: s.to,
      title: s.title,
      status: s.situation.status,
      priority: s.situation.priority,
      summary: s.situation.summary,
      resources: s.resources.map(({ callSign, kind, organisation, releasedAt }) => ({ callSign, kind, organisation, releasedAt })),
      casualties: s.casualties,
    };
    await this.ctx.record([
      { type: 'exchange.sitrep.received', subject: `exchange:${d.senderId}`, orgId: incident.orgId, actor: `exchange:${d.senderId}`, data },
    ]);
  }

  /** The partner's latest SitRep about an incident the caller may read (null: none received). */
  partnerSitRep(incidentId: string, by: Principal): PartnerSitRep | null {
    this.deps.incidents.incidentFor(incidentId, by);
    return this.state.partnerSitReps.get(incidentId) ?? null;
  }

  // ------------------------------------------------------------ HAVE

  /** Hospital availability from an EDXL-HAVE 2.0 report: city-wide data, recorded by the platform organisation (or a key of it). */
  async importHave(xml: string, by: Principal): Promise<{ hospitals: number }> {
    assertCan(by, 'act', CITY_WIDE, 'hospitals', 'city');
    const hospitals = haveFromXml(xml);
    await this.ctx.record([{ type: 'exchange.hospitals.reported', subject: 'hospitals', orgId: null, actor: by.actor, data: { hospitals } }]);
    return { hospitals: hospitals.length };
  }

  hospitals(by: Principal): Hospital[] {
    return filterVisible(by, [...this.state.hospitals.values()], () => CITY_WIDE).sort((a, b) => a.name.localeCompare(b.name));
  }

  readonly hospitalsPort: HospitalsReadPort = {
    hospitals: () => [...this.state.hospitals.values()],
    withBeds: (bedType, near) =>
      [...this.state.hospitals.values()]
        .filter((h) => h.edStatus !== 'Closed' && h.beds.some((b) => b.type === bedType && b.available > 0))
        .sort((a, b) => (near && a.position && b.position ? haversineM(near, a.position) - haversineM(near, b.position) : a.name.localeCompare(b.name))),
  };

  // ------------------------------------------------------------ RM

  private rmResource(m: ResourceMessage): PolicyResource {
    return { orgId: m.fromOrgId, participantOrgIds: [m.toOrgId] };
  }

  resourceMessages(by: Principal): ResourceMessage[] {
    return filterVisible(by, [...this.state.resourceMessages.values()], (m) => this.rmResource(m)).sort((a, b) => (a.sentAt < b.sentAt ? 1 : -1));
  }

  resourceMessage(messageId: string, by: Principal): { message: ResourceMessage; xml: string } {
    const m = this.state.resourceMessages.get(messageId);
    if (!m) throw notFound('resource message', messageId);
    assertCan(by, 'read', this.rmResource(m), 'resource message', messageId);
    return { message: m, xml: rmToXml(this.rmDocument(m)) };
  }

  private rmDocument(m: ResourceMessage): RmMessage {
    const doc: RmMessage = {
      type: m.type,
      messageId: m.messageId,
      sentDateTime: m.sentAt.replace(/\.\d{3}Z$/, 'Z'),
      fromOrganisation: m.fromOrgName,
      toOrganisation: m.toOrgName,
      resources: m.resources.map((r) => ({ ...r })),
    };
    if (m.originatingMessageId) doc.originatingMessageId = m.originatingMessageId;
    if (m.incidentId) doc.incidentId = m.incidentId;
    return doc;
  }

  /** Sends a request, an answer, a commitment or a release from the caller's organisation to another (the partner's goes over the link). */
  async sendResourceMessage(
    input: { type: RmType; toOrgId: string; originatingMessageId?: string | null; incidentId?: string | null; resources: ResourceMessage['resources'] },
    by: Principal,
  ): Promise<ResourceMessage> {
    if (!by.orgId) throw badRequest('a resource message is sent by an organisation');
    const toName = this.deps.orgName(input.toOrgId);
    if (!toName) throw notFound('organisation', input.toOrgId);
    if (input.toOrgId === by.orgId) throw badRequest('a resource message goes to another organisation');
    let originating: string | null = null;
    if (input.type !== 'RequestResource') {
      if (!input.originatingMessageId) throw badRequest(`${input.type} names the request it answers (originatingMessageId)`);
      const request = this.state.resourceMessages.get(input.originatingMessageId);
      if (!request || !can(by, 'read', this.rmResource(request))) throw notFound('resource message', input.originatingMessageId);
      if (request.type !== 'RequestResource') throw badRequest('originatingMessageId names a request');
      const parties = [request.fromOrgId, request.toOrgId];
      if (!parties.includes(by.orgId) || !parties.includes(input.toOrgId)) throw badRequest('an answer goes between the organisations of the request');
      originating = request.messageId;
    }
    if (input.incidentId) this.deps.incidents.incidentFor(input.incidentId, by);
    const m: ResourceMessage = {
      messageId: newId('rm'),
      type: input.type,
      fromOrgId: by.orgId,
      toOrgId: input.toOrgId,
      fromOrgName: this.deps.orgName(by.orgId) ?? by.orgId,
      toOrgName: toName,
      originatingMessageId: originating,
      incidentId: input.incidentId ?? null,
      resources: input.resources,
      sentAt: new Date(this.ctx.clock.now()).toISOString(),
      actor: by.actor,
    };
    // The same structural rules as what is received.
    rmToXml(this.rmDocument(m));
    await this.ctx.record([{ type: 'exchange.rm.sent', subject: `rm:${m.messageId}`, orgId: by.orgId, actor: by.actor, data: m }]);
    return m;
  }

  /** A resource message from the partner: from its organisation here to the organisation it names. */
  private async receiveRm(doc: RmMessage): Promise<void> {
    const from = this.partnerOrgId();
    if (!from) throw new VigilError('unavailable', 'the partner organisation does not exist here');
    const to = this.deps.orgs().find((o) => o.name === doc.toOrganisation);
    if (!to) throw badRequest(`no organisation named ${doc.toOrganisation} here`);
    if (this.state.resourceMessages.has(doc.messageId)) return;
    const m: ResourceMessage = {
      messageId: doc.messageId,
      type: doc.type,
      fromOrgId: from,
      toOrgId: to.id,
      fromOrgName: this.deps.orgName(from) ?? from,
      toOrgName: to.name,
      originatingMessageId: doc.originatingMessageId ?? null,
      incidentId: null,
      resources: doc.resources,
      sentAt: doc.sentDateTime,
      actor: `exchange:${this.config.partner}`,
    };
    await this.ctx.record([{ type: 'exchange.rm.sent', subject: `rm:${m.messageId}`, orgId: from, actor: m.actor, data: m }]);
  }
}
