import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DeviceSecurityReadPort, Finding, TriageInput } from '../device-security/contract.js';
import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { fileFromLog } from '../platform/attachments.js';
import { personalSubject } from '../platform/personal-data.js';
import { eraseRecords } from '../platform/retention.js';
import { assertCan, can, filterVisible, type PolicyResource } from '../platform/policy.js';
import {
  DEFAULT_ARTEFACT_RETENTION_DAYS,
  MAX_ARTEFACT_BYTES,
  observableProblem,
  type ArtefactErasedWhy,
  type Advisory,
  type Artefact,
  type CaseFinding,
  type FindingCase,
  type AlertSeverity,
  type CaseResolution,
  type CsirtEvents,
  type CsirtSummary,
  type Indicator,
  type Observable,
  type ObservableOrigin,
  type ObservableType,
  type Pap,
  type SecurityAlert,
  type SecurityCase,
  type SecurityEvent,
  type Sighting,
  type Tlp,
} from './contract.js';
import type { CsirtState } from './csirt-state.js';
import type { ArtefactStore } from './artefact-store.js';
import type { SharedFileStore } from '../platform/shared-files.js';
import { caseToMisp, caseToStix, stixIndicators, type StixBundle } from './exchange.js';

/** Security-confidential data of an organisation (null: the city's own). */
export const secret = (orgId: string | null): PolicyResource => ({ orgId, confidential: 'security' });

/** The key an artefact's bytes in the log are sealed under (shredded when it is erased; also under the attachments' privacy retention). */
const artefactSubject = (artefactId: string): string => personalSubject('attachment', artefactId);

function csirtEvent<K extends keyof CsirtEvents>(type: K, subject: string, orgId: string | null, p: Principal, data: CsirtEvents[K]): NewEvent {
  return { type, subject, orgId, actor: p.actor, data, reason: null };
}

export interface CaseInput {
  title: string;
  description?: string;
  orgId?: string | null;
  severity?: AlertSeverity;
  tlp?: Tlp;
  pap?: Pap;
  alertIds?: string[];
  incidentId?: string | null;
  observables?: { type: ObservableType; value: string; ioc?: boolean; note?: string }[];
  /** Device-security findings the case is about: their device and CVE join as observables. */
  findingIds?: string[];
  /** Send each finding's owner organisation an advisory about the case (default: yes, when opened from findings). */
  notifyOwners?: boolean;
}

/** What the desk needs of device security (null: the capability is not there). */
export type FindingsPort = Pick<DeviceSecurityReadPort, 'finding' | 'asset' | 'cveTitle' | 'findingsOfCve' | 'findingsOfAsset'> & {
  /** Moves a finding through its triage (device security asks the policy and records it); absent: the desk only reads. */
  triage?: (findingId: string, input: TriageInput, p: Principal) => Promise<unknown>;
};

/** A case as the desk shows it: names for actors, sightings of its observables, its advisories. */
export interface CaseView extends SecurityCase {
  orgName: string | null;
  /** The people the case names by username (opened by, assignee, task owners, timeline, artefacts), with their display names. */
  people: Record<string, string>;
  findings: CaseFinding[];
  alerts: SecurityAlert[];
  sightings: Record<string, Sighting>;
  advisories: Advisory[];
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The CSIRT desk: alerts the rules raise, cases with their tasks, observables, timeline and
 * advisories, and the exchange formats. Every read and write asks the one policy with
 * `confidential: 'security'`: the owner organisation and the city's CSIRT only.
 */
export class CsirtService {
  private started = false;

  constructor(
    private readonly ctx: AppContext,
    readonly state: CsirtState,
    private readonly names: {
      orgName(orgId: string): string | null;
      actorName(actor: string): string;
      /** A user's display name by username (null: no such user). */
      displayName?(username: string): string | null;
      incidentVisible?(incidentId: string, by: Principal): boolean;
    },
    private readonly devices: FindingsPort | null = null,
    /** Where artefacts larger than the log takes are kept (null: only small ones, in the log). */
    readonly store: ArtefactStore | null = null,
    /** Days a closed case keeps its artefacts (VIGIL_CSIRT_ARTEFACT_RETENTION_DAYS; 0: until erased by hand). */
    readonly artefactRetentionDays = DEFAULT_ARTEFACT_RETENTION_DAYS,
    /** On a cluster, where large artefacts are kept durably for every node (`store` is then this node's cache of them). */
    private readonly shared: SharedFileStore | null = ctx.sharedFiles ?? null,
  ) {
    state.onAlert = () => {
      if (this.started) void this.writePending();
    };
  }

  /** After the log was replayed: writes the alerts decided but not yet written. */
  start(): void {
    this.started = true;
    void this.writePending();
  }

  private writing: Promise<void> = Promise.resolve();
  private writePending(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const batch = [...this.state.pending.values()].slice(0, 500);
      if (batch.length === 0) return;
      const events: NewEvent[] = batch.map((a) => ({
        id: `evt_${a.alertId}`,
        type: 'csirt.alert.raised',
        subject: `security-alert:${a.alertId}`,
        orgId: a.orgId,
        actor: `system:csirt-rule:${a.rule}`,
        data: {
          alert: {
            alertId: a.alertId,
            rule: a.rule,
            key: a.key,
            group: a.group,
            title: a.title,
            severity: a.severity,
            orgId: a.orgId,
            raisedAt: a.raisedAt,
            eventIds: a.eventIds.slice(0, 1),
            observables: a.observables,
          },
        } satisfies CsirtEvents['csirt.alert.raised'],
      }));
      try {
        await this.ctx.record(events);
      } catch (error) {
        this.ctx.logger.error({ err: error }, 'could not record security alerts');
        return;
      }
      if (this.state.pending.size > 0) void this.writePending();
    });
    return this.writing;
  }

  summary(p: Principal): CsirtSummary {
    const cases = this.visibleCases(p);
    const since = this.ctx.clock.now() - 90 * 86_400_000;
    const recent = cases.filter((c) => Date.parse(c.openedAt) >= since);
    const minutes = (a: string, b: string | null) => (b ? (Date.parse(b) - Date.parse(a)) / 60_000 : null);
    return {
      // The city-wide count for the CSIRT; an owner organisation counts the events it may read (those the desk keeps).
      events: this.readsEveryOrganisation(p) ? this.state.eventCount : this.events(p, this.state.recent.length).length,
      eventsRefused: 0,
      openAlerts: this.alerts(p).filter((a) => a.status === 'new' || a.status === 'acknowledged').length,
      openCases: cases.filter((c) => c.status !== 'closed').length,
      medianTriageMinutes: median(recent.map((c) => minutes(c.openedAt, c.triagedAt)).filter((x): x is number => x !== null)),
      medianCloseMinutes: median(recent.map((c) => minutes(c.openedAt, c.closedAt)).filter((x): x is number => x !== null)),
    };
  }

  /** The city's CSIRT reads every organisation's security data (policy `confidential: 'security'`); the intake's city-wide figures are its only. */
  readsEveryOrganisation(p: Principal): boolean {
    return p.roles.includes('csirt');
  }

  events(p: Principal, limit = 200): SecurityEvent[] {
    const out: SecurityEvent[] = [];
    for (let i = this.state.recent.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.state.recent[i]!;
      if (can(p, 'read', secret(e.orgId))) out.push(e);
    }
    return out;
  }

  alerts(p: Principal): SecurityAlert[] {
    return filterVisible(p, [...this.state.alerts.values()], (a) => secret(a.orgId)).sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  }

  private alert(p: Principal, alertId: string, action: 'read' | 'act' = 'read'): SecurityAlert {
    const a = this.state.alerts.get(alertId);
    if (!a) throw notFound('security alert', alertId);
    assertCan(p, action, secret(a.orgId), 'security alert', alertId);
    return a;
  }

  /** An alert named in a request body: one the caller may not act on is a bad reference (400), as one that does not exist. */
  private referenced(p: Principal, alertId: string): SecurityAlert {
    const a = this.state.alerts.get(alertId);
    if (!a || !can(p, 'act', secret(a.orgId))) throw badRequest(`no security alert ${alertId}`);
    return a;
  }

  async setAlertStatus(p: Principal, alertId: string, status: 'acknowledged' | 'dismissed' | 'new'): Promise<SecurityAlert> {
    const a = this.alert(p, alertId, 'act');
    if (a.status === 'in-case') throw conflict(`alert ${alertId} is in case ${a.caseId}: handle it there`);
    if (this.state.pending.has(alertId)) await this.writePending();
    await this.ctx.record([csirtEvent('csirt.alert.status-changed', `security-alert:${alertId}`, a.orgId, p, { alertId, status })]);
    return a;
  }

  visibleCases(p: Principal): SecurityCase[] {
    return filterVisible(p, [...this.state.cases.values()], (c) => secret(c.orgId)).sort((a, b) => b.openedAt.localeCompare(a.openedAt));
  }

  /** Display names of the usernames given (those the identity knows), for the page to show people by name. */
  private people(usernames: Iterable<string | null | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const u of usernames) {
      if (!u || out[u] !== undefined) continue;
      const shown = this.names.displayName?.(u);
      if (shown) out[u] = shown;
    }
    return out;
  }

  /** The case list: without timelines, with the organisation's name and the assignee's. */
  caseRows(p: Principal): (Omit<SecurityCase, 'timeline'> & { orgName: string | null; people: Record<string, string> })[] {
    return this.visibleCases(p).map(({ timeline: _t, ...c }) => ({
      ...c,
      orgName: c.orgId ? this.names.orgName(c.orgId) : null,
      people: this.people([c.assignee]),
    }));
  }

  private getCase(p: Principal, caseId: string, action: 'read' | 'act' = 'read'): SecurityCase {
    const c = this.state.cases.get(caseId);
    if (!c) throw notFound('case', caseId);
    assertCan(p, action, secret(c.orgId), 'case', caseId);
    return c;
  }

  caseView(p: Principal, caseId: string): CaseView {
    const c = this.getCase(p, caseId);
    const sightings: Record<string, Sighting> = {};
    for (const o of c.observables) {
      const s = this.state.sightingsOf(o.type, o.value);
      sightings[o.observableId] = {
        caseIds: s.caseIds.filter((id) => id !== c.caseId && this.state.cases.has(id) && can(p, 'read', secret(this.state.cases.get(id)!.orgId))),
        alertIds: s.alertIds.filter((id) => this.state.alerts.has(id) && can(p, 'read', secret(this.state.alerts.get(id)!.orgId))),
        ...this.findingSightings(p, o.type, o.value),
      };
    }
    const timeline = c.timeline.map((t) => ({
      ...t,
      actor: this.names.actorName(t.actor),
      what: this.withDeviceNames(c, t.what),
      // The triaged finding's device by name, as in the English line.
      ...(t.params?.device !== undefined ? { params: { ...t.params, device: this.deviceName(String(t.params.device)) } } : {}),
    }));
    const openedBy = this.names.actorName(c.openedBy);
    const artefacts = c.artefacts.map((a) => ({ ...a, addedBy: this.names.actorName(a.addedBy) }));
    return {
      ...c,
      openedBy,
      timeline,
      people: this.people([
        openedBy,
        c.assignee,
        ...c.tasks.map((x) => x.owner),
        ...timeline.flatMap((x) => [x.actor, x.kind === 'updated' && x.params?.assignee ? String(x.params.assignee) : null]),
        ...artefacts.map((a) => a.addedBy),
      ]),
      orgName: c.orgId ? this.names.orgName(c.orgId) : null,
      alerts: c.alertIds.map((id) => this.state.alerts.get(id)).filter((a): a is SecurityAlert => a !== undefined),
      findings: c.findingIds.flatMap((id) => {
        const f = this.devices?.finding(id);
        return f && can(p, 'read', secret(f.orgId)) ? [this.caseFinding(f)] : [];
      }),
      artefacts,
      sightings,
      advisories: [...this.state.advisories.values()].filter((a) => a.caseId === c.caseId && can(p, 'read', secret(a.orgId))),
    };
  }

  private observable(p: Principal, o: { type: ObservableType; value: string; ioc?: boolean; note?: string; origin?: ObservableOrigin }): Observable {
    const problem = observableProblem(o.type, o.value);
    if (problem) throw badRequest(problem);
    return {
      observableId: newId('obs'),
      type: o.type,
      value: o.value.trim(),
      ioc: o.ioc ?? false,
      note: (o.note ?? '').slice(0, 1000),
      ...(o.origin ? { origin: o.origin } : {}),
      addedAt: new Date(this.ctx.clock.now()).toISOString(),
      addedBy: p.actor,
    };
  }

  async openCase(p: Principal, input: CaseInput): Promise<CaseView> {
    const alerts = (input.alertIds ?? []).map((id) => this.referenced(p, id));
    for (const a of alerts) if (a.status === 'in-case') throw conflict(`alert ${a.alertId} is already in case ${a.caseId}`);
    const findings = [...new Set(input.findingIds ?? [])].map((id) => this.referencedFinding(p, id));
    const orgs = new Set<string | null>([...alerts.map((a) => a.orgId), ...findings.map((f) => f.orgId)]);
    const orgId = input.orgId !== undefined ? input.orgId : orgs.size === 1 ? [...orgs][0]! : p.orgId;
    if (orgId && !this.names.orgName(orgId)) throw badRequest(`no organisation ${orgId}`);
    assertCan(p, 'act', secret(orgId), 'organisation', orgId ?? 'city');
    // The incident a case names is one the caller reads: not another organisation's (nor a made-up id), answered as unknown.
    if (input.incidentId && this.names.incidentVisible?.(input.incidentId, p) !== true) throw notFound('incident', input.incidentId);
    for (const a of alerts) if (this.state.pending.has(a.alertId)) await this.writePending();
    const observables: Observable[] = [];
    const seen = new Set<string>();
    const add = (o: { type: ObservableType; value: string; ioc?: boolean; note?: string; origin?: ObservableOrigin }) => {
      const k = `${o.type}:${o.value.trim().toLowerCase()}`;
      if (seen.has(k)) return;
      seen.add(k);
      observables.push(this.observable(p, o));
    };
    for (const o of input.observables ?? []) add(o);
    for (const a of alerts)
      for (const o of a.observables)
        add({
          ...o,
          ioc: o.type === 'ipv4' || o.type === 'ipv6',
          note: `from alert: ${a.title}`,
          origin: { kind: 'alert', rule: a.rule, params: a.params ?? {} },
        });
    for (const f of findings) for (const o of this.findingObservables(f)) add(o);
    const severities: AlertSeverity[] = ['low', 'medium', 'high', 'critical'];
    const fromFindings = findings.map((f) => ({ P1: 3, P2: 2, P3: 1, P4: 0 })[f.priority]);
    const severity = input.severity ?? severities[Math.max(0, ...alerts.map((a) => severities.indexOf(a.severity)), ...fromFindings)]!;
    const caseId = newId('case');
    const ref = this.state.nextRef(this.ctx.clock.now());
    const tlp = input.tlp ?? 'amber';
    await this.ctx.record([
      csirtEvent('csirt.case.opened', `case:${caseId}`, orgId, p, {
        case: {
          caseId,
          ref,
          title: input.title,
          description: input.description ?? '',
          orgId,
          severity,
          tlp: input.tlp ?? 'amber',
          pap: input.pap ?? 'amber',
          alertIds: alerts.map((a) => a.alertId),
          incidentId: input.incidentId ?? null,
          ...(findings.length > 0 ? { findingIds: findings.map((f) => f.findingId) } : {}),
        },
        observables,
      }),
      ...(input.notifyOwners === false ? [] : this.ownerAdvisories(p, caseId, ref, input.title, tlp, findings)),
    ]);
    return this.caseView(p, caseId);
  }

  /** A device of the case's findings by its label (the asset id when the inventory does not know it). */
  private deviceName(assetId: string): string {
    return this.devices?.asset(assetId)?.label ?? assetId;
  }

  /** A timeline line with the case's devices (from its findings) by name. */
  private withDeviceNames(c: SecurityCase, what: string): string {
    if (!this.devices || c.findingIds.length === 0 || !what.includes(' on ')) return what;
    for (const id of c.findingIds) {
      const assetId = id.split('~')[0]!;
      const label = this.devices.asset(assetId)?.label;
      if (label) what = what.replaceAll(` on ${assetId}`, ` on ${label}`);
    }
    return what;
  }

  /**
   * Triage from inside a case: moves one of the case's findings to new, confirmed, not affected
   * (with a VEX justification), mitigated or fixed, saying why. The caller acts on the case and on
   * the finding's organisation; device security records it (who: the caller), and the case's
   * timeline shows it.
   */
  async triageFinding(p: Principal, caseId: string, findingId: string, input: TriageInput): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    if (!c.findingIds.includes(findingId)) throw badRequest(`no finding ${findingId} in case ${c.ref}`);
    if (!this.devices?.triage) throw new VigilError('unavailable', 'device security is not on this node');
    this.referencedFinding(p, findingId);
    await this.devices.triage(findingId, input, p);
    return this.caseView(p, caseId);
  }

  /** Links findings to a case (their device and CVE join as observables; their owners are told unless `notifyOwners` is false). */
  async linkFindings(p: Principal, caseId: string, findingIds: string[], notifyOwners = true): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    const findings = [...new Set(findingIds)].filter((id) => !c.findingIds.includes(id)).map((id) => this.referencedFinding(p, id));
    if (findings.length === 0) return this.caseView(p, caseId);
    const have = new Set(c.observables.map((o) => `${o.type}:${o.value.toLowerCase()}`));
    const events: NewEvent[] = [
      csirtEvent('csirt.case.findings-linked', `case:${caseId}`, c.orgId, p, { caseId, findingIds: findings.map((f) => f.findingId) }),
    ];
    for (const f of findings) {
      for (const o of this.findingObservables(f)) {
        const k = `${o.type}:${o.value.toLowerCase()}`;
        if (have.has(k)) continue;
        have.add(k);
        events.push(csirtEvent('csirt.case.observable-added', `case:${caseId}`, c.orgId, p, { caseId, observable: this.observable(p, o) }));
      }
    }
    if (notifyOwners) events.push(...this.ownerAdvisories(p, caseId, c.ref, c.title, c.tlp, findings, c.findingIds));
    await this.ctx.record(events);
    return this.caseView(p, caseId);
  }

  /** A finding named in a request: one the caller may not act on is a bad reference (400), as one that does not exist. */
  private referencedFinding(p: Principal, findingId: string): Finding {
    const f = this.devices?.finding(findingId);
    if (!f || !can(p, 'act', secret(f.orgId))) throw badRequest(`no finding ${findingId}`);
    return f;
  }

  private findingObservables(f: Finding): { type: ObservableType; value: string; ioc: boolean; note: string; origin: ObservableOrigin }[] {
    const label = this.devices?.asset(f.assetId)?.label ?? f.assetId;
    return [
      { type: 'device', value: f.assetId, ioc: false, note: `finding: ${label}`, origin: { kind: 'finding-device', device: label } },
      {
        type: 'cve',
        value: f.cveId,
        ioc: false,
        note: `finding: ${f.cveId}${f.kev ? ' (known exploited)' : ''}`,
        origin: { kind: 'finding-cve', cve: f.cveId, kev: f.kev },
      },
    ];
  }

  /** One advisory per owner organisation of these findings (not those already told through the case's other findings). */
  private ownerAdvisories(p: Principal, caseId: string, ref: string, title: string, tlp: Tlp, findings: Finding[], already: string[] = []): NewEvent[] {
    const told = new Set(already.map((id) => this.devices?.finding(id)?.orgId).filter((x): x is string => !!x));
    const perOrg = new Map<string, Finding[]>();
    for (const f of findings) if (!told.has(f.orgId)) (perOrg.get(f.orgId) ?? perOrg.set(f.orgId, []).get(f.orgId)!).push(f);
    const events: NewEvent[] = [];
    for (const [orgId, fs] of perOrg) {
      if (!this.names.orgName(orgId) || !can(p, 'act', secret(orgId))) continue;
      const lines = fs.map((f) => {
        const label = this.devices?.asset(f.assetId)?.label ?? f.assetId;
        return `- ${f.cveId}${f.kev ? ' (known exploited)' : ''} on ${label}${f.component ? ` (${f.component.name} ${f.component.version})` : ''}: ${f.priority}`;
      });
      const advisoryId = newId('adv');
      events.push(
        csirtEvent('csirt.advisory.sent', `advisory:${advisoryId}`, orgId, p, {
          advisory: {
            advisoryId,
            caseId,
            orgId,
            title: `${ref}: ${title}`,
            body: `The city CSIRT opened case ${ref} about vulnerabilities on your devices:\n${lines.join('\n')}\nPlease confirm, then patch or mitigate and record it on the finding (Device security).`,
            about: {
              ref,
              findings: fs.map((f) => ({
                cve: f.cveId,
                kev: f.kev,
                device: this.devices?.asset(f.assetId)?.label ?? f.assetId,
                component: f.component ? `${f.component.name} ${f.component.version}` : null,
                priority: f.priority,
              })),
            },
            tlp,
          },
        }),
      );
    }
    return events;
  }

  private caseFinding(f: Finding): CaseFinding {
    const a = this.devices?.asset(f.assetId);
    return {
      findingId: f.findingId,
      cveId: f.cveId,
      title: this.devices?.cveTitle(f.cveId) ?? f.cveId,
      assetId: f.assetId,
      label: a?.label ?? f.assetId,
      orgId: f.orgId,
      orgName: this.names.orgName(f.orgId),
      component: f.component ? `${f.component.name} ${f.component.version}` : null,
      priority: f.priority,
      kev: f.kev,
      cvss: f.cvss,
      state: f.triage.state,
      justification: f.triage.justification,
      stateDetail: f.triage.detail,
      stateAt: f.triage.at,
      stateBy: f.triage.state === 'new' && f.triage.by === 'system' ? null : this.names.actorName(f.triage.by),
    };
  }

  /** Findings naming an observable's device or CVE, as far as the caller sees. */
  private findingSightings(p: Principal, type: ObservableType, value: string): { findingIds?: string[]; findingCount?: number } {
    if (!this.devices || (type !== 'cve' && type !== 'device')) return {};
    const all = type === 'cve' ? this.devices.findingsOfCve(value.toUpperCase()) : this.devices.findingsOfAsset(value);
    const seen = all.filter((f) => can(p, 'read', secret(f.orgId)));
    return { findingIds: seen.slice(0, 20).map((f) => f.findingId), findingCount: seen.length };
  }

  /** The cases a finding is in, or that hold its CVE or device as an observable, as far as the caller sees. */
  casesOfFinding(p: Principal, f: Pick<Finding, 'findingId' | 'assetId' | 'cveId'>): FindingCase[] {
    const out = new Map<string, FindingCase>();
    const put = (caseId: string, via: FindingCase['via']) => {
      const c = this.state.cases.get(caseId);
      if (!c || out.has(caseId) || !can(p, 'read', secret(c.orgId))) return;
      out.set(caseId, { caseId, ref: c.ref, title: c.title, status: c.status, via });
    };
    for (const id of this.state.casesOfFinding.get(f.findingId) ?? []) put(id, 'linked');
    for (const id of this.state.sightingsOf('cve', f.cveId).caseIds) put(id, 'cve');
    for (const id of this.state.sightingsOf('device', f.assetId).caseIds) put(id, 'device');
    return [...out.values()];
  }

  /** A file name as kept: control characters and path separators are what a file name must not carry. */
  private artefactName(raw: string): string {
    const name = raw
      .trim()
      // eslint-disable-next-line no-control-regex
      .replace(/[\\/\u0000-\u001f\u007f"]/g, '_')
      .slice(0, 120);
    if (!name) throw badRequest('an artefact has a file name');
    return name;
  }

  /**
   * Keeps a file with a case: any content (a sample may be anything), at most MAX_ARTEFACT_BYTES,
   * stored in the log with its SHA-256, which joins the case as an observable (an IOC if said so).
   */
  async addArtefact(
    p: Principal,
    caseId: string,
    file: { name: string; declaredType: string; bytes: Buffer },
    opts: { note?: string; ioc?: boolean } = {},
  ): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    const name = this.artefactName(file.name);
    if (file.bytes.length === 0) throw badRequest('the file is empty');
    if (file.bytes.length > MAX_ARTEFACT_BYTES) throw new VigilError('payload_too_large', `artefacts are at most ${MAX_ARTEFACT_BYTES} bytes`);
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    return this.recordArtefact(
      p,
      c,
      { name, declaredType: file.declaredType, bytes: file.bytes.length, sha256 },
      { base64: file.bytes.toString('base64') },
      opts,
    );
  }

  /**
   * Keeps a file with a case as it arrives (an HTTP body): the caller's right to act on the case
   * is checked before a byte is read; the file is streamed to the artefact store, hashed and
   * counted on the way (413 past the limit, checked first against `declaredBytes`). Small files
   * go into the log like `addArtefact`; larger ones stay in the store, fsynced and renamed into
   * place before the event that names them is recorded: an artefact is never recorded half.
   */
  async addArtefactUpload(
    p: Principal,
    caseId: string,
    file: { name: string; declaredType: string; body: Readable; declaredBytes?: number },
    opts: { note?: string; ioc?: boolean } = {},
  ): Promise<CaseView> {
    if (!this.store) throw new VigilError('unavailable', 'no artefact store on this node');
    this.getCase(p, caseId, 'act');
    const name = this.artefactName(file.name);
    if (file.declaredBytes !== undefined && file.declaredBytes > this.store.maxBytes) throw this.store.tooLarge();
    const received = await this.store.receive(file.body);
    let kept = false;
    try {
      if (received.bytes === 0) throw badRequest('the file is empty');
      // Checked again: the case may have changed while the file arrived.
      const c = this.getCase(p, caseId, 'act');
      const meta = { name, declaredType: file.declaredType, bytes: received.bytes, sha256: received.sha256 };
      if (received.bytes <= MAX_ARTEFACT_BYTES) {
        const bytes = await this.store.bytesOf(received);
        return await this.recordArtefact(p, c, meta, { base64: bytes.toString('base64') }, opts);
      }
      if (c.artefacts.some((a) => a.sha256 === received.sha256)) throw conflict(`this file is already in case ${c.ref}`);
      // On a cluster the bytes are in the shared store before anything names them: losing this node loses nothing.
      const artefactId = newId('art');
      if (this.shared) await this.shared.put(received.sha256, received.bytes, received.tmp, artefactId);
      await this.store.keep(received);
      kept = true;
      return await this.recordArtefact(p, c, meta, { node: this.ctx.config.nodeId, ...(this.shared ? { shared: true as const } : {}) }, opts, artefactId);
    } finally {
      if (!kept) await this.store.discard(received);
    }
  }

  private async recordArtefact(
    p: Principal,
    c: SecurityCase,
    file: { name: string; declaredType: string; bytes: number; sha256: string },
    where: { base64: string } | { node: string; shared?: true },
    opts: { note?: string; ioc?: boolean },
    artefactId = newId('art'),
  ): Promise<CaseView> {
    const { caseId } = c;
    const { name, sha256 } = file;
    if (c.artefacts.some((a) => a.sha256 === sha256)) throw conflict(`this file is already in case ${c.ref}`);
    const now = new Date(this.ctx.clock.now()).toISOString();
    // Bytes kept in the log are sealed under a key of their own: erasing the artefact shreds the key,
    // and every copy of the event (backups, replicas) reads as erased while the chain still verifies.
    const kept = 'base64' in where ? { base64: await this.ctx.personal.seal(artefactSubject(artefactId), where.base64) } : where;
    const artefact: Artefact = {
      artefactId,
      name,
      declaredType: file.declaredType.split(';')[0]!.trim().toLowerCase().slice(0, 100) || 'application/octet-stream',
      bytes: file.bytes,
      sha256,
      note: (opts.note ?? '').slice(0, 1000),
      addedAt: now,
      addedBy: p.actor,
    };
    const events: NewEvent[] = [csirtEvent('csirt.case.artefact-added', `case:${caseId}`, c.orgId, p, { caseId, artefact, ...kept })];
    const existing = c.observables.find((o) => o.type === 'sha256' && o.value.toLowerCase() === sha256);
    if (!existing)
      events.push(
        csirtEvent('csirt.case.observable-added', `case:${caseId}`, c.orgId, p, {
          caseId,
          observable: this.observable(p, {
            type: 'sha256',
            value: sha256,
            ioc: opts.ioc ?? false,
            note: `artefact: ${name}`,
            origin: { kind: 'artefact', name },
          }),
        }),
      );
    await this.ctx.record(events);
    return this.caseView(p, caseId);
  }

  /**
   * An artefact to send: the policy asked first (read on its case), then its bytes as a stream,
   * checked against the recorded hash (from the log, or from this node's artefact store).
   */
  async openArtefact(p: Principal, artefactId: string): Promise<{ artefact: Artefact; body: Readable | Buffer }> {
    const where = this.state.artefacts.get(artefactId);
    if (!where) throw notFound('artefact', artefactId);
    const c = this.getCase(p, where.caseId);
    const artefact = c.artefacts.find((a) => a.artefactId === artefactId)!;
    if (where.onDisk) {
      if (!this.store) throw new VigilError('unavailable', 'no artefact store on this node');
      if (where.onDisk.shared && this.shared && !(await this.store.has(where.sha256))) await this.fetchShared(where.sha256, artefact.bytes);
      return { artefact, body: await this.store.read(where.sha256, artefact.bytes, where.onDisk.node || null) };
    }
    const bytes = await fileFromLog(
      this.ctx.log,
      where.seq,
      where.sha256,
      (data) => {
        const d = data as CsirtEvents['csirt.case.artefact-added'];
        return d.artefact?.artefactId === artefactId ? (d.base64 ?? null) : null;
      },
      this.ctx.personal,
    );
    return { artefact, body: bytes };
  }

  /** Fetches in progress from the shared store, by SHA-256: two downloads of one file on this node fetch it once. */
  private readonly fetching = new Map<string, Promise<void>>();

  /**
   * Copies a file of the cluster's shared store into this node's store (its cache), checked
   * against the recorded size and hash before it is kept.
   */
  private fetchShared(sha256: string, bytes: number): Promise<void> {
    let pending = this.fetching.get(sha256);
    if (!pending) {
      pending = (async () => {
        const body = await this.shared!.open(sha256);
        if (!body) throw new VigilError('not_found', "this artefact's bytes are no longer in the cluster's store");
        const received = await this.store!.receive(body);
        if (received.sha256 !== sha256 || received.bytes !== bytes) {
          await this.store!.discard(received);
          throw new VigilError('internal', "the cluster's copy of this artefact does not match its hash");
        }
        await this.store!.keep(received);
      })().finally(() => this.fetching.delete(sha256));
      this.fetching.set(sha256, pending);
    }
    return pending;
  }

  /** Erases an artefact at a handler's request (the right to act on its case): see `erase`. */
  async eraseArtefact(p: Principal, artefactId: string, note = ''): Promise<CaseView> {
    const where = this.state.artefacts.get(artefactId);
    if (!where) throw notFound('artefact', artefactId);
    const c = this.getCase(p, where.caseId, 'act');
    await this.erase(c, artefactId, 'request', note.trim().slice(0, 1000), p.actor);
    return this.caseView(p, c.caseId);
  }

  /**
   * The erasure is recorded first (durable: the case forgets the artefact at once), then the bytes
   * go: a sealed copy in the log has its key shredded (recorded as a privacy erasure, like every
   * other shredding), a file on this node's disk is deleted once no other artefact names its
   * SHA-256, and the cluster's shared copy once no artefact holds it there (decided by the shared
   * store itself). Other nodes drop their cached copies when they hear of the erasure
   * (`dropCached`), or on their next start (`pruneStore`).
   */
  private async erase(c: SecurityCase, artefactId: string, why: ArtefactErasedWhy, note: string, actor: string): Promise<void> {
    const where = this.state.artefacts.get(artefactId)!;
    const artefact = c.artefacts.find((a) => a.artefactId === artefactId)!;
    await this.ctx.record([
      {
        type: 'csirt.case.artefact-erased',
        subject: `case:${c.caseId}`,
        orgId: c.orgId,
        actor,
        data: { caseId: c.caseId, artefactId, name: artefact.name, sha256: artefact.sha256, why, note } satisfies CsirtEvents['csirt.case.artefact-erased'],
        reason: why === 'retention' ? 'artefact retention after the case was closed' : note || 'artefact erased on request',
      },
    ]);
    if (where.onDisk) {
      if (where.onDisk.shared && this.shared) await this.shared.release(where.sha256, artefactId);
      if (this.store && !this.state.fileInUse(where.sha256)) await this.store.remove(where.sha256);
    } else {
      await eraseRecords(this.ctx, [artefactSubject(artefactId)], why, actor);
    }
  }

  /**
   * One pass of the artefact retention (on the leading node): the artefacts of cases closed more
   * than `days` ago are erased; 0 keeps them until erased by hand. Returns how many were erased.
   */
  async runArtefactRetention(days = this.artefactRetentionDays, now = this.ctx.clock.now()): Promise<number> {
    if (days <= 0) return 0;
    const before = now - days * 86_400_000;
    let erased = 0;
    for (const c of [...this.state.cases.values()]) {
      if (c.status !== 'closed' || c.closedAt === null || Date.parse(c.closedAt) > before) continue;
      for (const a of [...c.artefacts]) {
        await this.erase(c, a.artefactId, 'retention', '', 'system:csirt-retention');
        erased++;
      }
    }
    return erased;
  }

  /** After an erasure recorded by any node: this node's cached copy goes once no artefact names it. */
  async dropCached(seq: number, sha256: string): Promise<boolean> {
    await this.ctx.projections.waitFor(seq);
    return this.store !== null && !this.state.fileInUse(sha256) ? this.store.remove(sha256) : false;
  }

  /**
   * The leader's sweep of the cluster's shared store: holders no artefact matches (an upload
   * stored there whose event was never recorded: its node stopped in between), older than
   * `graceMs` so an upload under way is left alone, are released. Returns how many.
   */
  async pruneShared(graceMs = 3_600_000): Promise<number> {
    if (!this.shared) return 0;
    let released = 0;
    for (const { sha256, holder } of await this.shared.holdersBefore(this.ctx.clock.now() - graceMs)) {
      if (this.state.artefacts.get(holder)?.sha256 === sha256) continue;
      await this.shared.release(sha256, holder);
      released++;
    }
    return released;
  }

  /** Deletes the files on this node's disk that no artefact names any more (erased while it was stopped, or stopped mid-erasure). */
  async pruneStore(): Promise<number> {
    return this.store ? this.store.prune((sha256) => this.state.fileInUse(sha256)) : 0;
  }

  /** An artefact's bytes, whole (the policy asked, checked against the recorded hash). */
  async artefact(p: Principal, artefactId: string): Promise<{ artefact: Artefact; bytes: Buffer }> {
    const { artefact, body } = await this.openArtefact(p, artefactId);
    if (Buffer.isBuffer(body)) return { artefact, bytes: body };
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return { artefact, bytes: Buffer.concat(chunks) };
  }

  async updateCase(p: Principal, caseId: string, changes: CsirtEvents['csirt.case.updated']['changes']): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    if (c.status === 'closed' && changes.status !== undefined) throw conflict(`case ${c.ref} is closed: reopen it first`);
    if (changes.status === 'closed') throw badRequest('close a case with its resolution (POST …/close)');
    const real = Object.fromEntries(Object.entries(changes).filter(([k, v]) => (c as unknown as Record<string, unknown>)[k] !== v));
    if (Object.keys(real).length > 0) await this.ctx.record([csirtEvent('csirt.case.updated', `case:${caseId}`, c.orgId, p, { caseId, changes: real })]);
    return this.caseView(p, caseId);
  }

  async linkAlerts(p: Principal, caseId: string, alertIds: string[]): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    const alerts = alertIds.map((id) => this.referenced(p, id));
    for (const a of alerts) if (a.status === 'in-case' && a.caseId !== caseId) throw conflict(`alert ${a.alertId} is already in case ${a.caseId}`);
    for (const a of alerts) if (this.state.pending.has(a.alertId)) await this.writePending();
    await this.ctx.record([csirtEvent('csirt.case.alerts-linked', `case:${caseId}`, c.orgId, p, { caseId, alertIds })]);
    return this.caseView(p, caseId);
  }

  async addTask(p: Principal, caseId: string, input: { title: string; owner?: string | null; dueAt?: string | null }): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    const task = {
      taskId: newId('task'),
      title: input.title,
      owner: input.owner ?? null,
      dueAt: input.dueAt ? new Date(input.dueAt).toISOString() : null,
      done: false,
      doneAt: null,
    };
    await this.ctx.record([csirtEvent('csirt.case.task-added', `case:${caseId}`, c.orgId, p, { caseId, task })]);
    return this.caseView(p, caseId);
  }

  async taskDone(p: Principal, caseId: string, taskId: string, done: boolean): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    if (!c.tasks.some((t) => t.taskId === taskId)) throw notFound('task', taskId);
    await this.ctx.record([csirtEvent('csirt.case.task-done', `case:${caseId}`, c.orgId, p, { caseId, taskId, done })]);
    return this.caseView(p, caseId);
  }

  async addObservable(p: Principal, caseId: string, input: { type: ObservableType; value: string; ioc?: boolean; note?: string }): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    if (c.observables.some((o) => o.type === input.type && o.value.toLowerCase() === input.value.trim().toLowerCase()))
      throw conflict(`${input.type} ${input.value} is already in case ${c.ref}`);
    const observable = this.observable(p, input);
    await this.ctx.record([csirtEvent('csirt.case.observable-added', `case:${caseId}`, c.orgId, p, { caseId, observable })]);
    return this.caseView(p, caseId);
  }

  async comment(p: Principal, caseId: string, text: string): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    await this.ctx.record([csirtEvent('csirt.case.commented', `case:${caseId}`, c.orgId, p, { caseId, text })]);
    return this.caseView(p, caseId);
  }

  async close(p: Principal, caseId: string, resolution: CaseResolution, note: string): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    if (c.status === 'closed') throw conflict(`case ${c.ref} is already closed`);
    await this.ctx.record([csirtEvent('csirt.case.closed', `case:${caseId}`, c.orgId, p, { caseId, resolution, note })]);
    return this.caseView(p, caseId);
  }

  async reopen(p: Principal, caseId: string): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    if (c.status !== 'closed') throw conflict(`case ${c.ref} is open`);
    await this.ctx.record([csirtEvent('csirt.case.reopened', `case:${caseId}`, c.orgId, p, { caseId })]);
    return this.caseView(p, caseId);
  }

  /** Advisories the caller sees: those to its organisation, and every one for the CSIRT. */
  advisories(p: Principal): (Advisory & { orgName: string | null })[] {
    return filterVisible(p, [...this.state.advisories.values()], (a) => secret(a.orgId))
      .sort((a, b) => b.sentAt.localeCompare(a.sentAt))
      .map((a) => ({
        ...a,
        sentBy: this.names.actorName(a.sentBy),
        confirmedBy: a.confirmedBy ? this.names.actorName(a.confirmedBy) : null,
        orgName: this.names.orgName(a.orgId),
      }));
  }

  async sendAdvisory(p: Principal, caseId: string, input: { orgId: string; title: string; body: string; tlp?: Tlp }): Promise<CaseView> {
    const c = this.getCase(p, caseId, 'act');
    if (!this.names.orgName(input.orgId)) throw badRequest(`no organisation ${input.orgId}`);
    assertCan(p, 'act', secret(input.orgId), 'organisation', input.orgId);
    const advisoryId = newId('adv');
    await this.ctx.record([
      csirtEvent('csirt.advisory.sent', `advisory:${advisoryId}`, input.orgId, p, {
        advisory: { advisoryId, caseId, orgId: input.orgId, title: input.title, body: input.body, tlp: input.tlp ?? c.tlp },
      }),
    ]);
    return this.caseView(p, caseId);
  }

  /** The organisation told confirms it read the advisory (its own people only: 'manage'). */
  async confirmAdvisory(p: Principal, advisoryId: string): Promise<Advisory> {
    const a = this.state.advisories.get(advisoryId);
    if (!a) throw notFound('advisory', advisoryId);
    assertCan(p, 'manage', secret(a.orgId), 'advisory', advisoryId);
    if (a.confirmedAt) return a;
    await this.ctx.record([csirtEvent('csirt.advisory.confirmed', `advisory:${advisoryId}`, a.orgId, p, { advisoryId })]);
    return this.state.advisories.get(advisoryId)!;
  }

  exportStix(p: Principal, caseId: string): StixBundle {
    return caseToStix(this.getCase(p, caseId), this.names.orgName(p.orgId ?? '') ?? 'Vigil CSIRT');
  }

  exportMisp(p: Principal, caseId: string): ReturnType<typeof caseToMisp> {
    return caseToMisp(this.getCase(p, caseId));
  }

  /** Imports a bundle's indicators (city-wide, for the CSIRT: act on the city's security data). */
  async importStix(p: Principal, bundle: unknown, source: string): Promise<{ imported: number }> {
    assertCan(p, 'act', secret(null), 'indicators', 'city');
    return this.importStixIndicators(p, stixIndicators(bundle, source), source);
  }

  /** Indicators read out of a bundle already (a large import, read in the worker pool: large-stix.ts). */
  async importStixIndicators(p: Principal, read: readonly Indicator[], source: string): Promise<{ imported: number }> {
    assertCan(p, 'act', secret(null), 'indicators', 'city');
    const indicators = read.filter((i) => !this.state.indicators.has(i.indicatorId));
    for (let at = 0; at < indicators.length; at += 1000) {
      await this.ctx.record([csirtEvent('csirt.indicators.imported', 'csirt:indicators', null, p, { source, indicators: indicators.slice(at, at + 1000) })]);
    }
    return { imported: indicators.length };
  }

  indicators(p: Principal): Indicator[] {
    return can(p, 'read', secret(null)) ? [...this.state.indicators.values()] : [];
  }
}
