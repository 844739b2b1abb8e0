import { createHash } from 'node:crypto';
import type { AlarmEvents } from '../alarms/contract.js';
import type { DeviceSecurityEvents } from '../device-security/contract.js';
import type { IdentityEvents } from '../identity/contract.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import {
  alertGroup,
  type Advisory,
  type CsirtEvents,
  type Indicator,
  type SecurityAlert,
  type SecurityCase,
  type SecurityEvent,
  type Sighting,
} from './contract.js';
import { hostOf, RuleEngine, type RuleHit } from './rules.js';

/** Recent events kept for the desk (older ones stay in the log). */
export const RECENT_EVENTS = 5000;

/** The alert id a rule's hit raises: rule, key and the event that completed it, so every node writes one. */
export function alertIdOf(rule: string, key: string, eventId: string): string {
  return `sal_${createHash('sha256').update(`${rule}\n${key}\n${eventId}`).digest('hex').slice(0, 26)}`;
}

const actorName = (actor: string): string => actor;

/**
 * The CSIRT desk rebuilt from the log: security events (its own batches and Vigil's own signals
 * recorded by identity and alarms), the rules' alerts, cases, advisories and indicators. Every
 * node applies the same events in the same order, so every node decides the same alerts; the
 * service writes them (a projection never appends).
 */
export class CsirtState implements Projection {
  readonly name = 'csirt';
  readonly typePrefixes = [
    'csirt.',
    'identity.login.failed',
    'alarms.substitution.attempted',
    'alarms.signal.received',
    // A linked finding's triage joins its cases' timelines.
    'device-security.finding.triaged',
    // An artefact whose sealed bytes the privacy retention shredded (attachments unused that long) leaves its case.
    'privacy.record.erased',
  ];
  readonly rules = new RuleEngine();
  readonly recent: SecurityEvent[] = [];
  eventCount = 0;
  readonly alerts = new Map<string, SecurityAlert>();
  /** `${rule}|${key}` → the open alert (new, acknowledged or in an open case). */
  private readonly openAlert = new Map<string, string>();
  /** Alerts decided but not yet seen written in the log. */
  readonly pending = new Map<string, SecurityAlert>();
  readonly cases = new Map<string, SecurityCase>();
  readonly advisories = new Map<string, Advisory>();
  readonly indicators = new Map<string, Indicator>();
  /** Artefact → the case and the log event holding its bytes (or, `onDisk`, naming the node whose store has them, and whether the cluster's store has them too). */
  readonly artefacts = new Map<string, { caseId: string; seq: number; sha256: string; onDisk: { node: string; shared: boolean } | null }>();

  /** Whether an artefact still kept on disk names this SHA-256 (a file shared by two cases stays until both let it go). */
  fileInUse(sha256: string): boolean {
    for (const a of this.artefacts.values()) if (a.onDisk && a.sha256 === sha256) return true;
    return false;
  }
  /** Finding id → cases linking it. */
  readonly casesOfFinding = new Map<string, string[]>();
  /** `${type}:${value}` → where it was seen. */
  readonly sightings = new Map<string, Sighting>();
  /** Told of each alert as it is decided (the service writes it). */
  onAlert: (alert: SecurityAlert) => void = () => {};
  private caseCount = 0;

  apply(e: StoredEvent): void {
    switch (e.type) {
      case 'privacy.record.erased': {
        const d = e.data as { subjects: string[]; why: string };
        for (const subject of d.subjects) {
          if (!subject.startsWith('attachment:art')) continue;
          const artefactId = subject.slice('attachment:'.length);
          const where = this.artefacts.get(artefactId);
          const c = where && this.cases.get(where.caseId);
          if (!where || !c || where.onDisk) continue;
          const a = c.artefacts.find((x) => x.artefactId === artefactId);
          this.artefacts.delete(artefactId);
          c.artefacts = c.artefacts.filter((x) => x.artefactId !== artefactId);
          c.timeline.push({
            at: e.at,
            actor: e.actor,
            what: `artefact ${a?.name ?? artefactId} erased (privacy ${d.why})`,
            kind: 'artefact-erased',
            params: { name: a?.name ?? '', why: 'privacy', note: '' },
          });
        }
        return;
      }
      case 'identity.login.failed': {
        const d = e.data as IdentityEvents['identity.login.failed'];
        return this.event(vigilEvent(e, 'login-failed', { srcIp: d.ip, user: d.username, message: `sign-in refused for ${d.username}: ${d.problem}` }));
      }
      case 'alarms.substitution.attempted': {
        const d = e.data as AlarmEvents['alarms.substitution.attempted'];
        return this.event(
          vigilEvent(e, 'dc09-substitution', {
            remote: hostOf(d.remote),
            srcIp: hostOf(d.remote),
            account: d.account,
            message: `${d.problem}: ${d.message}`,
            severity: 2,
          }),
        );
      }
      case 'device-security.finding.triaged': {
        const d = e.data as DeviceSecurityEvents['device-security.finding.triaged'];
        const why = `${d.state}${d.justification ? ` (${d.justification})` : ''}: ${d.detail}`;
        for (const caseId of this.casesOfFinding.get(d.findingId) ?? []) {
          this.cases.get(caseId)?.timeline.push({
            at: e.at,
            actor: e.actor,
            what: `finding ${d.cveId} on ${d.assetId} → ${why}`,
            kind: 'finding-triaged',
            params: { cve: d.cveId, device: d.assetId, state: d.state, justification: d.justification ?? '', detail: d.detail },
          });
        }
        return;
      }
      case 'alarms.signal.received': {
        const { signal } = e.data as AlarmEvents['alarms.signal.received'];
        if (signal.kind !== 'tamper' || signal.flags.includes('substitution-attempt')) return;
        return this.event(
          vigilEvent(e, 'tamper', { account: signal.account, deviceId: signal.deviceId, message: `${signal.code} ${signal.description}`, severity: 3 }),
        );
      }
    }
    const type = e.type as keyof CsirtEvents;
    switch (type) {
      case 'csirt.events.received': {
        for (const ev of (e.data as CsirtEvents['csirt.events.received']).events) this.event(ev);
        break;
      }
      case 'csirt.alert.raised': {
        const { alert } = e.data as CsirtEvents['csirt.alert.raised'];
        this.pending.delete(alert.alertId);
        if (!this.alerts.has(alert.alertId)) {
          this.alerts.set(alert.alertId, { ...alert, status: 'new', count: alert.eventIds.length, lastSeenAt: alert.raisedAt, caseId: null });
          this.openAlert.set(`${alert.rule}|${alert.key}`, alert.alertId);
          this.sight(alert.observables, null, alert.alertId);
        }
        break;
      }
      case 'csirt.alert.status-changed': {
        const d = e.data as CsirtEvents['csirt.alert.status-changed'];
        const a = this.alerts.get(d.alertId);
        if (!a) break;
        a.status = d.status;
        if (d.status === 'dismissed') this.closeAlert(a);
        else this.openAlert.set(`${a.rule}|${a.key}`, a.alertId);
        break;
      }
      case 'csirt.case.opened': {
        const d = e.data as CsirtEvents['csirt.case.opened'];
        this.caseCount++;
        const c: SecurityCase = {
          ...d.case,
          findingIds: [...(d.case.findingIds ?? [])],
          artefacts: [],
          status: 'new',
          assignee: null,
          openedAt: e.at,
          openedBy: actorName(e.actor),
          triagedAt: null,
          closedAt: null,
          resolution: null,
          resolutionNote: null,
          tasks: [],
          observables: [...d.observables],
          timeline: [{ at: e.at, actor: e.actor, what: `opened: ${d.case.title}`, kind: 'opened', params: { title: d.case.title } }],
        };
        this.cases.set(c.caseId, c);
        this.link(c, d.case.alertIds);
        this.linkFindings(c, c.findingIds);
        this.sight(c.observables, c.caseId, null);
        break;
      }
      case 'csirt.case.updated': {
        const d = e.data as CsirtEvents['csirt.case.updated'];
        const c = this.cases.get(d.caseId);
        if (!c) break;
        Object.assign(c, d.changes);
        if (!c.triagedAt && (d.changes.assignee || d.changes.status === 'in-progress')) c.triagedAt = e.at;
        const said = Object.entries(d.changes).map(([k, v]) => `${k} → ${v === null ? '—' : String(v)}`);
        c.timeline.push({
          at: e.at,
          actor: e.actor,
          what: said.join(', '),
          kind: 'updated',
          params: Object.fromEntries(Object.entries(d.changes).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)])),
        });
        break;
      }
      case 'csirt.case.alerts-linked': {
        const d = e.data as CsirtEvents['csirt.case.alerts-linked'];
        const c = this.cases.get(d.caseId);
        if (!c) break;
        c.alertIds.push(...d.alertIds.filter((id) => !c.alertIds.includes(id)));
        this.link(c, d.alertIds);
        c.timeline.push({ at: e.at, actor: e.actor, what: `alerts linked: ${d.alertIds.length}`, kind: 'alerts-linked', params: { n: d.alertIds.length } });
        break;
      }
      case 'csirt.case.findings-linked': {
        const d = e.data as CsirtEvents['csirt.case.findings-linked'];
        const c = this.cases.get(d.caseId);
        if (!c) break;
        const added = d.findingIds.filter((id) => !c.findingIds.includes(id));
        c.findingIds.push(...added);
        this.linkFindings(c, added);
        const cves = added.map((id) => id.split('~')[1]).join(', ');
        c.timeline.push({ at: e.at, actor: e.actor, what: `findings linked: ${cves}`, kind: 'findings-linked', params: { cves } });
        break;
      }
      case 'csirt.case.artefact-added': {
        const d = e.data as CsirtEvents['csirt.case.artefact-added'];
        const c = this.cases.get(d.caseId);
        if (!c) break;
        c.artefacts.push({ ...d.artefact, addedAt: e.at, addedBy: e.actor });
        this.artefacts.set(d.artefact.artefactId, {
          caseId: c.caseId,
          seq: e.seq,
          sha256: d.artefact.sha256,
          onDisk: d.base64 === undefined ? { node: d.node ?? '', shared: d.shared === true } : null,
        });
        c.timeline.push({
          at: e.at,
          actor: e.actor,
          what: `artefact ${d.artefact.name} (SHA-256 ${d.artefact.sha256.slice(0, 16)}…)`,
          kind: 'artefact-added',
          params: { name: d.artefact.name, sha256: `${d.artefact.sha256.slice(0, 16)}…` },
        });
        break;
      }
      case 'csirt.case.artefact-erased': {
        const d = e.data as CsirtEvents['csirt.case.artefact-erased'];
        const c = this.cases.get(d.caseId);
        this.artefacts.delete(d.artefactId);
        if (!c) break;
        c.artefacts = c.artefacts.filter((a) => a.artefactId !== d.artefactId);
        const why = d.why === 'retention' ? 'retention period reached' : 'erased on request';
        c.timeline.push({
          at: e.at,
          actor: e.actor,
          what: `artefact ${d.name} erased (${why})${d.note ? ` — ${d.note}` : ''}`,
          kind: 'artefact-erased',
          params: { name: d.name, why: d.why === 'retention' ? 'retention' : 'request', note: d.note ?? '' },
        });
        break;
      }
      case 'csirt.case.task-added': {
        const d = e.data as CsirtEvents['csirt.case.task-added'];
        const c = this.cases.get(d.caseId);
        if (!c) break;
        c.tasks.push({ ...d.task });
        c.timeline.push({
          at: e.at,
          actor: e.actor,
          what: `task: ${d.task.title}${d.task.owner ? ` (${d.task.owner})` : ''}`,
          kind: 'task-added',
          params: { title: d.task.title, owner: d.task.owner ?? '' },
        });
        break;
      }
      case 'csirt.case.task-done': {
        const d = e.data as CsirtEvents['csirt.case.task-done'];
        const c = this.cases.get(d.caseId);
        const t = c?.tasks.find((x) => x.taskId === d.taskId);
        if (!c || !t) break;
        t.done = d.done;
        t.doneAt = d.done ? e.at : null;
        c.timeline.push({
          at: e.at,
          actor: e.actor,
          what: `task ${d.done ? 'done' : 'reopened'}: ${t.title}`,
          kind: d.done ? 'task-done' : 'task-reopened',
          params: { title: t.title },
        });
        break;
      }
      case 'csirt.case.observable-added': {
        const d = e.data as CsirtEvents['csirt.case.observable-added'];
        const c = this.cases.get(d.caseId);
        if (!c) break;
        c.observables.push(d.observable);
        this.sight([d.observable], c.caseId, null);
        c.timeline.push({
          at: e.at,
          actor: e.actor,
          what: `observable ${d.observable.type} ${d.observable.value}`,
          kind: 'observable-added',
          params: { type: d.observable.type, value: d.observable.value },
        });
        break;
      }
      case 'csirt.case.commented': {
        const d = e.data as CsirtEvents['csirt.case.commented'];
        this.cases.get(d.caseId)?.timeline.push({ at: e.at, actor: e.actor, what: d.text, kind: 'comment', params: { text: d.text } });
        break;
      }
      case 'csirt.case.closed': {
        const d = e.data as CsirtEvents['csirt.case.closed'];
        const c = this.cases.get(d.caseId);
        if (!c) break;
        c.status = 'closed';
        c.closedAt = e.at;
        c.triagedAt ??= e.at;
        c.resolution = d.resolution;
        c.resolutionNote = d.note;
        c.timeline.push({
          at: e.at,
          actor: e.actor,
          what: `closed: ${d.resolution}${d.note ? ` — ${d.note}` : ''}`,
          kind: 'closed',
          params: { resolution: d.resolution, note: d.note ?? '' },
        });
        for (const id of c.alertIds) {
          const a = this.alerts.get(id);
          if (a) this.closeAlert(a);
        }
        break;
      }
      case 'csirt.case.reopened': {
        const c = this.cases.get((e.data as CsirtEvents['csirt.case.reopened']).caseId);
        if (!c) break;
        c.status = 'in-progress';
        c.closedAt = null;
        c.resolution = null;
        c.resolutionNote = null;
        c.timeline.push({ at: e.at, actor: e.actor, what: 'reopened', kind: 'reopened', params: {} });
        break;
      }
      case 'csirt.advisory.sent': {
        const { advisory } = e.data as CsirtEvents['csirt.advisory.sent'];
        this.advisories.set(advisory.advisoryId, { ...advisory, sentAt: e.at, sentBy: e.actor, confirmedAt: null, confirmedBy: null });
        const c = advisory.caseId ? this.cases.get(advisory.caseId) : undefined;
        c?.timeline.push({ at: e.at, actor: e.actor, what: `advisory sent: ${advisory.title}`, kind: 'advisory-sent', params: { title: advisory.title } });
        break;
      }
      case 'csirt.advisory.confirmed': {
        const a = this.advisories.get((e.data as CsirtEvents['csirt.advisory.confirmed']).advisoryId);
        if (!a || a.confirmedAt) break;
        a.confirmedAt = e.at;
        a.confirmedBy = e.actor;
        const c = a.caseId ? this.cases.get(a.caseId) : undefined;
        c?.timeline.push({ at: e.at, actor: e.actor, what: `advisory confirmed: ${a.title}`, kind: 'advisory-confirmed', params: { title: a.title } });
        break;
      }
      case 'csirt.indicators.imported': {
        for (const ind of (e.data as CsirtEvents['csirt.indicators.imported']).indicators) {
          this.indicators.set(ind.indicatorId, ind);
          this.rules.indicators.set(ind.value.toLowerCase(), ind);
        }
        break;
      }
    }
  }

  /** The next case reference (CSIRT-2026-0007). */
  nextRef(now: number): string {
    return `CSIRT-${new Date(now).getUTCFullYear()}-${String(this.caseCount + 1).padStart(4, '0')}`;
  }

  /** Where an observable was seen (cases and alerts). */
  sightingsOf(type: string, value: string): Sighting {
    return this.sightings.get(`${type}:${value.toLowerCase()}`) ?? { caseIds: [], alertIds: [] };
  }

  private event(ev: SecurityEvent): void {
    this.eventCount++;
    this.recent.push(ev);
    if (this.recent.length > RECENT_EVENTS * 1.2) this.recent.splice(0, this.recent.length - RECENT_EVENTS);
    for (const hit of this.rules.evaluate(ev)) this.hit(hit, ev);
  }

  private hit(hit: RuleHit, ev: SecurityEvent): void {
    const open = this.alerts.get(this.openAlert.get(`${hit.rule}|${hit.key}`) ?? '');
    if (open) {
      open.count++;
      open.lastSeenAt = ev.receivedAt;
      if (open.eventIds.length < 20) open.eventIds.push(ev.eventId);
      return;
    }
    const alert: SecurityAlert = {
      alertId: alertIdOf(hit.rule, hit.key, ev.eventId),
      rule: hit.rule,
      key: hit.key,
      group: alertGroup(hit.observables, hit.key),
      title: hit.title,
      params: hit.params,
      severity: hit.severity,
      orgId: hit.orgId,
      status: 'new',
      raisedAt: ev.receivedAt,
      lastSeenAt: ev.receivedAt,
      count: 1,
      eventIds: [ev.eventId],
      observables: hit.observables,
      caseId: null,
    };
    this.alerts.set(alert.alertId, alert);
    this.openAlert.set(`${hit.rule}|${hit.key}`, alert.alertId);
    this.sight(alert.observables, null, alert.alertId);
    this.pending.set(alert.alertId, alert);
    this.onAlert(alert);
  }

  private closeAlert(a: SecurityAlert): void {
    const k = `${a.rule}|${a.key}`;
    if (this.openAlert.get(k) === a.alertId) this.openAlert.delete(k);
  }

  private link(c: SecurityCase, alertIds: readonly string[]): void {
    for (const id of alertIds) {
      const a = this.alerts.get(id);
      if (!a) continue;
      a.status = 'in-case';
      a.caseId = c.caseId;
      this.sight(a.observables, c.caseId, null);
    }
  }

  private linkFindings(c: SecurityCase, findingIds: readonly string[]): void {
    for (const id of findingIds) {
      const list = this.casesOfFinding.get(id);
      if (!list) this.casesOfFinding.set(id, [c.caseId]);
      else if (!list.includes(c.caseId)) list.push(c.caseId);
    }
  }

  private sight(observables: readonly { type: string; value: string }[], caseId: string | null, alertId: string | null): void {
    for (const o of observables) {
      const k = `${o.type}:${o.value.toLowerCase()}`;
      let s = this.sightings.get(k);
      if (!s) this.sightings.set(k, (s = { caseIds: [], alertIds: [] }));
      if (caseId && !s.caseIds.includes(caseId)) s.caseIds.push(caseId);
      if (alertId && !s.alertIds.includes(alertId) && s.alertIds.length < 200) s.alertIds.push(alertId);
    }
  }
}

function vigilEvent(e: StoredEvent, kind: SecurityEvent['kind'], f: Partial<SecurityEvent> & { message: string }): SecurityEvent {
  return {
    eventId: e.id,
    source: 'vigil',
    kind,
    receivedAt: e.at,
    occurredAt: null,
    severity: 4,
    host: null,
    app: e.type.split('.')[0]!,
    remote: null,
    srcIp: null,
    deviceId: null,
    account: null,
    user: null,
    orgId: e.orgId,
    fields: {},
    ...f,
  };
}
