import { alarmTitleParts, type AlarmsReadPort } from '../alarms/contract.js';
import type { AlertsReadPort } from '../alerts/contract.js';
import type { CityReadPort } from '../city/contract.js';
import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { haversineM, isValidPosition, type Position } from '../kernel/geo.js';
import { newId } from '../kernel/ids.js';
import type { Principal, Role } from '../platform/access.js';
import { assertCan, can, type PolicyAction, type PolicyResource } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { DISPATCHABLE, type Unit, type UnitStatus } from '../units/contract.js';
import type { UnitsPort } from '../units/contract.js';
import { checkedFile, fileFromLog } from '../platform/attachments.js';
import { personalSubject } from '../platform/personal-data.js';
import { incidentEvent, type IncidentEvents } from './events.js';
import { INCIDENT_TYPES, TYPE_OF_ALARM_KIND, qualifies, type IncidentType } from './incident-types.js';
import type { IncidentsState } from './incidents-state.js';
import {
  INCIDENT_TRANSITIONS,
  TRIAGE_CATEGORIES,
  type Assignment,
  type AttachmentRef,
  type CasualtyCounts,
  type CommsChannel,
  type Incident,
  type IncidentLocation,
  type IncidentResolution,
  type IncidentSource,
  type IncidentStatus,
  type IncidentTitleParts,
  type LogEntry,
} from './model.js';
import type { TravelTimes } from './travel-times.js';

/** A site this close to the reported position is taken as the incident's site. */
export const SITE_MATCH_M = 60;
export { MAX_ATTACHMENT_BYTES } from '../platform/attachments.js';

/** Who works the internal channel (dispatch ↔ responders); public information is written by command only. */
export const INTERNAL_ROLES: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'admin'];
export const PUBLIC_INFO_WRITERS: readonly Role[] = ['commander', 'supervisor', 'admin'];
const COMMAND_ROLES: readonly Role[] = ['commander', 'supervisor', 'admin'];

export interface CreateIncidentInput {
  type: IncidentType;
  priority?: number;
  title?: string;
  /** What `title` is made of (an escalated alarm's title); ignored without a title. */
  titleParts?: IncidentTitleParts | null;
  description?: string;
  position: Position;
  address?: string | null;
  siteId?: string | null;
  source: IncidentSource;
  caller?: { name?: string | null; phone?: string | null } | null;
  alarmIds?: string[];
}

export interface Recommendation {
  unit: Unit;
  etaSeconds: number | null;
  distanceM: number;
}

export interface RecommendationResult {
  travelTimes: string;
  ranked: Recommendation[];
  /** Units seen but left out, with why (busy, lacks capability). */
  excluded: { unitId: string; callSign: string; reason: string }[];
}

const has = (by: Principal, roles: readonly Role[]): boolean => by.roles.some((r) => roles.includes(r));

/** Incidents: intake (call-taker, alarms, sensors, cameras, citizens), ownership, status, dispatch, communications. */
export class IncidentsService {
  private lastReference = 0;
  private stopWatching: (() => void) | null = null;

  constructor(
    private readonly ctx: AppContext,
    readonly state: IncidentsState,
    private readonly units: UnitsPort,
    private readonly city: CityReadPort,
    private readonly alarms: AlarmsReadPort,
    private readonly alerts: AlertsReadPort,
    readonly travel: TravelTimes,
  ) {}

  /** Re-route active assignments whenever the travel-time source says traffic or closures changed. */
  watchTravelTimes(): void {
    this.stopWatching =
      this.travel.onChange?.(() => void this.reroute().catch((error: unknown) => this.ctx.logger.warn({ err: error }, 're-routing failed'))) ?? null;
  }

  stop(): void {
    this.stopWatching?.();
  }

  /**
   * The incident as the policy sees it: owned by its organisation; the organisation that
   * opened it (before a hand-over) and those with a unit assigned take part in it (they
   * read and act on it like a partner sharing with 'act').
   */
  resourceOf(i: Incident, personal?: PolicyResource['personal']): PolicyResource {
    return { orgId: i.orgId, participantOrgIds: [i.originOrgId, ...i.assignments.map((a) => a.orgId)], personal };
  }

  canSee(i: Incident, by: Principal): boolean {
    return can(by, 'read', this.resourceOf(i));
  }

  /** The incidents the caller may see, as it may see them (viewFor), most urgent first. */
  visible(by: Principal, includeClosed = false): Incident[] {
    return [...this.state.incidents.values()]
      .filter((i) => (includeClosed || i.status !== 'closed') && this.canSee(i, by))
      .sort((a, b) => a.priority - b.priority || (a.createdAt < b.createdAt ? -1 : 1))
      .map((i) => this.viewFor(i, by));
  }

  /** An incident the caller may read (default) or act on; 404 when it may not even read it. */
  incidentFor(incidentId: string, by: Principal, action: PolicyAction = 'read'): Incident {
    const i = this.state.incidents.get(incidentId);
    if (!i) throw notFound('incident', incidentId);
    assertCan(by, action, this.resourceOf(i), 'incident', incidentId);
    return i;
  }

  /**
   * What the caller reads of an incident: the caller's identity only with the policy's
   * 'personal' (caller) right, linked alarms only those it may read.
   */
  viewFor(i: Incident, by: Principal): Incident {
    const alarmIds = i.alarmIds.filter((a) => {
      const alarm = this.alarms.alarm(a);
      return alarm !== undefined && can(by, 'read', { orgId: alarm.orgId });
    });
    const caller = i.caller && !can(by, 'personal', this.resourceOf(i, 'caller')) ? null : i.caller;
    return alarmIds.length === i.alarmIds.length && caller === i.caller ? i : { ...i, alarmIds, caller };
  }

  /**
   * The communications log as the caller may read it: internal entries for the internal
   * roles of organisations acting on the incident; attachments only with the policy's
   * 'personal' (attachments) right.
   */
  logFor(i: Incident, by: Principal): LogEntry[] {
    const internal = has(by, INTERNAL_ROLES) && can(by, 'act', this.resourceOf(i));
    const files = can(by, 'personal', this.resourceOf(i, 'attachments'));
    return (this.state.logs.get(i.incidentId) ?? [])
      .filter((e) => e.channel === 'public' || internal)
      .map((e) => (files || e.attachments.length === 0 ? e : { ...e, attachments: [] }));
  }

  /** Alarms linked to an incident: the caller must be able to act on each (the link marks the alarm as taken). */
  private checkAlarmLinks(alarmIds: readonly string[], by: Principal): void {
    for (const a of alarmIds) {
      const alarm = this.alarms.alarm(a);
      if (!alarm) throw notFound('alarm', a);
      assertCan(by, 'act', { orgId: alarm.orgId }, 'alarm', a);
    }
  }

  /** Position, address and the city model's site at it (or within SITE_MATCH_M). */
  locate(position: Position, address: string | null, siteId: string | null): IncidentLocation {
    if (!isValidPosition(position)) throw badRequest('a location is [lon, lat]').because('incident.position-invalid');
    let site = siteId ? this.city.sites.get(siteId) : undefined;
    if (siteId && !site) throw notFound('site', siteId);
    if (!site) {
      let best = SITE_MATCH_M;
      for (const s of this.city.sites.values()) {
        const d = haversineM(position, s.position);
        if (d <= best) {
          best = d;
          site = s;
        }
      }
    }
    return { position: [position[0], position[1]], address: address?.trim() || site?.address || null, siteId: site?.id ?? null, siteName: site?.name ?? null };
  }

  async create(input: CreateIncidentInput, by: Principal): Promise<Incident> {
    if (!by.orgId) throw badRequest('an incident belongs to an organisation');
    this.checkAlarmLinks(input.alarmIds ?? [], by);
    const type = INCIDENT_TYPES[input.type];
    if (!type) throw badRequest(`unknown incident type ${input.type}`);
    const priority = input.priority ?? type.priority;
    if (!Number.isInteger(priority) || priority < 1 || priority > 5) throw badRequest('priority is 1 (most urgent) to 5').because('incident.priority-range');
    const location = this.locate(input.position, input.address ?? null, input.siteId ?? null);
    const now = new Date(this.ctx.clock.now()).toISOString();
    this.lastReference = Math.max(this.lastReference, this.state.count) + 1;
    const where = location.siteName ?? location.address ?? `${location.position[1].toFixed(5)}, ${location.position[0].toFixed(5)}`;
    const title = input.title?.trim();
    const incident: Incident = {
      incidentId: newId('inc'),
      reference: `INC-${String(this.lastReference).padStart(4, '0')}`,
      type: input.type,
      priority,
      title: title || `${type.label} — ${where}`,
      // A title Vigil writes is kept with its parts (the reader's language words them); one a person wrote is theirs.
      titleParts: title ? (input.titleParts ?? null) : { from: 'type', type: input.type, where },
      description: input.description?.trim() ?? '',
      location,
      source: input.source,
      caller:
        input.caller && (input.caller.name || input.caller.phone)
          ? { name: input.caller.name?.trim() || null, phone: input.caller.phone?.trim() || null }
          : null,
      status: 'new',
      orgId: by.orgId,
      originOrgId: by.orgId,
      ownerUserId: by.userId,
      ownerName: by.displayName,
      createdAt: now,
      createdBy: by.actor,
      alarmIds: [...new Set(input.alarmIds ?? [])],
      alertIds: [],
      assignments: [],
      statusHistory: [{ status: 'new', at: now, by: by.actor }],
      resolution: null,
      closedAt: null,
    };
    // Who called is personal data: sealed under a key of its own, shredded at the end of its retention.
    const caller = incident.caller ? await this.ctx.personal.seal(personalSubject('caller', incident.incidentId), incident.caller) : null;
    await this.ctx.record([incidentEvent('incidents.incident.opened', incident.incidentId, incident.orgId, by.actor, { incident: { ...incident, caller } })]);
    return this.state.incidents.get(incident.incidentId)!;
  }

  /** An operator escalates an alarm: the incident carries its site, kind, position and link. */
  async fromAlarm(alarmId: string, by: Principal, extra: { type?: IncidentType; priority?: number; description?: string } = {}): Promise<Incident> {
    const alarm = this.alarms.alarm(alarmId);
    if (!alarm) throw notFound('alarm', alarmId);
    assertCan(by, 'act', { orgId: alarm.orgId }, 'alarm', alarmId);
    const open = this.state.incidentOfAlarm.get(alarmId);
    if (open)
      throw conflict(`alarm ${alarmId} is already incident ${this.state.incidents.get(open)?.reference ?? open}`, { incidentId: open }).because(
        'incident.alarm-already-incident',
        { reference: this.state.incidents.get(open)?.reference ?? '' },
      );
    const site = alarm.siteId ? this.city.sites.get(alarm.siteId) : undefined;
    const signalPosition = alarm.signalIds.map((id) => this.alarms.signal(id)?.position).find((p): p is Position => !!p);
    const position = site?.position ?? signalPosition;
    if (!position)
      throw badRequest('the alarm has no site or position; create the incident with the call-taker form').because('incident.alarm-without-position');
    return this.create(
      {
        type: extra.type ?? TYPE_OF_ALARM_KIND[alarm.kind] ?? 'alarm-verification',
        priority: extra.priority ?? Math.min(5, Math.max(1, alarm.priority)),
        title: alarm.title,
        titleParts: this.alarmTitleParts(alarm),
        description: extra.description ?? '',
        position,
        siteId: site?.id ?? null,
        source: 'alarm',
        alarmIds: [alarmId],
      },
      by,
    );
  }

  /** The parts of an alarm's title (from the signal that wrote it), null when no coded signal wrote it (sensors, cameras). */
  private alarmTitleParts(alarm: { title: string; signalIds: readonly string[] }): IncidentTitleParts | null {
    const parts = alarmTitleParts(
      alarm.title,
      alarm.signalIds.map((id) => this.alarms.signal(id)),
    );
    return parts ? { from: 'alarm', alarm: parts } : null;
  }

  /** Takes the incident (ownership); a commander of another organisation that sees it takes it over for theirs. */
  async take(incidentId: string, by: Principal): Promise<Incident> {
    const i = this.open(incidentId, by);
    if (!by.orgId) throw new VigilError('forbidden', 'an incident is taken for an organisation');
    if (by.orgId !== i.orgId && !has(by, COMMAND_ROLES)) throw new VigilError('forbidden', "taking over another organisation's incident is for commanders");
    await this.ctx.record([
      incidentEvent('incidents.incident.taken', i.incidentId, by.orgId, by.actor, {
        incidentId,
        orgId: by.orgId,
        ownerUserId: by.userId,
        ownerName: by.displayName,
        fromOrgId: i.orgId,
      }),
    ]);
    return i;
  }

  async update(incidentId: string, change: { priority?: number; title?: string; description?: string }, by: Principal): Promise<Incident> {
    const i = this.open(incidentId, by);
    this.requireOwnerOrg(i, by);
    if (change.priority !== undefined && (!Number.isInteger(change.priority) || change.priority < 1 || change.priority > 5))
      throw badRequest('priority is 1 (most urgent) to 5').because('incident.priority-range');
    await this.ctx.record([incidentEvent('incidents.incident.updated', i.incidentId, i.orgId, by.actor, { incidentId, ...change })]);
    return i;
  }

  /** Records the casualty counts as they stand now: same rights as any other update (the owning organisation's dispatchers and commanders). */
  async recordCasualties(incidentId: string, counts: CasualtyCounts, by: Principal): Promise<Incident> {
    const i = this.open(incidentId, by);
    this.requireOwnerOrg(i, by);
    for (const k of TRIAGE_CATEGORIES)
      if (!Number.isInteger(counts[k]) || counts[k] < 0) throw badRequest(`${k} is a count (0 or more)`).because('incident.casualty-count');
    const clean = Object.fromEntries(TRIAGE_CATEGORIES.map((k) => [k, counts[k]])) as CasualtyCounts;
    await this.ctx.record([
      incidentEvent('incidents.casualties.recorded', i.incidentId, i.orgId, by.actor, { incidentId, counts: clean, byName: by.displayName }),
    ]);
    return i;
  }

  async link(incidentId: string, links: { alarmIds?: string[]; alertIds?: string[] }, by: Principal): Promise<Incident> {
    const i = this.incidentFor(incidentId, by, 'act');
    this.requireOwnerOrg(i, by);
    const alarmIds = [...new Set(links.alarmIds ?? [])].filter((a) => !i.alarmIds.includes(a));
    const alertIds = [...new Set(links.alertIds ?? [])].filter((a) => !i.alertIds.includes(a));
    this.checkAlarmLinks(alarmIds, by);
    this.checkAlertLinks(alertIds, by);
    if (alarmIds.length + alertIds.length === 0) return i;
    await this.ctx.record([incidentEvent('incidents.incident.linked', i.incidentId, i.orgId, by.actor, { incidentId, alarmIds, alertIds })]);
    return i;
  }

  /** Status change with its rules; closing needs a resolution and sends the units still assigned home. */
  async changeStatus(
    incidentId: string,
    to: IncidentStatus,
    by: Principal,
    opts: { resolution?: IncidentResolution | null; note?: string | null } = {},
  ): Promise<Incident> {
    const i = this.open(incidentId, by);
    this.requireOwnerOrg(i, by);
    const events = this.statusEvents(i, to, by.actor, opts.resolution ?? null, opts.note ?? null);
    if (to === 'closed') {
      for (const a of i.assignments.filter((x) => !x.releasedAt)) events.push(...this.releaseEvents(i, a, by.actor, 'incident closed'));
    }
    await this.ctx.record(events);
    return i;
  }

  private statusEvents(i: Incident, to: IncidentStatus, actor: string, resolution: IncidentResolution | null, note: string | null): NewEvent[] {
    if (!INCIDENT_TRANSITIONS[i.status].includes(to))
      throw conflict(`incident ${i.reference} cannot go from ${i.status} to ${to}`, { from: i.status, to, allowed: INCIDENT_TRANSITIONS[i.status] }).because(
        'incident.transition',
        { reference: i.reference, from: i.status, to },
      );
    if (to === 'closed' && !resolution) throw badRequest('closing an incident needs a resolution').because('incident.resolution-needed');
    if (to !== 'closed' && resolution) throw badRequest('a resolution is given when closing');
    if (to === 'dispatched' && !i.assignments.some((a) => !a.releasedAt)) throw conflict('dispatch a unit first').because('incident.dispatch-first');
    return [
      incidentEvent(
        'incidents.incident.status-changed',
        i.incidentId,
        i.orgId,
        actor,
        { incidentId: i.incidentId, from: i.status, to, resolution, note: note?.trim() || null },
        note,
      ),
    ];
  }

  /** Available units the caller may dispatch, ranked by ETA to the incident, filtered by the type's required capabilities. */
  async recommend(incidentId: string, by: Principal): Promise<RecommendationResult> {
    const i = this.open(incidentId, by);
    const assigned = new Set(i.assignments.filter((a) => !a.releasedAt).map((a) => a.unitId));
    const excluded: RecommendationResult['excluded'] = [];
    const candidates: Unit[] = [];
    // Only units the caller may dispatch (its own, or of organisations sharing with it to act).
    for (const u of this.units.visible(by)) {
      if (assigned.has(u.unitId) || !can(by, 'act', { orgId: u.orgId })) continue;
      if (!DISPATCHABLE.includes(u.status)) excluded.push({ unitId: u.unitId, callSign: u.callSign, reason: u.status });
      else if (!qualifies(i.type, u.capabilities)) excluded.push({ unitId: u.unitId, callSign: u.callSign, reason: 'lacks a required capability' });
      else candidates.push(u);
    }
    const to = i.location.position;
    const byKind = new Map<Unit['kind'], Unit[]>();
    for (const u of candidates) byKind.set(u.kind, [...(byKind.get(u.kind) ?? []), u]);
    const ranked: Recommendation[] = [];
    for (const [kind, list] of byKind) {
      const etas = await this.travel.etaSeconds(
        list.map((u) => this.units.positionOf(u)),
        to,
        kind,
      );
      list.forEach((u, k) => ranked.push({ unit: u, etaSeconds: etas[k] ?? null, distanceM: Math.round(haversineM(this.units.positionOf(u), to)) }));
    }
    ranked.sort((a, b) => (a.etaSeconds ?? Infinity) - (b.etaSeconds ?? Infinity) || a.distanceM - b.distanceM);
    return { travelTimes: this.travel.name, ranked, excluded };
  }

  /**
   * The dispatcher's decision: the recommended unit, or another with a reason.
   * The assignment, the unit's status and (first unit) the incident's status are one commit.
   */
  async dispatch(incidentId: string, unitId: string, by: Principal, overrideReason: string | null = null): Promise<Assignment> {
    const i = this.open(incidentId, by);
    if (!has(by, ['operator', 'supervisor', 'commander', 'admin'])) throw new VigilError('forbidden', 'dispatching is for dispatchers and commanders');
    const rec = await this.recommend(incidentId, by);
    const top = rec.ranked[0];
    const chosen = rec.ranked.find((r) => r.unit.unitId === unitId);
    const unit = chosen?.unit ?? this.units.visible(by).find((u) => u.unitId === unitId);
    if (!unit) throw notFound('unit', unitId);
    assertCan(by, 'act', { orgId: unit.orgId }, 'unit', unitId);
    if (i.assignments.some((a) => a.unitId === unitId && !a.releasedAt))
      throw conflict(`${unit.callSign} is already assigned to ${i.reference}`).because('incident.unit-already-assigned', {
        unit: unit.callSign,
        reference: i.reference,
      });
    const accepted = top?.unit.unitId === unitId;
    const reason = overrideReason?.trim() || null;
    if (!accepted && !reason)
      throw badRequest(`${unit.callSign} is not the recommended unit${top ? ` (${top.unit.callSign})` : ''}: give the reason for choosing it`).because(
        'incident.override-reason-needed',
        { unit: unit.callSign },
      );
    const from = this.units.positionOf(unit);
    const route = await this.travel.route(from, i.location.position, unit.kind);
    const assignment: Assignment = {
      unitId,
      callSign: unit.callSign,
      orgId: unit.orgId,
      at: new Date(this.ctx.clock.now()).toISOString(),
      by: by.actor,
      etaSeconds: chosen?.etaSeconds ?? route?.seconds ?? null,
      distanceM: Math.round(haversineM(from, i.location.position)),
      recommendedUnitId: accepted ? null : (top?.unit.unitId ?? null),
      overrideReason: accepted ? null : reason,
      route: route?.geometry ?? null,
      routeSource: this.travel.name,
      releasedAt: null,
    };
    const events: NewEvent[] = [
      incidentEvent(
        'incidents.unit.dispatched',
        i.incidentId,
        i.orgId,
        by.actor,
        { incidentId, assignment, ranked: rec.ranked.slice(0, 10).map((r) => ({ unitId: r.unit.unitId, etaSeconds: r.etaSeconds })) },
        reason,
      ),
      this.units.statusEvent(unit, 'dispatched', by.actor, i.incidentId, `to ${i.reference}`),
    ];
    if (i.status === 'new')
      events.push(
        incidentEvent('incidents.incident.status-changed', i.incidentId, i.orgId, by.actor, {
          incidentId,
          from: 'new',
          to: 'dispatched',
          resolution: null,
          note: null,
        }),
      );
    await this.ctx.record(events);
    return assignment;
  }

  async release(incidentId: string, unitId: string, by: Principal, note: string | null): Promise<Incident> {
    const i = this.open(incidentId, by);
    this.requireOwnerOrg(i, by);
    const a = i.assignments.find((x) => x.unitId === unitId && !x.releasedAt);
    if (!a) throw notFound('assignment of unit', unitId);
    await this.ctx.record(this.releaseEvents(i, a, by.actor, note));
    return i;
  }

  private releaseEvents(i: Incident, a: Assignment, actor: string, note: string | null): NewEvent[] {
    const events: NewEvent[] = [incidentEvent('incidents.unit.released', i.incidentId, i.orgId, actor, { incidentId: i.incidentId, unitId: a.unitId, note })];
    const unit = this.units.unit(a.unitId);
    if (unit && unit.incidentId === i.incidentId) {
      const to: UnitStatus | null = unit.status === 'on-scene' ? 'returning' : unit.status === 'dispatched' || unit.status === 'en-route' ? 'available' : null;
      if (to) events.unshift(this.units.statusEvent(unit, to, actor, i.incidentId, note));
    }
    return events;
  }

  /**
   * A unit's crew (or dispatch) reports en route / on scene / returning. The first
   * unit on scene puts a dispatched incident on scene, in the same commit.
   */
  async unitStatus(incidentId: string, unitId: string, to: UnitStatus, by: Principal, note: string | null = null): Promise<Incident> {
    // The unit's crew or dispatch (units.mayActFor) reports its status: reading the incident is enough here.
    const i = this.open(incidentId, by, 'read');
    const unit = this.units.unit(unitId);
    if (!unit || unit.incidentId !== i.incidentId) throw notFound('unit assigned to this incident', unitId);
    if (!this.units.mayActFor(unit, by)) throw new VigilError('forbidden', `only ${unit.callSign}'s crew or its dispatch changes its status`);
    const events = [this.units.statusEvent(unit, to, by.actor, i.incidentId, note)];
    if (to === 'on-scene' && i.status === 'dispatched') events.push(...this.statusEvents(i, 'on-scene', by.actor, null, `${unit.callSign} on scene`));
    if (to === 'available' || to === 'returning')
      events.push(incidentEvent('incidents.unit.released', i.incidentId, i.orgId, by.actor, { incidentId, unitId, note }));
    await this.ctx.record(events);
    return i;
  }

  /** Recomputes the routes of every active assignment (traffic or closures changed). */
  async reroute(): Promise<number> {
    const events: NewEvent[] = [];
    for (const i of this.state.incidents.values()) {
      if (i.status === 'closed') continue;
      for (const a of i.assignments) {
        const unit = this.units.unit(a.unitId);
        if (a.releasedAt || !unit || (unit.status !== 'dispatched' && unit.status !== 'en-route')) continue;
        const route = await this.travel.route(this.units.positionOf(unit), i.location.position, unit.kind);
        // Coordinates compared, not the objects: stored events come back with their keys sorted.
        if (!route || (a.etaSeconds === route.seconds && JSON.stringify(a.route?.coordinates) === JSON.stringify(route.geometry.coordinates))) continue;
        events.push(
          incidentEvent('incidents.unit.rerouted', i.incidentId, i.orgId, 'system:routing', {
            incidentId: i.incidentId,
            unitId: a.unitId,
            route: route.geometry,
            etaSeconds: route.seconds,
            routeSource: this.travel.name,
          }),
        );
      }
    }
    if (events.length > 0) await this.ctx.record(events);
    return events.length;
  }

  /** A message in one channel; public information only from command, and it may cite public alerts. */
  async post(
    incidentId: string,
    input: { channel: CommsChannel; text: string; attachmentIds?: string[]; alertIds?: string[] },
    by: Principal,
  ): Promise<LogEntry> {
    const i = this.incidentFor(incidentId, by, 'act');
    if (input.channel === 'internal' && !has(by, INTERNAL_ROLES)) throw new VigilError('forbidden', 'the internal channel is for dispatch and responders');
    if (input.channel === 'public' && !has(by, PUBLIC_INFO_WRITERS))
      throw new VigilError('forbidden', "public information is released by the owning organisation's command");
    const text = input.text.trim();
    if (!text) throw badRequest('a message has text').because('incident.message-empty');
    const attachments: AttachmentRef[] = (input.attachmentIds ?? []).map((id) => {
      const a = this.state.attachments.get(id);
      if (!a || a.incidentId !== i.incidentId) throw notFound('attachment', id);
      const { incidentId: _i, seq: _s, ...ref } = a;
      return ref;
    });
    const alertIds = input.alertIds ?? [];
    if (alertIds.length && input.channel !== 'public')
      throw badRequest('links to public alerts go in the public channel').because('incident.alert-links-public');
    this.checkAlertLinks(alertIds, by);
    const messageId = newId('msg');
    await this.ctx.record([
      incidentEvent('incidents.message.posted', i.incidentId, i.orgId, by.actor, {
        incidentId,
        messageId,
        channel: input.channel,
        text,
        author: by.displayName,
        attachments,
        alertIds,
      }),
    ]);
    return this.state.logs.get(incidentId)!.find((e) => e.entryId === messageId)!;
  }

  /** Stores a small file in the log (base64 inside one event, under the 1 MB event limit) with its SHA-256. */
  async attach(incidentId: string, file: { name: string; contentType: string; bytes: Buffer }, by: Principal): Promise<AttachmentRef> {
    const i = this.incidentFor(incidentId, by, 'act');
    if (!has(by, INTERNAL_ROLES)) throw new VigilError('forbidden', 'attachments are for dispatch and responders');
    const { base64, ...checked } = checkedFile(file);
    const ref: AttachmentRef = { attachmentId: newId('att'), ...checked };
    // Photos and files are personal data: sealed under a key of their own, shredded at the end of their retention.
    const sealed = await this.ctx.personal.seal(personalSubject('attachment', ref.attachmentId), base64);
    await this.ctx.record([incidentEvent('incidents.attachment.stored', i.incidentId, i.orgId, by.actor, { ...ref, incidentId, sealed })]);
    return ref;
  }

  /** An attachment's bytes, read back from its event and checked against the recorded hash. */
  async attachment(attachmentId: string, by: Principal): Promise<{ ref: AttachmentRef; bytes: Buffer }> {
    const a = this.state.attachments.get(attachmentId);
    if (!a) throw notFound('attachment', attachmentId);
    const i = this.incidentFor(a.incidentId, by);
    if (!has(by, INTERNAL_ROLES) || !can(by, 'personal', this.resourceOf(i, 'attachments'))) throw notFound('attachment', attachmentId);
    const bytes = await fileFromLog(
      this.ctx.log,
      a.seq,
      a.sha256,
      (data) => {
        const d = data as IncidentEvents['incidents.attachment.stored'];
        return d.attachmentId !== attachmentId ? null : 'sealed' in d ? d.sealed : d.base64;
      },
      this.ctx.personal,
    );
    const { incidentId: _i, seq: _s, erased: _e, ...ref } = a;
    return { ref, bytes };
  }

  /** Records that `by` read personal data of this incident (its caller, a file), and why, before it is returned. */
  async recordPersonalRead(i: Incident, by: Principal, what: { subject: string; label: string }[], purpose: string): Promise<void> {
    await this.ctx.personal.recordReads(
      by,
      what.map((w) => ({ ...w, orgId: i.orgId })),
      purpose,
    );
  }

  /** The incident this caller's unit is assigned to (responder view). */
  assignedTo(by: Principal): { unit: Unit; incident: Incident | null } | null {
    const unit = this.units.unitOfUser(by.userId);
    if (!unit) return null;
    const incident = unit.incidentId ? (this.state.incidents.get(unit.incidentId) ?? null) : null;
    return { unit, incident };
  }

  /** An open incident the caller may act on (or read, for the unit-status path). */
  private open(incidentId: string, by: Principal, action: PolicyAction = 'act'): Incident {
    const i = this.incidentFor(incidentId, by, action);
    if (i.status === 'closed') throw conflict(`incident ${i.reference} is closed`).because('incident.closed', { reference: i.reference });
    return i;
  }

  /** Running an incident (status, links, release): dispatch roles of an organisation acting on it. */
  private requireOwnerOrg(i: Incident, by: Principal): void {
    assertCan(by, 'act', this.resourceOf(i), 'incident', i.incidentId);
    if (!has(by, ['operator', 'supervisor', 'commander', 'admin']))
      throw new VigilError('forbidden', `incident ${i.reference} is run by its dispatch and command`);
  }

  /** Public alerts cited by an incident: any the caller may read. */
  private checkAlertLinks(alertIds: readonly string[], by: Principal): void {
    for (const a of alertIds) {
      const alert = this.alerts.alerts.get(a);
      if (!alert) throw notFound('alert', a);
      assertCan(by, 'read', { orgId: alert.orgId }, 'alert', a);
    }
  }
}
