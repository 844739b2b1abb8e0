import type { Advisory, AlertRuleId, Observable, SecurityAlert, TimelineEntry, TimelineKind } from '../../src/csirt/contract.js';
import { OBSERVABLE_TYPE_LABELS, wordFor } from './labels.js';

/**
 * A CSIRT case's timeline in the reader's language: the server records each entry's kind and the values it names
 * (src/csirt/csirt-state.ts); the sentence is ours. The English line (`what`) stays for API users and for entries
 * written before kinds existed.
 */
export const TIMELINE_SENTENCES: Readonly<Record<TimelineKind, string>> = {
  opened: 'Case opened: {title}',
  updated: 'Changed: {changes}',
  'alerts-linked': 'Alerts linked: {n}',
  'findings-linked': 'Findings linked: {cves}',
  'artefact-added': 'Artefact added: {name} (SHA-256 {sha256})',
  'artefact-erased': 'Artefact {name} erased ({why})',
  'task-added': 'Task added: {title}',
  'task-done': 'Task done: {title}',
  'task-reopened': 'Task reopened: {title}',
  'observable-added': 'Observable added: {type} {value}',
  comment: '{text}',
  closed: 'Case closed: {resolution}',
  reopened: 'Case reopened',
  'advisory-sent': 'Advisory sent: {title}',
  'advisory-confirmed': 'Advisory confirmed: {title}',
  'finding-triaged': 'Finding {cve} on {device}: {state}',
};

/** Why an artefact left its case, in words. */
export const ERASED_WHY: Readonly<Record<string, string>> = {
  retention: 'retention period reached',
  request: 'erased on request',
  privacy: 'personal data retention period reached',
};

/** The case fields a change names, in words. */
export const CASE_FIELD_WORDS: Readonly<Record<string, string>> = {
  title: 'Title',
  description: 'Description',
  severity: 'Severity',
  tlp: 'TLP',
  pap: 'PAP',
  assignee: 'Assignee',
  status: 'Status',
};

type Params = Readonly<Record<string, string | number>>;

/** A slug the CSIRT page already says through t(slug) (statuses, severities, resolutions). */
const slugWord = (t: (key: string) => string, v: string): string => (v === '' ? '—' : t(v));

/** What one change of a case reads: the field by its word, the value by its word (a person by name). */
function changeText(t: (key: string) => string, name: (ref: string) => string, field: string, value: string): string {
  const word = CASE_FIELD_WORDS[field] ? t(CASE_FIELD_WORDS[field]) : field;
  const shown =
    field === 'status' || field === 'severity'
      ? slugWord(t, value)
      : field === 'assignee'
        ? value
          ? name(value)
          : '—'
        : field === 'tlp' || field === 'pap'
          ? value.toUpperCase()
          : value;
  return `${word} → ${shown}`;
}

/** One timeline entry in the reader's language; `name` resolves people and devices (dev:…) to their names. */
export function timelineText(t: (key: string) => string, entry: Pick<TimelineEntry, 'what' | 'kind' | 'params'>, name: (ref: string) => string): string {
  const kind = entry.kind;
  const sentence = kind ? TIMELINE_SENTENCES[kind] : undefined;
  if (!kind || !sentence) return entry.what;
  const p: Params = entry.params ?? {};
  const s = (k: string): string => (p[k] === undefined ? '' : String(p[k]));
  const values: Record<string, string> = Object.fromEntries(Object.keys(p).map((k) => [k, s(k)]));
  switch (kind) {
    case 'updated':
      values.changes = Object.keys(p)
        .map((field) => changeText(t, name, field, s(field)))
        .join(', ');
      break;
    case 'closed':
      values.resolution = slugWord(t, s('resolution'));
      break;
    case 'artefact-erased':
      values.why = ERASED_WHY[s('why')] ? t(ERASED_WHY[s('why')]!) : s('why');
      break;
    case 'observable-added':
      values.type = wordFor(t, OBSERVABLE_TYPE_LABELS, s('type'));
      if (s('type') === 'device') values.value = name(s('value'));
      break;
    case 'finding-triaged':
      values.state = t(`triage:${s('state')}`);
      if (/^[a-z]+:/.test(s('device'))) values.device = name(s('device'));
      break;
  }
  let text = t(sentence).replace(/\{(\w+)\}/g, (whole, k: string) => values[k] ?? whole);
  // What follows the sentence: a task's owner (by name), the notes people wrote, a triage's justification and detail.
  if (kind === 'task-added' && s('owner')) text += ` (${name(s('owner'))})`;
  if (kind === 'finding-triaged') text += `${s('justification') ? ` (${t(`vex:${s('justification')}`)})` : ''}${s('detail') ? ` — ${s('detail')}` : ''}`;
  if ((kind === 'closed' || kind === 'artefact-erased') && s('note')) text += ` — ${s('note')}`;
  return text;
}

/** A CSIRT alert's title by its rule (src/csirt/rules.ts): the sentence ours, the address, account, device or host as the rule saw it. */
export const ALERT_TITLES: Readonly<Record<AlertRuleId, string>> = {
  'failed-signins': 'Failed sign-ins from {ip}',
  'dc09-substitution': 'Substitution attempt on alarm account {account}',
  'dc09-new-key': 'Panel {account} answers with a key Vigil does not hold',
  'refused-frames-burst': 'Burst of refused DC-09 frames from {ip}',
  'mqtt-refused-burst': 'Refused MQTT clients from {ip}',
  'device-new-network': 'Device {device} seen on a new network {network}',
  tamper: 'Tamper signal from {source}',
  'syslog-critical': 'Critical message from {source}',
  'indicator-match': 'Known indicator {value} ({name})',
};

/** A CSIRT alert's title in the reader's language; an alert raised before params existed keeps its English title. */
export function alertTitle(t: (key: string) => string, a: Pick<SecurityAlert, 'rule' | 'title' | 'params'>): string {
  const sentence = ALERT_TITLES[a.rule];
  const p = a.params;
  if (!sentence || !p) return a.title;
  return t(sentence).replace(/\{(\w+)\}/g, (whole, k: string) => (p[k] ? p[k] : k === 'source' ? t('a panel') : whole));
}

/** Device ids in a text (`Critical message from dev:siren:3`) shown by name. */
export const withNames = (text: string, name: (ref: string) => string): string => text.replace(/\bdev:[a-z-]+:[\w.-]+/g, (id) => name(id));

/** Where an observable the desk added itself came from, in words (src/csirt/contract.ts ObservableOrigin). */
export const OBSERVABLE_ORIGIN_SENTENCES = {
  alert: 'From alert: {title}',
  'finding-device': 'Finding on {device}',
  'finding-cve': 'Finding {cve}',
  'finding-cve-kev': 'Finding {cve} (known exploited)',
  artefact: 'Artefact {name}',
} as const;

/**
 * An observable's note in the reader's language: where the desk took it from (an alert, a finding, an artefact) by
 * its sentence, else what a person wrote; an observable added before origins existed keeps its English note.
 */
export function observableNote(t: (key: string) => string, o: Pick<Observable, 'note' | 'origin'>, name: (ref: string) => string): string {
  const origin = o.origin;
  if (!origin) return withNames(o.note, name);
  const fill = (sentence: string, values: Record<string, string>) => t(sentence).replace(/\{(\w+)\}/g, (whole, k: string) => values[k] ?? whole);
  switch (origin.kind) {
    case 'alert':
      return fill(OBSERVABLE_ORIGIN_SENTENCES.alert, { title: withNames(alertTitle(t, { rule: origin.rule, title: o.note, params: origin.params }), name) });
    case 'finding-device':
      return fill(OBSERVABLE_ORIGIN_SENTENCES['finding-device'], { device: withNames(origin.device, name) });
    case 'finding-cve':
      return fill(OBSERVABLE_ORIGIN_SENTENCES[origin.kev ? 'finding-cve-kev' : 'finding-cve'], { cve: origin.cve });
    case 'artefact':
      return fill(OBSERVABLE_ORIGIN_SENTENCES.artefact, { name: origin.name });
  }
}

/** The advisory the desk writes to an owner from findings, in words (src/csirt/csirt-service.ts ownerAdvisories). */
export const ADVISORY_SENTENCES = {
  intro: 'The city CSIRT opened case {ref} about vulnerabilities on your devices:',
  line: '{cve} on {device}: {priority}',
  lineKev: '{cve} (known exploited) on {device}: {priority}',
  outro: 'Please confirm, then patch or mitigate and record it on the finding (Device security).',
} as const;

/** An advisory's text in the reader's language: one the desk wrote from findings by its sentences, else as the CSIRT wrote it. */
export function advisoryText(t: (key: string) => string, a: Pick<Advisory, 'body' | 'about'>): string {
  if (!a.about) return a.body;
  const fill = (sentence: string, values: Record<string, string>) => t(sentence).replace(/\{(\w+)\}/g, (whole, k: string) => values[k] ?? whole);
  const lines = a.about.findings.map(
    (f) =>
      `- ${fill(f.kev ? ADVISORY_SENTENCES.lineKev : ADVISORY_SENTENCES.line, {
        cve: f.cve,
        device: f.component ? `${f.device} (${f.component})` : f.device,
        priority: f.priority,
      })}`,
  );
  return [fill(ADVISORY_SENTENCES.intro, { ref: a.about.ref }), ...lines, t(ADVISORY_SENTENCES.outro)].join('\n');
}
