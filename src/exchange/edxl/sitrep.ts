import { badRequest } from '../../kernel/errors.js';
import { DATE_TIME, child, childText, children, el, parseXmlRoot, required, text, type XmlElement } from './xml.js';

/**
 * EDXL-SitRep 1.0 situation reports, as Vigil writes them from an incident or a major event:
 * the report header, the situation information, the resources committed and, where recorded,
 * casualties. The element names follow OASIS SitRep 1.0; the OASIS schema itself could not be
 * obtained here, so documents are checked structurally (checkSitRep) and round-trip.
 */
export const SITREP_NS = 'urn:oasis:names:tc:emergency:EDXL:SitRep:1.0';

/**
 * Vigil's triage counts inside the SitRep's casualty summary. SitRep 1.0 counts casualties by
 * category (Fatalities, WithInjuryOrIllness, Missing, …), not by triage category, so the
 * breakdown goes in this namespace beside them (docs/exchange.md, "Casualties").
 */
export const TRIAGE_NS = 'urn:vigil:edxl:sitrep:triage:1';
export const SITREP_TRIAGE = ['immediate', 'delayed', 'minor', 'deceased', 'unknown'] as const;
export type SitRepCasualties = Record<(typeof SITREP_TRIAGE)[number], number>;
const TRIAGE_ELEMENT: Record<keyof SitRepCasualties, string> = {
  immediate: 'Immediate',
  delayed: 'Delayed',
  minor: 'Minor',
  deceased: 'Deceased',
  unknown: 'Unknown',
};

export const SITREP_VERSIONS = ['Initial', 'Update', 'Final'] as const;
export type SitRepVersion = (typeof SITREP_VERSIONS)[number];

export interface SitRepResource {
  callSign: string;
  kind: string;
  organisation: string;
  committedAt: string;
  releasedAt: string | null;
}

export interface SitRep {
  messageId: string;
  preparedBy: string;
  reportNumber: number;
  version: SitRepVersion;
  from: string;
  to: string;
  title: string;
  incidentId: string;
  lifecyclePhase: 'Response' | 'Recovery';
  urgency: 'Urgent' | 'NotUrgent';
  situation: {
    incidentName: string;
    incidentType: string;
    /** [lat, lon] */
    location: [number, number];
    address: string | null;
    status: string;
    priority: number;
    summary: string;
  };
  resources: SitRepResource[];
  /** Only where recorded (null: nothing is written, not zeros). */
  casualties: SitRepCasualties | null;
}

export function checkSitRep(s: SitRep): string[] {
  const errors: string[] = [];
  if (!s.messageId) errors.push('MessageID is required');
  if (!s.preparedBy) errors.push('PreparedBy is required');
  if (!Number.isInteger(s.reportNumber) || s.reportNumber < 1) errors.push('ReportNumber is a positive integer');
  if (!(SITREP_VERSIONS as readonly string[]).includes(s.version)) errors.push(`ReportVersion is one of ${SITREP_VERSIONS.join(', ')}`);
  for (const [n, v] of [
    ['FromDateTime', s.from],
    ['ToDateTime', s.to],
  ] as const)
    if (!DATE_TIME.test(v)) errors.push(`${n} must be a date-time with a time zone`);
  if (!s.incidentId) errors.push('IncidentID is required');
  const [lat, lon] = s.situation.location;
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) errors.push('the incident location is out of range');
  for (const r of s.resources) if (!r.callSign || !DATE_TIME.test(r.committedAt)) errors.push('a committed resource needs a call sign and a commitment time');
  if (s.casualties && Object.values(s.casualties).some((n) => !Number.isInteger(n) || n < 0)) errors.push('casualty counts are non-negative integers');
  return errors;
}

export function sitRepToXml(s: SitRep): string {
  const errors = checkSitRep(s);
  if (errors.length > 0) throw badRequest(`SitRep: ${errors.join('; ')}`, { errors });
  const x = s.situation;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<SitRep xmlns="${SITREP_NS}">` +
    el('MessageID', s.messageId) +
    `<PreparedBy>${el('OrganizationName', s.preparedBy)}</PreparedBy>` +
    el('MessageReportType', 'SituationInformation') +
    el('ReportNumber', s.reportNumber) +
    el('ReportVersion', s.version) +
    `<ForTimePeriod>${el('FromDateTime', s.from)}${el('ToDateTime', s.to)}</ForTimePeriod>` +
    el('ReportTitle', s.title) +
    el('IncidentID', s.incidentId) +
    el('IncidentLifecyclePhase', s.lifecyclePhase) +
    el('Urgency', s.urgency) +
    el('ReportConfidentiality', 'Unclassified') +
    `<SituationInformation>` +
    el('IncidentName', x.incidentName) +
    el('IncidentType', x.incidentType) +
    `<IncidentLocation><pos>${x.location[0]} ${x.location[1]}</pos>${el('Address', x.address)}</IncidentLocation>` +
    el('IncidentStatus', x.status) +
    el('Priority', x.priority) +
    el('SituationSummary', x.summary) +
    `</SituationInformation>` +
    `<ResponseResources>${s.resources
      .map(
        (r) =>
          `<ResourceCommitted>${el('CallSign', r.callSign)}${el('ResourceKind', r.kind)}${el('OrganizationName', r.organisation)}${el('CommittedDateTime', r.committedAt)}${el('ReleasedDateTime', r.releasedAt)}</ResourceCommitted>`,
      )
      .join('')}</ResponseResources>` +
    (s.casualties ? casualtiesXml(s.casualties) : '') +
    '</SitRep>'
  );
}

/**
 * SitRep 1.0 CasualtyAndIllnessSummary: the total to date, the standard categories (the dead as
 * Fatalities; everyone alive, triaged or not, as WithInjuryOrIllness) and the triage breakdown.
 */
function casualtiesXml(c: SitRepCasualties): string {
  const total = SITREP_TRIAGE.reduce((n, k) => n + c[k], 0);
  const injured = c.immediate + c.delayed + c.minor + c.unknown;
  return (
    `<CasualtyAndIllnessSummary>${el('TotalNumberToDate', total)}` +
    `<CasualtyAndIllnessSummaryByCategory>${el('Fatalities', c.deceased)}${el('WithInjuryOrIllness', injured)}</CasualtyAndIllnessSummaryByCategory>` +
    `<TriageSummary xmlns="${TRIAGE_NS}">${SITREP_TRIAGE.map((k) => el(TRIAGE_ELEMENT[k], c[k])).join('')}</TriageSummary>` +
    `</CasualtyAndIllnessSummary>`
  );
}

/** Vigil's triage breakdown when present; from another agency's standard categories otherwise (the living as not triaged). */
function casualtiesFrom(summary: XmlElement): SitRepCasualties {
  const triage = child(summary, 'TriageSummary');
  if (triage && triage.namespaceURI === TRIAGE_NS)
    return Object.fromEntries(SITREP_TRIAGE.map((k) => [k, int(childText(triage, TRIAGE_ELEMENT[k]), TRIAGE_ELEMENT[k])])) as SitRepCasualties;
  const byCategory = child(summary, 'CasualtyAndIllnessSummaryByCategory');
  const count = (name: string): number => {
    const v = byCategory ? childText(byCategory, name) : undefined;
    return v === undefined ? 0 : int(v, name);
  };
  return { immediate: 0, delayed: 0, minor: 0, deceased: count('Fatalities'), unknown: count('WithInjuryOrIllness') };
}

const int = (v: string | undefined, what: string): number => {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n)) throw badRequest(`SitRep: ${what} is not an integer`);
  return n;
};

export function sitRepFromXml(xml: string): SitRep {
  const root = parseXmlRoot(xml, [SITREP_NS], 'SitRep', 'SitRep');
  const info = child(root, 'SituationInformation');
  if (!info) throw badRequest('SitRep: <SituationInformation> is missing');
  const period = child(root, 'ForTimePeriod');
  const location = child(info, 'IncidentLocation');
  const [lat, lon] = (location ? (childText(location, 'pos') ?? '') : '').split(/\s+/).map(Number);
  const casualties = child(root, 'CasualtyAndIllnessSummary');
  const s: SitRep = {
    messageId: required(root, 'MessageID', 'SitRep'),
    preparedBy: text(child(child(root, 'PreparedBy') ?? root, 'OrganizationName')) ?? '',
    reportNumber: int(childText(root, 'ReportNumber'), 'ReportNumber'),
    version: (childText(root, 'ReportVersion') ?? '') as SitRepVersion,
    from: period ? (childText(period, 'FromDateTime') ?? '') : '',
    to: period ? (childText(period, 'ToDateTime') ?? '') : '',
    title: childText(root, 'ReportTitle') ?? '',
    incidentId: childText(root, 'IncidentID') ?? '',
    lifecyclePhase: (childText(root, 'IncidentLifecyclePhase') ?? 'Response') as SitRep['lifecyclePhase'],
    urgency: (childText(root, 'Urgency') ?? 'NotUrgent') as SitRep['urgency'],
    situation: {
      incidentName: childText(info, 'IncidentName') ?? '',
      incidentType: childText(info, 'IncidentType') ?? '',
      location: [lat ?? NaN, lon ?? NaN],
      address: location ? (childText(location, 'Address') ?? null) : null,
      status: childText(info, 'IncidentStatus') ?? '',
      priority: int(childText(info, 'Priority'), 'Priority'),
      summary: childText(info, 'SituationSummary') ?? '',
    },
    resources: children(child(root, 'ResponseResources') ?? root, 'ResourceCommitted').map((r) => ({
      callSign: childText(r, 'CallSign') ?? '',
      kind: childText(r, 'ResourceKind') ?? '',
      organisation: childText(r, 'OrganizationName') ?? '',
      committedAt: childText(r, 'CommittedDateTime') ?? '',
      releasedAt: childText(r, 'ReleasedDateTime') ?? null,
    })),
    casualties: casualties ? casualtiesFrom(casualties) : null,
  };
  const errors = checkSitRep(s);
  if (errors.length > 0) throw badRequest(`SitRep: ${errors.join('; ')}`, { errors });
  return s;
}
