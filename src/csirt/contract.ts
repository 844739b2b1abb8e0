/**
 * The CSIRT desk's public face: its event map, the security event, alert and case model, and
 * the constants the web UI shows. Types, constants and pure functions only (the web bundles it).
 *
 * Everything here is security-confidential (src/platform/policy.ts, `confidential: 'security'`):
 * beyond its owner organisation only the city's CSIRT reads and acts on it.
 */

/** Where a security event came from. */
export const SECURITY_EVENT_SOURCES = ['syslog', 'http', 'vigil'] as const;
export type SecurityEventSource = (typeof SECURITY_EVENT_SOURCES)[number];

/**
 * Kinds of security events. Syslog and HTTP events are `syslog`/`external` unless the sender
 * names one; Vigil's own signals have theirs.
 */
export const SECURITY_EVENT_KINDS = [
  'syslog',
  'external',
  'login-failed',
  'dc09-refused',
  'dc09-wrong-key',
  'dc09-replay',
  'dc09-substitution',
  'mqtt-refused',
  'tamper',
] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

/** One security event, as stored (a batch of them per `csirt.events.received`). */
export interface SecurityEvent {
  eventId: string;
  source: SecurityEventSource;
  kind: SecurityEventKind;
  /** When Vigil received it (ISO 8601): the rules' clock, so every node decides alike. */
  receivedAt: string;
  /** The sender's own time, when it gave one. */
  occurredAt: string | null;
  /** Syslog severity, 0 (emergency) … 7 (debug). */
  severity: number;
  /** The host that reported (syslog HOSTNAME, JSON `host`). */
  host: string | null;
  app: string | null;
  /** The address the message came from (network peer). */
  remote: string | null;
  /** The address the event is about (an attacker, a source of failed sign-ins), when known. */
  srcIp: string | null;
  /** The city device it concerns (by host name, DC-09 account or MQTT user). */
  deviceId: string | null;
  account: string | null;
  user: string | null;
  /** The organisation owning what it concerns (the device's owner), null for the city's own. */
  orgId: string | null;
  message: string;
  /** Structured data / extra fields, flattened to strings (at most 32). */
  fields: Record<string, string>;
}

export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Traffic Light Protocol 2.0 (FIRST). */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];
/** Permissible Actions Protocol. */
export const PAP_LEVELS = ['clear', 'green', 'amber', 'red'] as const;
export type Pap = (typeof PAP_LEVELS)[number];

/** Kinds of observables a case holds; anything Vigil or another capability can name. */
export const OBSERVABLE_TYPES = [
  'ipv4',
  'ipv6',
  'domain',
  'url',
  'email',
  'sha256',
  'sha1',
  'md5',
  'cve',
  'device',
  'dc09-account',
  'user-account',
  'hostname',
  'other',
] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

export interface Observable {
  observableId: string;
  type: ObservableType;
  value: string;
  /** An indicator of compromise: exported in STIX/MISP and matched against incoming events. */
  ioc: boolean;
  /** What a person wrote about it; for an observable the desk added itself, the same in English (API users, STIX and MISP). */
  note: string;
  /** Where an observable the desk added itself came from, for a client to say in its reader's language (absent: typed by a person). */
  origin?: ObservableOrigin;
  addedAt: string;
  addedBy: string;
}

/**
 * The origin of an observable the desk added itself: from an alert (its rule and what its title names), from a
 * finding (the device by its label, or the CVE and whether it is known exploited), from an artefact (its file name).
 */
export type ObservableOrigin =
  | { kind: 'alert'; rule: AlertRuleId; params: Readonly<Record<string, string>> }
  | { kind: 'finding-device'; device: string }
  | { kind: 'finding-cve'; cve: string; kev: boolean }
  | { kind: 'artefact'; name: string };

/** The built-in rules (docs/csirt.md). */
export const ALERT_RULES = [
  'failed-signins',
  'dc09-substitution',
  'dc09-new-key',
  'refused-frames-burst',
  'mqtt-refused-burst',
  'device-new-network',
  'tamper',
  'syslog-critical',
  'indicator-match',
] as const;
export type AlertRuleId = (typeof ALERT_RULES)[number];

export const ALERT_STATUSES = ['new', 'acknowledged', 'dismissed', 'in-case'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** A security alert raised by a rule. Events matching an open alert of the same rule and key join it (deduplication). */
export interface SecurityAlert {
  alertId: string;
  rule: AlertRuleId;
  /** What the rule counts by: an address, an account, a device. */
  key: string;
  /** Alerts sharing a group concern the same thing (the same address or device) across rules. */
  group: string;
  /** The title in English, for API users and exports. */
  title: string;
  /** What the title names (an address, an account, a device id, a host), for a client to say it by `rule` in its reader's language. */
  params?: Readonly<Record<string, string>>;
  severity: AlertSeverity;
  orgId: string | null;
  status: AlertStatus;
  raisedAt: string;
  lastSeenAt: string;
  /** Events counted into it, including those after it was raised. */
  count: number;
  /** Up to 20 event ids, the first ones. */
  eventIds: string[];
  observables: { type: ObservableType; value: string }[];
  caseId: string | null;
}

export const CASE_STATUSES = ['new', 'in-progress', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_RESOLUTIONS = ['true-positive', 'false-positive', 'duplicate', 'benign', 'other'] as const;
export type CaseResolution = (typeof CASE_RESOLUTIONS)[number];

export interface CaseTask {
  taskId: string;
  title: string;
  /** Username of who does it. */
  owner: string | null;
  dueAt: string | null;
  done: boolean;
  doneAt: string | null;
}

export interface TimelineEntry {
  at: string;
  actor: string;
  /** The line in English, for API users and exports. */
  what: string;
  /**
   * What happened, structured, for a client to say in its reader's language: the kind of entry and the values it
   * names (slugs, counts, names people gave things); never an id but for a device's, which the service names.
   */
  kind?: TimelineKind;
  params?: Readonly<Record<string, string | number>>;
}

/** The kinds of case timeline entry (the client has a sentence for each). */
export const TIMELINE_KINDS = [
  'opened',
  'updated',
  'alerts-linked',
  'findings-linked',
  'artefact-added',
  'artefact-erased',
  'task-added',
  'task-done',
  'task-reopened',
  'observable-added',
  'comment',
  'closed',
  'reopened',
  'advisory-sent',
  'advisory-confirmed',
  'finding-triaged',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface Advisory {
  advisoryId: string;
  caseId: string | null;
  /** The constituent organisation told. */
  orgId: string;
  title: string;
  /** What the CSIRT wrote; for an advisory the desk wrote itself from findings, the same in English (API users). */
  body: string;
  /** An advisory the desk wrote from findings: the case's reference and each finding, for a client to word it. */
  about?: { ref: string; findings: AdvisoryFinding[] };
  tlp: Tlp;
  sentAt: string;
  sentBy: string;
  confirmedAt: string | null;
  confirmedBy: string | null;
}

/** One finding an advisory tells its owner about: the CVE, whether known exploited, the device by its label, the component, the priority. */
export interface AdvisoryFinding {
  cve: string;
  kev: boolean;
  device: string;
  component: string | null;
  priority: string;
}

export interface SecurityCase {
  caseId: string;
  /** Readable number: CSIRT-2026-0001. */
  ref: string;
  title: string;
  description: string;
  /** The constituent organisation concerned (owner); null: the city itself. */
  orgId: string | null;
  severity: AlertSeverity;
  tlp: Tlp;
  pap: Pap;
  status: CaseStatus;
  assignee: string | null;
  openedAt: string;
  openedBy: string;
  /** First time someone took it (assigned or moved to in progress): time to triage. */
  triagedAt: string | null;
  closedAt: string | null;
  resolution: CaseResolution | null;
  resolutionNote: string | null;
  alertIds: string[];
  /** A physical incident it relates to (a camera taken over during an event). */
  incidentId: string | null;
  /** Device-security findings the case is about (`<assetId>~<cveId>[~<component>]`). */
  findingIds: string[];
  tasks: CaseTask[];
  /** Files kept with the case (logs, samples, captures), by SHA-256; never executed nor shown inline. */
  artefacts: Artefact[];
  observables: Observable[];
  timeline: TimelineEntry[];
}

/** An observable with where else it was seen. */
export interface Sighting {
  caseIds: string[];
  alertIds: string[];
  /** Device-security findings naming the same device or CVE (at most 20; `findingCount` has them all). */
  findingIds?: string[];
  findingCount?: number;
}

/**
 * Artefacts up to this size are kept in the log (one event each, so every node and every backup
 * of the log has them); larger ones (captures, firmware images, memory excerpts) are kept on the
 * receiving node's disk by SHA-256, up to VIGIL_CSIRT_MAX_ARTEFACT_BYTES (default 256 MiB).
 */
export const MAX_ARTEFACT_BYTES = 512 * 1024;
/** The default of VIGIL_CSIRT_MAX_ARTEFACT_BYTES: the largest artefact a case takes. */
export const DEFAULT_MAX_ARTEFACT_FILE_BYTES = 256 * 1024 * 1024;

/** Why an artefact was erased: asked by a CSIRT handler, or its case closed longer than the retention. */
export type ArtefactErasedWhy = 'request' | 'retention';

/** The default of VIGIL_CSIRT_ARTEFACT_RETENTION_DAYS: days after a case's closing its artefacts are kept (0: until erased by hand). */
export const DEFAULT_ARTEFACT_RETENTION_DAYS = 365;

/** A file kept with a case: a log excerpt, a phishing mail, a sample, a capture. */
export interface Artefact {
  artefactId: string;
  /** The file's name, cleaned (no path, no control characters). */
  name: string;
  /** What the sender said it is; the file is always served as application/octet-stream. */
  declaredType: string;
  bytes: number;
  sha256: string;
  note: string;
  addedAt: string;
  addedBy: string;
}

/** A device-security finding as a case shows it (its state is device security's, read live). */
export interface CaseFinding {
  findingId: string;
  cveId: string;
  title: string;
  assetId: string;
  /** The device's name. */
  label: string;
  orgId: string;
  orgName: string | null;
  component: string | null;
  priority: 'P1' | 'P2' | 'P3' | 'P4';
  kev: boolean;
  cvss: number | null;
  state: 'new' | 'confirmed' | 'not-affected' | 'mitigated' | 'fixed';
  /** The VEX justification of a not-affected finding (null otherwise). */
  justification: string | null;
  stateDetail: string;
  stateAt: string;
  /** Who moved it to this state (a name; null while new). */
  stateBy: string | null;
}

/** A case as a finding shows it. */
export interface FindingCase {
  caseId: string;
  ref: string;
  title: string;
  status: CaseStatus;
  /** `linked`: the case is about this finding; `cve` / `device`: the case holds the finding's CVE or device as an observable. */
  via: 'linked' | 'cve' | 'device';
}

/** An indicator imported from a STIX bundle: matched against incoming events. */
export interface Indicator {
  indicatorId: string;
  type: ObservableType;
  value: string;
  name: string;
  source: string;
  validUntil: string | null;
}

/** Event payloads of the CSIRT capability (type → data). */
export interface CsirtEvents {
  /** A batch of security events (syslog, HTTP, Vigil's own signals), one write per window. */
  'csirt.events.received': { events: SecurityEvent[] };
  'csirt.alert.raised': { alert: Omit<SecurityAlert, 'count' | 'lastSeenAt' | 'status' | 'caseId'> };
  'csirt.alert.status-changed': { alertId: string; status: 'acknowledged' | 'dismissed' | 'new' };
  'csirt.case.opened': {
    case: Pick<SecurityCase, 'caseId' | 'ref' | 'title' | 'description' | 'orgId' | 'severity' | 'tlp' | 'pap' | 'alertIds' | 'incidentId'> & {
      findingIds?: string[];
    };
    observables: Observable[];
  };
  'csirt.case.findings-linked': { caseId: string; findingIds: string[] };
  /**
   * A file kept with a case, read back and checked against the hash when downloaded: its bytes
   * (base64) in this event, or (`base64` absent) in the artefact store on the disk of `node`.
   */
  /**
   * An artefact kept: its bytes in the log (`base64`, sealed), or on the disk of `node` — and,
   * `shared`, in the cluster's shared store as well (stored there before this was recorded).
   */
  'csirt.case.artefact-added': { caseId: string; artefact: Artefact; base64?: string | { key: string; sealed: string }; node?: string; shared?: true };
  /**
   * An artefact erased, by hand or when its case was closed longer than the retention: recorded
   * before the bytes go (the key of a sealed one shredded, the file on disk deleted once no
   * artefact names its SHA-256 any more), so a node stopped in between finishes on its next start.
   */
  'csirt.case.artefact-erased': { caseId: string; artefactId: string; name: string; sha256: string; why: ArtefactErasedWhy; note: string };
  'csirt.case.updated': { caseId: string; changes: Partial<Pick<SecurityCase, 'title' | 'description' | 'severity' | 'tlp' | 'pap' | 'assignee' | 'status'>> };
  'csirt.case.alerts-linked': { caseId: string; alertIds: string[] };
  'csirt.case.task-added': { caseId: string; task: CaseTask };
  'csirt.case.task-done': { caseId: string; taskId: string; done: boolean };
  'csirt.case.observable-added': { caseId: string; observable: Observable };
  'csirt.case.commented': { caseId: string; text: string };
  'csirt.case.closed': { caseId: string; resolution: CaseResolution; note: string };
  'csirt.case.reopened': { caseId: string };
  'csirt.advisory.sent': { advisory: Omit<Advisory, 'confirmedAt' | 'confirmedBy' | 'sentAt' | 'sentBy'> };
  'csirt.advisory.confirmed': { advisoryId: string };
  'csirt.indicators.imported': { source: string; indicators: Indicator[] };
}

/** What the alert queue and the desk's header show. */
export interface CsirtSummary {
  events: number;
  eventsRefused: number;
  openAlerts: number;
  openCases: number;
  /** Median minutes from opening to triage / to closing, over the cases of the last 90 days (null: none). */
  medianTriageMinutes: number | null;
  medianCloseMinutes: number | null;
}

/** Whether a value looks like the type (the API refuses the rest; the UI checks as you type). */
export function observableProblem(type: ObservableType, value: string): string | null {
  const v = value.trim();
  if (v.length === 0 || v.length > 2048) return 'value is empty or too long';
  const ok: Partial<Record<ObservableType, RegExp>> = {
    ipv4: /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/,
    ipv6: /^[0-9a-fA-F:.]{2,45}$/,
    domain: /^(?=.{1,253}$)([a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/,
    url: /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/\S+$/,
    email: /^[^\s@]+@[^\s@]+$/,
    sha256: /^[0-9a-fA-F]{64}$/,
    sha1: /^[0-9a-fA-F]{40}$/,
    md5: /^[0-9a-fA-F]{32}$/,
    cve: /^CVE-\d{4}-\d{4,}$/,
  };
  const re = ok[type];
  return re && !re.test(v) ? `"${v.slice(0, 60)}" is not a valid ${type}` : null;
}

/** The group an alert belongs to: what it is about, across rules. */
export function alertGroup(observables: readonly { type: ObservableType; value: string }[], key: string): string {
  const o = observables[0];
  return o ? `${o.type}:${o.value}` : key;
}
