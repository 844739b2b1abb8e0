import type { AlarmEvents } from '../../alarms/contract.js';
import type { AlertEvents, DeliveryEvents } from '../../alerts/contract.js';
import { SAFETY_SERVICES, type CitizenReportsEvents } from '../../citizen-reports/contract.js';
import type { Position } from '../../kernel/geo.js';
import { INCIDENT_TYPES, type IncidentEvents, type IncidentType } from '../../incidents/contract.js';
import type { UnitEvents, UnitKind } from '../../units/contract.js';
import type { CsirtEvents } from '../../csirt/contract.js';
import type { StoredEvent } from '../../platform/event-log.js';
import type { AreaIndex } from '../engine/area-index.js';
import type { MeasureStore } from '../engine/measure-store.js';
import type { ZoneCalendar } from '../engine/zone-calendar.js';
import type { IncidentSample } from '../model.js';
import { AlertAreaFeed } from './alert-areas.js';

/** The unit kinds that count for a service's response time: a police car reaching a fire first is not the fire service's time. */
export const FIRE_UNIT_KINDS: ReadonlySet<UnitKind> = new Set(['fire-engine']);
export const POLICE_UNIT_KINDS: ReadonlySet<UnitKind> = new Set(['police-car']);
/** Fire incidents (ISO 37120 10.6 counts the fire department's response to them). */
export const FIRE_INCIDENT_TYPES: ReadonlySet<string> = new Set(['fire']);
/** Police incidents: the types every requirement group of which names law enforcement (crime, public disorder, suspicious object). */
export const POLICE_INCIDENT_TYPES: ReadonlySet<string> = new Set(
  (Object.keys(INCIDENT_TYPES) as IncidentType[]).filter((t) => {
    const groups = INCIDENT_TYPES[t].requires as readonly (readonly string[])[];
    return groups.length > 0 && groups.every((g) => g.length === 1 && g[0] === 'law-enforcement');
  }),
);

interface OpenIncident {
  createdMs: number;
  siteId: string | null;
  type: string;
  /** Whether the first unit of any kind, of the fire service, of the police has been counted. */
  anyDone: boolean;
  fireDone: boolean;
  policeDone: boolean;
}

interface OpenAlarm {
  raisedMs: number;
  siteId: string | null;
  acknowledged: boolean;
}

interface AlertDelivery {
  issuedMs: number;
  queued: number;
  sent: number;
  reached90: boolean;
}

/**
 * Turns Vigil's operational events into samples of the engine's variables:
 * alarm acknowledgement times and closures (by site), alert delivery (city-wide,
 * and per neighbourhood from the queued recipients' areas: alert-areas.ts), and incidents
 * through the input seam below.
 */
export class OperationalFeed {
  private readonly alarms = new Map<string, OpenAlarm>();
  private readonly alerts = new Map<string, AlertDelivery>();
  /** Incidents not yet closed: creation time, place, type, which arrivals were counted. */
  private readonly incidents = new Map<string, OpenIncident>();
  /** Unit id → kind (units.unit.registered). */
  private readonly unitKinds = new Map<string, UnitKind>();

  private readonly alertAreas: AlertAreaFeed;
  /** CSIRT cases open: when opened, whether triaged (city level only: the cases are confidential, their times are not). */
  private readonly cases = new Map<string, { openedMs: number; triaged: boolean }>();
  /** Citizen reports not yet resolved: when they came in, the neighbourhood of their position, the responsible kind, whether triaged. */
  private readonly reports = new Map<string, { at: number; areaId: string | null; kind: string | null; acked: boolean }>();
  private readonly responsibleOf = new Map(SAFETY_SERVICES.map((s) => [s.code, s.responsible as string]));

  constructor(
    private readonly store: MeasureStore,
    private readonly index: () => AreaIndex,
    private readonly calendar: ZoneCalendar,
    /** The neighbourhood a position is in (the city model's rule), for citizen reports. */
    private readonly neighbourhoodAt: (p: Position) => string | null = () => null,
  ) {
    this.alertAreas = new AlertAreaFeed(store, index);
  }

  apply(e: StoredEvent): void {
    switch (e.type) {
      case 'incidents.incident.opened': {
        const { incident } = e.data as IncidentEvents['incidents.incident.opened'];
        this.incidents.set(incident.incidentId, {
          createdMs: Date.parse(incident.createdAt),
          siteId: incident.location.siteId,
          type: incident.type,
          anyDone: false,
          fireDone: false,
          policeDone: false,
        });
        break;
      }
      case 'units.unit.registered': {
        const { unit } = e.data as UnitEvents['units.unit.registered'];
        this.unitKinds.set(unit.unitId, unit.kind);
        break;
      }
      case 'units.unit.status-changed': {
        // A unit on scene: the first of the fire service at a fire incident, the first of the police at a police incident.
        const d = e.data as UnitEvents['units.unit.status-changed'];
        if (d.to !== 'on-scene' || !d.incidentId) break;
        const i = this.incidents.get(d.incidentId);
        const kind = this.unitKinds.get(d.unitId);
        if (!i || !kind) break;
        const at = Date.parse(e.at);
        if (!i.fireDone && FIRE_UNIT_KINDS.has(kind) && FIRE_INCIDENT_TYPES.has(i.type)) {
          i.fireDone = true;
          this.addResponse('fire-response-seconds', i, at, e.id);
        }
        if (!i.policeDone && POLICE_UNIT_KINDS.has(kind) && POLICE_INCIDENT_TYPES.has(i.type)) {
          i.policeDone = true;
          this.addResponse('police-response-seconds', i, at, e.id);
        }
        break;
      }
      case 'incidents.incident.status-changed': {
        // The first unit of any kind on scene puts the incident on scene: the emergency-service response time (from the initial call).
        const d = e.data as IncidentEvents['incidents.incident.status-changed'];
        const i = this.incidents.get(d.incidentId);
        if (!i) break;
        if (d.to === 'closed') {
          this.incidents.delete(d.incidentId);
          break;
        }
        if (d.to !== 'on-scene' || i.anyDone) break;
        i.anyDone = true;
        this.addResponse('incident-response-seconds', i, Date.parse(e.at), e.id);
        break;
      }
      case 'citizen-reports.report.submitted': {
        const { report } = e.data as CitizenReportsEvents['citizen-reports.report.submitted'];
        const at = Date.parse(report.requestedAt);
        const areaId = this.neighbourhoodAt(report.position);
        this.reports.set(report.reportId, { at, areaId, kind: this.responsibleOf.get(report.serviceCode) ?? null, acked: false });
        this.store.add('citizen-reports-received', 'flow', this.index().chainFor(null, areaId), this.calendar.monthIndex(at), 1, e.id);
        break;
      }
      case 'citizen-reports.report.acknowledged':
      case 'citizen-reports.report.escalated':
        this.reportAcknowledged((e.data as { reportId: string }).reportId, e);
        break;
      case 'citizen-reports.report.merged': {
        // Merged into another: triaged, and no longer a report of its own (its resolution is the other's).
        const d = e.data as CitizenReportsEvents['citizen-reports.report.merged'];
        this.reportAcknowledged(d.reportId, e);
        this.reports.delete(d.reportId);
        break;
      }
      case 'citizen-reports.report.resolved': {
        const d = e.data as CitizenReportsEvents['citizen-reports.report.resolved'];
        const r = this.reports.get(d.reportId);
        if (!r) break;
        // Resolving a report nobody acknowledged acknowledges it (as alarms count it).
        this.reportAcknowledged(d.reportId, e);
        this.reports.delete(d.reportId);
        this.reportSample('citizen-report-resolve-seconds', r, e);
        break;
      }
      case 'alarms.alarm.raised': {
        const { alarm } = e.data as AlarmEvents['alarms.alarm.raised'];
        this.alarms.set(alarm.alarmId, { raisedMs: Date.parse(alarm.raisedAt), siteId: alarm.siteId, acknowledged: false });
        break;
      }
      case 'alarms.signal.received': {
        // An alarm raised by a signal is told in the signal's event (its time is the signal's).
        const { decision, signal } = e.data as AlarmEvents['alarms.signal.received'];
        if (decision?.rule === 'raised')
          this.alarms.set(decision.alarmId, { raisedMs: Date.parse(signal.receivedAt), siteId: signal.siteId, acknowledged: false });
        break;
      }
      case 'alarms.alarm.acknowledged':
        this.acknowledge((e.data as AlarmEvents['alarms.alarm.acknowledged']).alarmId, e);
        break;
      case 'alarms.alarm.closed': {
        const d = e.data as AlarmEvents['alarms.alarm.closed'];
        const a = this.alarms.get(d.alarmId);
        if (!a) break;
        // Closing an alarm nobody acknowledged acknowledges it (as the alarm queue counts it).
        this.acknowledge(d.alarmId, e);
        const chain = this.index().chainFor(a.siteId, null);
        const month = this.calendar.monthIndex(Date.parse(e.at));
        this.store.add('alarms-closed', 'flow', chain, month, 1, e.id);
        if (d.resolution.startsWith('false')) this.store.add('alarms-false', 'flow', chain, month, 1, e.id);
        this.alarms.delete(d.alarmId);
        break;
      }
      case 'alerts.alert.issued': {
        const d = e.data as AlertEvents['alerts.alert.issued'];
        const issuedMs = Date.parse(d.sent) || Date.parse(e.at);
        this.alerts.set(d.alertId, { issuedMs, queued: 0, sent: 0, reached90: false });
        this.alertAreas.issued(d.alertId, issuedMs, this.calendar.monthIndex(issuedMs));
        break;
      }
      case 'alerts.delivery.updated': {
        // How many recipients each channel queued; older logs also named who was sent here.
        const d = e.data as DeliveryEvents['alerts.delivery.updated'];
        this.alertProgress(d.alertId, d.queued, d.sent?.length ?? 0, e);
        break;
      }
      case 'alerts.delivery.progressed': {
        // Handed over, by runs of positions [first, count, …]: the count is the sum of the second numbers.
        const d = e.data as DeliveryEvents['alerts.delivery.progressed'];
        let sent = 0;
        for (let k = 1; k < (d.sent?.length ?? 0); k += 2) sent += d.sent![k]!;
        this.alertProgress(d.alertId, 0, sent, e);
        this.alertAreas.progressed(d, e);
        break;
      }
      case 'csirt.case.opened':
        this.cases.set((e.data as CsirtEvents['csirt.case.opened']).case.caseId, { openedMs: Date.parse(e.at), triaged: false });
        break;
      case 'csirt.case.updated': {
        const d = e.data as CsirtEvents['csirt.case.updated'];
        if (d.changes.assignee || d.changes.status === 'in-progress') this.caseTriaged(d.caseId, e);
        break;
      }
      case 'csirt.case.closed': {
        const d = e.data as CsirtEvents['csirt.case.closed'];
        const c = this.cases.get(d.caseId);
        if (!c) break;
        this.caseTriaged(d.caseId, e);
        this.store.add(
          'csirt-close-seconds',
          'distribution',
          this.index().chainFor(null, null),
          this.calendar.monthIndex(c.openedMs),
          Math.max(0, (Date.parse(e.at) - c.openedMs) / 1000),
          e.id,
        );
        this.cases.delete(d.caseId);
        break;
      }
      case 'alerts.delivery.queued':
        // Per neighbourhood: where each queued recipient is (the city counts every channel from the updates above).
        this.alertAreas.queued(e.data as DeliveryEvents['alerts.delivery.queued'], e);
        break;
    }
  }

  /**
   * The incidents seam (issue 5): one incident's creation → first unit on scene.
   * The incidents capability calls it from its projection (on replay too), with
   * the id of the event that put the first unit on scene as provenance.
   */
  addIncident(i: IncidentSample, ref: string, bulk = false): void {
    const chain = this.index().chainFor(i.siteId, i.areaId);
    const month = this.calendar.monthIndex(i.createdAt);
    const add = (variable: string, at: number | null | undefined) => {
      const seconds = at == null ? NaN : (at - i.createdAt) / 1000;
      if (Number.isFinite(seconds) && seconds >= 0) this.store.add(variable, 'distribution', chain, month, seconds, ref, bulk);
    };
    add('incident-response-seconds', i.firstOnSceneAt);
    add('fire-response-seconds', i.fireOnSceneAt);
    add('police-response-seconds', i.policeOnSceneAt);
  }

  private addResponse(variable: string, i: OpenIncident, atMs: number, ref: string): void {
    const seconds = (atMs - i.createdMs) / 1000;
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.store.add(variable, 'distribution', this.index().chainFor(i.siteId, null), this.calendar.monthIndex(i.createdMs), seconds, ref);
  }

  private alertProgress(alertId: string, queued: number, sent: number, e: StoredEvent): void {
    const a = this.alerts.get(alertId);
    if (!a || (queued === 0 && sent === 0)) return;
    const chain = this.index().chainFor(null, null);
    const month = this.calendar.monthIndex(a.issuedMs);
    if (queued > 0) this.store.add('alert-recipients-queued', 'flow', chain, month, queued, e.id);
    if (sent > 0) this.store.add('alert-recipients-sent', 'flow', chain, month, sent, e.id);
    a.queued += queued;
    a.sent += sent;
    if (!a.reached90 && a.queued > 0 && a.sent >= 0.9 * a.queued) {
      a.reached90 = true;
      this.store.add('alert-seconds-to-90', 'distribution', chain, month, Math.max(0, (Date.parse(e.at) - a.issuedMs) / 1000), e.id);
    }
  }

  private reportAcknowledged(reportId: string, e: StoredEvent): void {
    const r = this.reports.get(reportId);
    if (!r || r.acked) return;
    r.acked = true;
    this.reportSample('citizen-report-ack-seconds', r, e);
  }

  /** One report's time, by the month of the event that ended it, in its neighbourhood's chain — all reports and its responsible kind's. */
  private reportSample(variable: string, r: { at: number; areaId: string | null; kind: string | null }, e: StoredEvent): void {
    const at = Date.parse(e.at);
    const chain = this.index().chainFor(null, r.areaId);
    const month = this.calendar.monthIndex(at);
    const seconds = Math.max(0, (at - r.at) / 1000);
    this.store.add(variable, 'distribution', chain, month, seconds, e.id);
    if (r.kind) this.store.add(`${variable}-${r.kind}`, 'distribution', chain, month, seconds, e.id);
  }

  private caseTriaged(caseId: string, e: StoredEvent): void {
    const c = this.cases.get(caseId);
    if (!c || c.triaged) return;
    c.triaged = true;
    this.store.add(
      'csirt-triage-seconds',
      'distribution',
      this.index().chainFor(null, null),
      this.calendar.monthIndex(c.openedMs),
      Math.max(0, (Date.parse(e.at) - c.openedMs) / 1000),
      e.id,
    );
  }

  private acknowledge(alarmId: string, e: StoredEvent): void {
    const a = this.alarms.get(alarmId);
    if (!a || a.acknowledged) return;
    a.acknowledged = true;
    const chain = this.index().chainFor(a.siteId, null);
    this.store.add('alarm-ack-seconds', 'distribution', chain, this.calendar.monthIndex(a.raisedMs), Math.max(0, (Date.parse(e.at) - a.raisedMs) / 1000), e.id);
  }
}
