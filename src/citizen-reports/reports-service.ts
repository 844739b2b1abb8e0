import { createHash } from 'node:crypto';
import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { newId, randomToken } from '../kernel/ids.js';
import type { Position } from '../kernel/geo.js';
import type { Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { assertCan, can, filterVisible, type PolicyResource } from '../platform/policy.js';
import { isSealed, personalSubject, phoneDigits, type DataSubjectHolder, type DataSubjectRecord, type SealedCandidate } from '../platform/personal-data.js';
import { consentInExport, noticeErrorForStaff, type ComposedNotice, type NoticeAddresses, type PersonalMessenger } from '../platform/notices.js';
import type { AlarmSignalsPort } from '../alarms/contract.js';
import type { IncidentOpenerPort } from './contract.js';
import { INCIDENT_TYPE_OF_SERVICE } from './contract.js';
import { reportEvent, type CitizenReportsEvents } from './events.js';
import {
  EMERGENCY_NOTICE,
  SERVICE_BY_CODE,
  open311Status,
  type CitizenReport,
  type FollowView,
  type PublicReport,
  type ReportState,
  type Reporter,
  type StaffReportView,
} from './model.js';
import type { StrippedPhoto } from './photo.js';
import { joinedPhrase, mergedStatusNote, workOrderNote, type JoinedReportWords, type NoteLang } from './public-notes.js';
import type { DueReportNotice, ReportsState } from './reports-state.js';
import { triageRefusal, type ReportInput, type RequestsQuery, MAX_RESULTS } from './rules.js';

export interface CitizenReportsDeps {
  orgs(): readonly { id: string; name: string; kind: string }[];
  platformOrgId(): string | null;
  incidents: IncidentOpenerPort;
  /** Alarms' signal port: a surge of reports in one place raises an alarm for the operators. Absent: no surge alarm. */
  alarms?: AlarmSignalsPort;
  /** The e-mail and Web Push channels that tell reporters their report was resolved. Absent: notices stay due. */
  messenger?: PersonalMessenger;
}

/** A surge: at least this many reports (any service) within SURGE_RADIUS_M in SURGE_WINDOW_MS. */
export const SURGE_COUNT = 5;
export const SURGE_RADIUS_M = 100;
export const SURGE_WINDOW_MS = 60 * 60_000;

/** The largest photo kept, after its metadata are stripped (it travels in one event under the 1 MB limit, base64). */
export const MAX_PHOTO_BYTES = 600 * 1024;

export const hashFollowToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Citizen reports: intake from Open311 and the citizen app, the public and the reporter's views, triage by the responsible organisation. */
export class CitizenReportsService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: ReportsState,
    private readonly deps: CitizenReportsDeps,
  ) {}

  /** The organisation that triages a service's reports: the first of its kind, else the city's platform organisation. */
  responsibleOrg(kind: string): { id: string; name: string } | null {
    const orgs = this.deps.orgs();
    const own = orgs.find((o) => o.kind === kind);
    if (own) return own;
    const platform = this.deps.platformOrgId();
    return orgs.find((o) => o.id === platform) ?? null;
  }

  orgName(orgId: string): string {
    return this.deps.orgs().find((o) => o.id === orgId)?.name ?? orgId;
  }

  /**
   * Records a report (and its stripped photo) durably. The reporter's data are sealed
   * under a key of their own (class `reporter`). Returns the report and the personal
   * follow token, which only the reporter gets (Vigil keeps its hash).
   */
  async submit(
    input: ReportInput,
    photo: StrippedPhoto | null,
    /** The organisation that takes it when the caller decides (an import, the policy table's fixtures); else the service's responsible one. */
    ownerOrgId?: string,
    /** When it came in, when not now: the demo city's reports of past days. */
    at?: number,
  ): Promise<{ report: ReportState; followToken: string; notice: string }> {
    const org = ownerOrgId ? (this.deps.orgs().find((o) => o.id === ownerOrgId) ?? null) : this.responsibleOrg(input.service.responsible);
    if (!org) throw new VigilError('unavailable', 'no organisation takes citizen reports on this installation yet');
    if (photo && photo.data.length > MAX_PHOTO_BYTES) throw new VigilError('payload_too_large', `the photo is larger than ${MAX_PHOTO_BYTES / 1024} KiB`);
    const now = at ?? this.ctx.clock.now();
    const reportId = newId('rep');
    const followToken = randomToken(24);
    const nearby = this.state.nearbyOpen(input.service.code, input.position, now);
    const report: CitizenReport = {
      reportId,
      serviceCode: input.service.code,
      orgId: org.id,
      position: input.position,
      address: input.address,
      description: input.description,
      attributes: input.attributes,
      mediaUrl: input.mediaUrl,
      photo: photo
        ? {
            contentType: photo.contentType,
            bytes: photo.data.length,
            sha256: createHash('sha256').update(photo.data).digest('hex'),
            locationKept: input.photoLocationConsent && photo.gps !== null,
          }
        : null,
      photoPosition: input.photoLocationConsent ? (photo?.gps ?? null) : null,
      requestedAt: new Date(now).toISOString(),
      token: newId('tok'),
      followHash: hashFollowToken(followToken),
      via: input.via,
      nearbyOf: nearby?.reportId ?? null,
      notify: input.notify ? { channels: input.notify.channels, lang: input.notify.lang, at: new Date(now).toISOString() } : null,
    };
    const subject = personalSubject('reporter', reportId);
    const reporter = input.reporter ? await this.ctx.personal.seal(subject, input.reporter) : null;
    // Where to tell them, under the same key as the rest of their data: one erasure removes both.
    const notice = input.notify
      ? await this.ctx.personal.seal(subject, {
          email: input.notify.channels.includes('email') ? (input.reporter?.email ?? null) : null,
          push: input.notify.push,
          followToken,
        } satisfies NoticeAddresses)
      : null;
    const events = [reportEvent('citizen-reports.report.submitted', reportId, org.id, 'public', { report, reporter, notice }, at)];
    if (photo) {
      events.push(
        reportEvent(
          'citizen-reports.photo.attached',
          reportId,
          org.id,
          'public',
          {
            reportId,
            contentType: photo.contentType,
            sha256: report.photo!.sha256,
            data: photo.data.toString('base64'),
          },
          at,
        ),
      );
    }
    await this.ctx.record(events);
    await this.checkSurge(report, now);
    const notices: string[] = [];
    if (input.service.emergencyPossible) notices.push(EMERGENCY_NOTICE.en);
    if (nearby) notices.push('A similar report nearby is already being looked at; yours is linked to it.');
    notices.push(`Your report goes to ${org.name}.`);
    return { report: this.state.reports.get(reportId)!, followToken, notice: notices.join(' ') };
  }

  /** Called after a step that may make notices due (set by the capability to wake its notice sender). */
  noticesMayBeDue: () => void = () => {};

  /** Place (≈ 100 m grid cell) → when a surge alarm was last raised there, so one surge raises one alarm per window. */
  private readonly surges = new Map<string, number>();

  /**
   * A surge of reports in one place — SURGE_COUNT or more within SURGE_RADIUS_M in the
   * last SURGE_WINDOW_MS, of any service — raises an alarm for the operators (alarms'
   * queue and the command map), owned by the organisation responsible for the report
   * that tipped it over, once per place and window.
   */
  private async checkSurge(report: CitizenReport, now: number): Promise<void> {
    if (!this.deps.alarms) return;
    const near = this.state.countRecent(report.position, SURGE_RADIUS_M, SURGE_WINDOW_MS, now);
    if (near.length < SURGE_COUNT) return;
    const place = `${report.position[1].toFixed(3)},${report.position[0].toFixed(3)}`;
    const last = this.surges.get(place);
    if (last !== undefined && now - last < SURGE_WINDOW_MS) return;
    this.surges.set(place, now);
    const services = [...new Set(near.map((r) => SERVICE_BY_CODE.get(r.serviceCode)?.name.en ?? r.serviceCode))].join(', ');
    const where = report.address ?? `${report.position[1].toFixed(5)}, ${report.position[0].toFixed(5)}`;
    try {
      await this.deps.alarms.recordSignals(
        [
          {
            signalId: newId('sig'),
            account: null,
            protocol: 'http',
            code: 'citizen-reports:surge',
            kind: 'other',
            phase: 'alarm',
            description: `Surge of citizen reports: ${near.length} within ${SURGE_RADIUS_M} m in the last ${SURGE_WINDOW_MS / 60_000} min near ${where} (${services})`,
            zone: null,
            user: null,
            area: where,
            occurredAt: null,
            receivedAt: new Date(now).toISOString(),
            text: near.map((r) => r.reportId).join(' '),
            position: report.position,
            siteId: null,
            deviceId: `citizen-reports:surge:${place}`,
            flags: [],
          },
        ],
        [],
        report.orgId,
      );
    } catch (error) {
      // The report is recorded; a failed alarm must not turn the citizen's 201 into an error.
      this.surges.delete(place);
      this.ctx.logger.warn({ err: error }, 'citizen reports: the surge alarm could not be recorded');
    }
  }

  // ── the public ─────────────────────────────────────────────────────────────

  /**
   * What anyone sees of a report, in the reader's language. A merged report's note says which report it
   * joined in words (service, street, day) and links to that report's public status, never its bare id.
   */
  publicView(r: ReportState, mediaBase: string, lang: NoteLang = 'en'): PublicReport {
    const service = SERVICE_BY_CODE.get(r.serviceCode);
    const final = this.state.final(r);
    const mergedNote =
      r.mergedInto && final !== r
        ? mergedStatusNote(this.joinedWords(final, lang), this.publicReportLink(final.reportId, mediaBase), r.publicNote, lang, this.ctx.config.timeZone)
        : null;
    return {
      reportId: r.reportId,
      serviceCode: r.serviceCode,
      serviceName: service?.name[lang] ?? r.serviceCode,
      status: open311Status(r.status),
      statusNotes: mergedNote ?? workOrderNote(final, lang) ?? final.publicNote,
      agencyResponsible: this.orgName(r.orgId),
      description: r.description,
      requestedAt: r.requestedAt,
      updatedAt: r.updatedAt,
      expectedAt: final.status === 'work-order' ? (final.workOrder?.dueAt ?? null) : null,
      address: r.address,
      lat: r.position[1],
      long: r.position[0],
      mediaUrl: r.mediaUrl ?? (r.photo ? `${mediaBase}/open311/v2/media/${r.reportId}` : null),
    };
  }

  private joinedWords(r: ReportState, lang: NoteLang): JoinedReportWords {
    return { service: SERVICE_BY_CODE.get(r.serviceCode)?.name[lang] ?? r.serviceCode, address: r.address, requestedAt: r.requestedAt };
  }

  /** The citizen app's page of one public report (its status and note, on the map), which anyone may open. */
  private publicReportLink(reportId: string, base: string): string {
    return `${base}/citizen?report=${encodeURIComponent(reportId)}#reports`;
  }

  /** Open311 GET requests: filtered, newest first, at most MAX_RESULTS. */
  query(q: RequestsQuery): ReportState[] {
    if (q.ids) return q.ids.map((id) => this.state.reports.get(id)).filter((r): r is ReportState => r !== undefined);
    const out: ReportState[] = [];
    const codes = q.serviceCodes ? new Set(q.serviceCodes) : null;
    for (let i = this.state.order.length - 1; i >= 0 && out.length < MAX_RESULTS; i--) {
      const r = this.state.reports.get(this.state.order[i]!)!;
      const t = Date.parse(r.requestedAt);
      if (t < q.start) break;
      if (t > q.end) continue;
      if (codes && !codes.has(r.serviceCode)) continue;
      if (q.statuses && !q.statuses.includes(open311Status(r.status))) continue;
      out.push(r);
    }
    return out;
  }

  /** The reporter's view through their personal link (no account); unknown links are a 404. */
  follow(token: string): FollowView {
    const id = this.state.byFollowHash.get(hashFollowToken(token));
    const r = id ? this.state.reports.get(id) : undefined;
    if (!r) throw notFound('report', 'with this link');
    const final = this.state.final(r);
    const service = SERVICE_BY_CODE.get(r.serviceCode);
    return {
      reportId: r.reportId,
      serviceCode: r.serviceCode,
      serviceName: service?.name ?? { en: r.serviceCode, fr: r.serviceCode },
      status: r.status === 'merged' ? final.status : r.status,
      publicNote: final.publicNote,
      agencyResponsible: this.orgName(r.orgId),
      requestedAt: r.requestedAt,
      updatedAt: final.updatedAt > r.updatedAt ? final.updatedAt : r.updatedAt,
      resolvedAt: final.resolvedAt,
      mergedInto: r.mergedInto,
      joined:
        r.mergedInto && final !== r
          ? {
              reportId: final.reportId,
              serviceName: SERVICE_BY_CODE.get(final.serviceCode)?.name ?? { en: final.serviceCode, fr: final.serviceCode },
              address: final.address,
              requestedAt: final.requestedAt,
              status: open311Status(final.status),
              mergeNote: r.publicNote,
            }
          : null,
      incidentReference: final.incident?.reference ?? null,
      workDue: final.status === 'work-order' ? (final.workOrder?.dueDate ?? null) : null,
      position: r.position,
    };
  }

  /** The stripped photo of a report, read from the log. */
  async photo(reportId: string): Promise<{ contentType: string; data: Buffer } | null> {
    const seq = this.state.photoSeq.get(reportId);
    if (seq === undefined) return null;
    const [e] = await this.ctx.log.read({ afterSeq: seq - 1, limit: 1 });
    if (!e || e.seq !== seq) return null;
    const d = e.data as CitizenReportsEvents['citizen-reports.photo.attached'];
    return { contentType: d.contentType, data: Buffer.from(d.data, 'base64') };
  }

  // ── triage staff ───────────────────────────────────────────────────────────

  resourceOf(r: ReportState, personal?: PolicyResource['personal']): PolicyResource {
    return { orgId: r.orgId, ...(personal ? { personal } : {}) };
  }

  /** Reports the principal may read, newest first (optionally only open ones). */
  list(by: Principal, openOnly: boolean, limit = 500): StaffReportView[] {
    const newestFirst = [...this.state.order].reverse().map((id) => this.state.reports.get(id)!);
    const wanted = openOnly ? newestFirst.filter((r) => open311Status(r.status) === 'open') : newestFirst;
    return filterVisible(by, wanted, (r) => this.resourceOf(r))
      .slice(0, limit)
      .map((r) => this.staffView(r, by, null));
  }

  private reportFor(reportId: string, by: Principal, action: 'read' | 'act'): ReportState {
    const r = this.state.reports.get(reportId);
    if (!r) throw notFound('report', reportId);
    assertCan(by, action, this.resourceOf(r), 'report', reportId);
    return r;
  }

  /** One report; the reporter's data when the policy lets the principal read them (the read is recorded first). */
  async get(reportId: string, by: Principal, purpose: string): Promise<StaffReportView> {
    const r = this.reportFor(reportId, by, 'read');
    let reporter: Reporter | null = null;
    let erased = false;
    if (can(by, 'personal', this.resourceOf(r, 'reporter'))) {
      const sealed = await this.sealedReporter(r);
      if (sealed) {
        await this.ctx.personal.recordReads(by, [{ subject: sealed.key, orgId: r.orgId, label: `citizen report ${r.reportId}` }], purpose);
        reporter = await this.ctx.personal.open<Reporter>(sealed);
        erased = reporter === null;
      }
    }
    const view = this.staffView(r, by, reporter);
    view.reporterErased = erased;
    return view;
  }

  private async sealedReporter(r: ReportState): Promise<{ key: string; sealed: string } | null> {
    return (await this.sealedOf(r.reportId)).reporter;
  }

  /** The reporter's sealed data and notice addresses, read back from the report's submission. */
  private async sealedOf(reportId: string): Promise<{ reporter: { key: string; sealed: string } | null; notice: { key: string; sealed: string } | null }> {
    const seq = this.state.reporterSeq.get(reportId);
    const [e] =
      seq !== undefined
        ? await this.ctx.log.read({ afterSeq: seq - 1, limit: 1 })
        : await this.ctx.log.read({ typePrefixes: ['citizen-reports.report.submitted'], subject: `citizen-report:${reportId}`, limit: 1 });
    const d = e?.type === 'citizen-reports.report.submitted' ? (e.data as CitizenReportsEvents['citizen-reports.report.submitted']) : undefined;
    return { reporter: isSealed(d?.reporter) ? d.reporter : null, notice: isSealed(d?.notice) ? d.notice : null };
  }

  // ── notices to reporters ───────────────────────────────────────────────────

  /** The message telling a reporter what became of their report, with their personal link; skipped when their data were erased. */
  async composeNotice(n: DueReportNotice): Promise<ComposedNotice> {
    const r = this.state.reports.get(n.reportId);
    if (!r) return { skip: 'the report is unknown' };
    const { notice } = await this.sealedOf(r.reportId);
    const to = notice ? await this.ctx.personal.open<NoticeAddresses>(notice) : null;
    if (!to) return { skip: "the reporter's data were erased" };
    const address = n.channel === 'email' ? to.email : to.push ? JSON.stringify(to.push) : null;
    if (!address) return { skip: `no ${n.channel} address was given` };
    const lang = r.notify?.lang ?? 'en';
    const final = this.state.final(r);
    const service = SERVICE_BY_CODE.get(r.serviceCode)?.name[lang] ?? r.serviceCode;
    const org = this.orgName(r.orgId);
    const link = `${this.ctx.publicUrl()}/citizen?follow=${encodeURIComponent(to.followToken)}`;
    const place = r.address ?? `${r.position[1].toFixed(5)}, ${r.position[0].toFixed(5)}`;
    const day = r.requestedAt.slice(0, 10);
    const fr = lang === 'fr';
    const headline =
      n.what === 'resolved'
        ? fr
          ? `Votre signalement est résolu : ${service}`
          : `Your report is resolved: ${service}`
        : n.what === 'merged'
          ? fr
            ? `Votre signalement a été joint à un autre : ${service}`
            : `Your report was joined to another one: ${service}`
          : fr
            ? `Votre signalement est pris en charge (intervention ${final.incident?.reference ?? '—'}) : ${service}`
            : `Your report is being acted on (incident ${final.incident?.reference ?? '—'}): ${service}`;
    const note = n.what === 'merged' ? r.publicNote : final.publicNote;
    const joined = final !== r ? joinedPhrase(this.joinedWords(final, lang), lang, this.ctx.config.timeZone) : null;
    const lines = fr
      ? [
          `Votre signalement « ${service} » à ${place} (reçu le ${day}) : ${n.what === 'resolved' ? `résolu par ${org}` : n.what === 'merged' ? `le même problème était déjà signalé${joined ? ` (${joined})` : ''} ; il suit désormais ce signalement` : `${org} intervient`}.`,
          ...(note ? ['', `Note de ${org} : ${note}`] : []),
          '',
          `Suivez-le avec votre lien personnel : ${link}`,
          '',
          `Vous recevez ce message parce que vous avez demandé à être prévenu (le ${r.notify?.at.slice(0, 10) ?? day}). Sans réponse nécessaire.`,
        ]
      : [
          `Your report "${service}" at ${place} (received ${day}): ${n.what === 'resolved' ? `resolved by ${org}` : n.what === 'merged' ? `the same problem was already reported${joined ? ` (${joined})` : ''}; yours now follows that report` : `${org} is acting on it`}.`,
          ...(note ? ['', `Note from ${org}: ${note}`] : []),
          '',
          `Follow it with your personal link: ${link}`,
          '',
          `You get this message because you asked to be told (on ${r.notify?.at.slice(0, 10) ?? day}). No need to answer.`,
        ];
    const headers = { 'X-Vigil-Report': r.reportId, 'X-Vigil-Notice': n.noticeId };
    // A notification is short: what happened and the organisation's note; the link opens the rest.
    const body = [lines[0], ...(note ? [fr ? `Note de ${org} : ${note}` : `Note from ${org}: ${note}`] : [])].join('\n');
    if (n.channel === 'push')
      return { message: { address, subject: '', text: JSON.stringify({ title: headline, body, url: link, reportId: r.reportId }), headers } };
    return { message: { address, subject: headline, text: lines.join('\n'), headers } };
  }

  async recordNoticeSent(n: DueReportNotice): Promise<void> {
    const r = this.state.reports.get(n.reportId);
    if (!r) return;
    await this.ctx.record([
      reportEvent('citizen-reports.notice.sent', n.reportId, r.orgId, 'system:notices', { reportId: n.reportId, noticeId: n.noticeId, channel: n.channel }),
    ]);
  }

  async recordNoticeFailed(n: DueReportNotice, error: string, final: boolean): Promise<void> {
    const r = this.state.reports.get(n.reportId);
    if (!r) return;
    await this.ctx.record([
      reportEvent('citizen-reports.notice.failed', n.reportId, r.orgId, 'system:notices', {
        reportId: n.reportId,
        noticeId: n.noticeId,
        channel: n.channel,
        error,
        final,
      }),
    ]);
  }

  // ── the reporters' personal data (privacy: export and erasure) ─────────────

  /** Reporters, sealed, to be found by the e-mail or phone they gave, with their reports (export and erasure by the privacy page). */
  readonly dataSubjects: DataSubjectHolder = {
    sealedCandidates: async (query): Promise<SealedCandidate[]> => {
      if (!query.email?.trim() && !phoneDigits(query.phone)) return [];
      const out: SealedCandidate[] = [];
      for (const reportId of this.state.reporterSeq.keys()) {
        const r = this.state.reports.get(reportId);
        if (!r) continue;
        const sealed = await this.sealedOf(reportId);
        out.push({
          orgId: r.orgId,
          sealed: [sealed.reporter, sealed.notice],
          // The reporter's e-mail and phone, and the e-mail they are told at.
          match: { email: [0, 1], phone: [0] },
          record: ([reporter, notice]) => this.reporterRecord(r, (reporter ?? null) as Reporter | null, (notice ?? null) as NoticeAddresses | null),
        });
      }
      return out;
    },
  };

  private reporterRecord(r: ReportState, reporter: Reporter | null, notice: NoticeAddresses | null): DataSubjectRecord {
    const reportId = r.reportId;
    const service = SERVICE_BY_CODE.get(r.serviceCode)?.name.en ?? r.serviceCode;
    return {
      subject: personalSubject('reporter', reportId),
      kind: 'reporter',
      orgId: r.orgId,
      label: `citizen report ${service}${r.address ? ` at ${r.address}` : ''} (${r.requestedAt.slice(0, 10)})`,
      at: r.requestedAt,
      data: {
        reporter,
        report: { reportId, service, address: r.address, description: r.description, status: r.status, requestedAt: r.requestedAt },
        notify: consentInExport(r.notify, notice),
      },
    };
  }

  staffView(r: ReportState, by: Principal, reporter: Reporter | null): StaffReportView {
    const { followHash: _f, token: _t, notices, ...rest } = r;
    return {
      ...rest,
      // Each notice to the reporter, oldest first; a refusal's text without their address.
      notices: Object.values(notices)
        .map((n) => ({ ...n, error: noticeErrorForStaff(n.error) }))
        .sort((a, b) => a.at.localeCompare(b.at)),
      merged: [...r.merged],
      serviceName: SERVICE_BY_CODE.get(r.serviceCode)?.name.en ?? r.serviceCode,
      agencyResponsible: this.orgName(r.orgId),
      reporter,
      reporterErased: false,
      mayAct: can(by, 'act', this.resourceOf(r)),
    };
  }

  private refuseUnless(action: Parameters<typeof triageRefusal>[0], r: ReportState): void {
    const why = triageRefusal(action, r);
    if (why) throw conflict(`report ${r.reportId}: ${why}`, { status: r.status });
  }

  // Each triage step takes `at` for a history recorded after the fact (the demo city's past days); now otherwise.

  async acknowledge(reportId: string, note: string | null, by: Principal, at?: number): Promise<StaffReportView> {
    const r = this.reportFor(reportId, by, 'act');
    this.refuseUnless('acknowledge', r);
    await this.ctx.record([reportEvent('citizen-reports.report.acknowledged', reportId, r.orgId, by.actor, { reportId, note: note?.trim() || null }, at)]);
    return this.staffView(r, by, null);
  }

  async merge(reportId: string, into: string, note: string | null, by: Principal, at?: number): Promise<StaffReportView> {
    const r = this.reportFor(reportId, by, 'act');
    this.refuseUnless('merge', r);
    if (into === reportId) throw badRequest('a report cannot be merged into itself');
    const target = this.reportFor(into, by, 'act');
    if (target.mergedInto) throw conflict(`report ${into} was itself merged into ${target.mergedInto}: merge into that one`);
    if (target.status === 'resolved' && r.status !== 'received') throw conflict(`report ${into} is resolved`);
    await this.ctx.record([reportEvent('citizen-reports.report.merged', reportId, r.orgId, by.actor, { reportId, into, note: note?.trim() || null }, at)]);
    this.noticesMayBeDue();
    return this.staffView(r, by, null);
  }

  /** Turns a report into an incident of the triaging organisation (incidents' public face), linked both ways. */
  async escalate(reportId: string, input: { type?: string; description?: string }, by: Principal, at?: number): Promise<StaffReportView> {
    const r = this.reportFor(reportId, by, 'act');
    this.refuseUnless('escalate', r);
    const service = SERVICE_BY_CODE.get(r.serviceCode);
    const incident = await this.deps.incidents.open(
      {
        type: input.type ?? INCIDENT_TYPE_OF_SERVICE[r.serviceCode] ?? 'other',
        title: `${service?.name.en ?? r.serviceCode} (citizen report)`,
        description: [input.description?.trim(), r.description, `Citizen report ${r.reportId}.`].filter(Boolean).join('\n'),
        position: r.position as Position,
        address: r.address,
        source: 'citizen',
      },
      by,
    );
    await this.ctx.record([reportEvent('citizen-reports.report.escalated', reportId, r.orgId, by.actor, { reportId, ...incident }, at)]);
    this.noticesMayBeDue();
    return this.staffView(r, by, null);
  }

  /** Resolves a report with the public note the reporter and the public read; reports merged into it follow it. */
  async resolve(reportId: string, note: string, by: Principal, at?: number): Promise<StaffReportView> {
    const r = this.reportFor(reportId, by, 'act');
    this.refuseUnless('resolve', r);
    return this.resolveWith(r, note, by, [], at);
  }

  /** The resolution itself, recorded after `before` (a work order's completion) in one append; the reporters are told. */
  async resolveWith(r: ReportState, note: string, by: Principal, before: NewEvent[], at?: number): Promise<StaffReportView> {
    const text = note.trim();
    if (!text) throw badRequest('a resolution needs a public note');
    const reportId = r.reportId;
    await this.ctx.record([...before, reportEvent('citizen-reports.report.resolved', reportId, r.orgId, by.actor, { reportId, note: text }, at)]);
    this.noticesMayBeDue();
    return this.staffView(r, by, null);
  }

  /** The organisations of the platform (work orders are assigned to one of them). */
  organisations(): readonly { id: string; name: string }[] {
    return this.deps.orgs();
  }

  /** Figures for the staff page: received, open, median hours to acknowledge and to resolve, among those the principal reads. */
  figures(by: Principal): { received: number; open: number; medianHoursToAcknowledge: number | null; medianHoursToResolve: number | null } {
    const mine = filterVisible(by, this.state.reports.values(), (r) => this.resourceOf(r));
    const hours = (from: string, to: string | null): number | null => (to ? (Date.parse(to) - Date.parse(from)) / 3_600_000 : null);
    const median = (xs: number[]): number | null => {
      if (xs.length === 0) return null;
      const s = xs.sort((a, b) => a - b);
      const m = s.length >> 1;
      return Number((s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2).toFixed(2));
    };
    return {
      received: mine.length,
      open: mine.filter((r) => open311Status(r.status) === 'open').length,
      medianHoursToAcknowledge: median(mine.map((r) => hours(r.requestedAt, r.acknowledgedAt)).filter((h): h is number => h !== null)),
      medianHoursToResolve: median(mine.map((r) => hours(r.requestedAt, r.status === 'resolved' ? r.resolvedAt : null)).filter((h): h is number => h !== null)),
    };
  }
}
