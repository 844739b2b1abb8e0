import { ApiError } from './api.js';
import en from './locales/en.json' with { type: 'json' };
import { ALERT_STATE_LABELS, CAP_WORDS, INCIDENT_STATUS_LABELS } from './labels.js';
import { CAP_IMPORT_SENTENCES, CAP_RULE_SENTENCES } from './cap-sentences.js';

/**
 * Errors in the reader's language. The API's message is written for developers and in English
 * (« device dev:siren:12 belongs to another organisation »): the UI never shows it to a reader of another
 * language. An error says what happened through its stable `reason` and `params` (the server's sentence key),
 * else through its `code`; the UI turns either into a sentence of its own.
 */
export const ERROR_SENTENCES: Readonly<Record<string, string>> = {
  forbidden: 'error:forbidden',
  not_found: 'error:not_found',
  conflict: 'error:conflict',
  rate_limited: 'error:rate_limited',
  unavailable: 'error:unavailable',
  unauthenticated: 'error:unauthenticated',
  second_factor_required: 'error:second_factor_required',
  payload_too_large: 'error:payload_too_large',
  network_error: 'error:network_error',
  bad_request: 'error:bad_request',
  validation_failed: 'error:validation_failed',
  unsupported_media_type: 'error:unsupported_media_type',
  internal: 'error:internal',
  http_error: 'error:http_error',
  aborted: 'error:aborted',
};

/**
 * Whether a reader of English may read the server's own message: a refusal the user can fix (a bad request, a
 * conflict the server explains in its details), whose English says more than the code's sentence, and that names no
 * id. A reader of another language reads the code's sentence.
 */
function messageForEnglish(e: ApiError): boolean {
  const fixable = ['bad_request', 'validation_failed', 'unsupported_media_type'].includes(e.code) || (e.code === 'conflict' && e.details != null);
  return fixable && !ID_LIKE.test(e.message);
}
/** Ids as the server writes them: `user:…`, `dev:siren:12`, `inc_01J9…`. */
const ID_LIKE = /\b(?:user|dev|device|site|unit|org|account|apikey|alarm|incident):\S|\b[a-z]{2,5}_[0-9A-Za-z]{6,}\b/;

/**
 * The sentences of the server's reasons (src/kernel/errors.ts `because`), by reason; `{param}` is filled from the
 * error's params (a field by its word, a state by its word, names as they are).
 */
export const REASON_SENTENCES: Readonly<Record<string, string>> = {
  // A request the form's schema refused: the field by its word.
  'validation.required': '“{field}” is required.',
  'validation.minLength': '“{field}” needs at least {limit} characters.',
  'validation.maxLength': '“{field}” may have at most {limit} characters.',
  'validation.minimum': '“{field}” must be at least {limit}.',
  'validation.maximum': '“{field}” must be at most {limit}.',
  'validation.exclusiveMinimum': '“{field}” must be at least {limit}.',
  'validation.exclusiveMaximum': '“{field}” must be at most {limit}.',
  'validation.minItems': '“{field}” needs at least {limit} entries.',
  'validation.maxItems': '“{field}” may have at most {limit} entries.',
  'validation.enum': '“{field}” must be one of the values offered.',
  'validation.const': '“{field}” must be one of the values offered.',
  'validation.format': '“{field}” is not written in the expected form.',
  'validation.pattern': '“{field}” is not written in the expected form.',
  'validation.type': '“{field}” does not hold the expected kind of value.',
  'validation.additionalProperties': 'The form sent a field the server does not accept (“{field}”): reload the page.',
  'validation.invalid': '“{field}” is not valid.',
  // Signing in: a refused password is not a session that ended.
  'signin.wrong-credentials': 'Sign-in refused: wrong username or password.',
  'signin.wrong-code': 'That code is wrong or was used already: wait for the next one.',
  // The alarm console.
  'alarm.closed': 'This alarm is closed.',
  'alarm.claimed-by-another': 'Another operator has taken this alarm.',
  'alarm.acknowledge-first': 'Acknowledge the alarm before closing it.',
  'alarm.genuine-needs-note': 'Say what happened before closing a genuine alarm.',
  'alarm.steps-not-done': 'The action plan’s mandatory steps are not done: {steps}',
  // Incidents.
  'incident.position-invalid': 'The location is not a valid point on the map.',
  'incident.priority-range': 'The priority goes from 1 (most urgent) to 5.',
  'incident.alarm-already-incident': 'This alarm is already incident {reference}.',
  'incident.alarm-without-position': 'The alarm has no site or position: create the incident with the call-taker form.',
  'incident.casualty-count': 'A casualty count is a whole number, 0 or more.',
  'incident.transition': 'Incident {reference} cannot go from “{from}” to “{to}”.',
  'incident.resolution-needed': 'Closing an incident needs a resolution.',
  'incident.dispatch-first': 'Dispatch a unit first.',
  'incident.unit-already-assigned': '{unit} is already assigned to {reference}.',
  'incident.override-reason-needed': '{unit} is not the recommended unit: give the reason for choosing it.',
  'incident.message-empty': 'A message needs text.',
  'incident.alert-links-public': 'Links to public alerts go in the public channel.',
  'incident.closed': 'Incident {reference} is closed.',
  // Public alerts.
  'alert.not-editable': 'This alert is no longer editable (state: {alertState}); issue an update instead.',
  'alert.in-state': 'This alert’s state does not allow it: {alertState}.',
  'alert.not-pending': 'Only an alert waiting for approval can be approved or rejected; this one’s state: {alertState}.',
  'alert.not-issued': 'Only an issued alert can be updated or cancelled; this one’s state: {alertState}.',
  'alert.reject-reason-needed': 'Say why the alert is rejected.',
  'alert.four-eyes': 'The author cannot approve their own alert: a second authorised person must.',
  'alert.cap-rule': 'The alert does not meet a CAP rule ({rule}): the checks beside the form say which.',
  // CAP: a rule an alert breaks (authoring, import), a document an import refuses (cap-sentences.ts).
  ...Object.fromEntries(Object.entries({ ...CAP_RULE_SENTENCES, ...CAP_IMPORT_SENTENCES }).map(([rule, sentence]) => [`cap.${rule}`, sentence])),
  // Citizen reports (Open311 errors carry Vigil's reason) and consultations, as the citizen app meets them.
  'open311.service-needed': 'Choose what you are reporting.',
  'open311.service-unknown': 'This kind of report is not taken here any more: reload the page.',
  'open311.position-invalid': 'The position is not a valid point on the map.',
  'open311.outside-city': 'This place is outside the city: the city can only act within its limits.',
  'open311.address-not-found': 'This address was not found on the city map: show the place on the map instead.',
  'open311.address-too-long': 'The address is too long.',
  'open311.location-needed': 'Show where it is: use your location or tap the map.',
  'open311.description-too-long': 'The description may have at most {limit} characters.',
  'open311.media-url-invalid': 'The photo link is not a web address.',
  'open311.email-invalid': 'The e-mail address is not valid.',
  'open311.phone-invalid': 'The phone number is not valid.',
  'open311.name-too-long': 'The name is too long.',
  'open311.device-invalid': 'This device’s identifier is not valid: reload the page.',
  'open311.notify-invalid': 'Choose how to be told again: by e-mail, on this device, or both.',
  'open311.attribute-invalid': 'An answer to the questions about this report is missing or not valid.',
  'open311.photo-invalid': 'The photo is not a JPEG or PNG image that can be read: take or choose another one.',
  'open311.too-large': 'The photo is too large: take or choose a smaller one.',
  'open311.form-invalid': 'The report could not be read: reload the page and send it again.',
  'open311.rate-limited': 'Too many reports from here in the last hour: try again in {minutes} min.',
  'open311.api-key': 'This app is not allowed to send reports: reload the page.',
  'open311.jurisdiction-unknown': 'This city does not take reports at this address.',
  'notice.email-needed': 'To be told by e-mail, give your e-mail address.',
  'notice.push-needed': 'To be told on this device, allow its notifications.',
  'notice.push-invalid': 'This device’s notification subscription is not valid: try again, or choose e-mail.',
  'engagement.consultation-not-open-yet': 'This consultation is not open yet.',
  'engagement.consultation-closed': 'This consultation is closed: it no longer takes answers.',
  'engagement.consultation-not-found': 'This consultation is no longer published.',
  'engagement.answer-empty': 'Write your answer: at least a few words.',
  'engagement.grievance-empty': 'A complaint needs a subject and a few words saying what is wrong.',
  'engagement.no-grievance-desk': 'No office takes complaints here yet.',
};

/** A validation sentence when the field has no word of ours: the same without naming it. */
const UNNAMED_FIELD = 'A field of the form is missing or not valid: check the form and try again.';

/** The request fields the UI's forms send, in words (a validation error names the field so). */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  title: 'Title',
  description: 'Description',
  note: 'Note',
  reason: 'Reason',
  overrideReason: 'Reason',
  text: 'Text',
  priority: 'Priority',
  type: 'Type',
  name: 'Name',
  resolution: 'Resolution',
  headline: 'Headline',
  instruction: 'Instruction',
  severity: 'Severity',
  urgency: 'Urgency',
  certainty: 'Certainty',
  address: 'Address',
  password: 'Password',
  username: 'Username',
  displayName: 'Display name',
  position: 'Position',
  language: 'Language',
  areaIds: 'Areas',
  email: 'E-mail',
  status: 'Status',
  category: 'Category',
  phone: 'Phone',
  message: 'Message',
  unitId: 'Unit',
  roles: 'Roles',
  code: 'Code',
  url: 'Web address',
  callSign: 'Call sign',
  capacity: 'Capacity',
  label: 'Label',
  comment: 'Comment',
  summary: 'Summary',
};

/** Params named after a word table: their slug is shown as its word. */
const PARAM_WORDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  alertState: ALERT_STATE_LABELS,
  from: INCIDENT_STATUS_LABELS,
  to: INCIDENT_STATUS_LABELS,
  scope: CAP_WORDS.scope,
};

/** Whether the reader reads English: the translator gives the English text of a code's sentence. */
const readsEnglish = (t: (key: string) => string): boolean => t(ERROR_SENTENCES.bad_request!) === (en as Record<string, string>)[ERROR_SENTENCES.bad_request!];

/** The sentence of a reason with its params, or null when the UI has none for it. */
export function reasonText(t: (key: string) => string, reason: string | undefined, params: Readonly<Record<string, string | number>> = {}): string | null {
  let key = reason ? REASON_SENTENCES[reason] : undefined;
  if (!key) return null;
  const field = typeof params.field === 'string' ? FIELD_LABELS[params.field] : undefined;
  if (reason!.startsWith('validation.') && !field) key = UNNAMED_FIELD;
  return t(key).replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (name === 'field') return field ? t(field) : whole;
    const v = params[name];
    if (v === undefined) return whole;
    const table = PARAM_WORDS[name];
    return table?.[String(v)] ? t(table[String(v)]!) : String(v);
  });
}

/**
 * A CAP rule's finding (a warning kept with an imported alert) in the reader's language: its rule's sentence with
 * what it names. A finding recorded before its params were kept, or of a rule the UI does not know: its English message.
 */
export function capFindingText(t: (key: string) => string, f: { rule: string; message: string; params?: Readonly<Record<string, string | number>> }): string {
  return (f.params && reasonText(t, `cap.${f.rule}`, f.params)) || f.message;
}

/**
 * A failure on the device itself (no position, no notifications, a photo it cannot read): its message is the
 * English sentence, which is also its key in the locale files, so the UI says it in the reader's language.
 */
export class WordedError extends Error {
  constructor(readonly sentence: string) {
    super(sentence);
  }
}

/** What the UI shows for a failed action: the reason's sentence, else the code's, in the reader's language. */
export function errorText(t: (key: string) => string, e: unknown): string {
  if (e instanceof WordedError) return t(e.sentence);
  if (e instanceof ApiError) {
    const said = reasonText(t, e.reason, e.params);
    if (said) return said;
    // A message without a reason of ours: a reader of English may read the server's (it names no id);
    // any other reader reads the code's sentence.
    if (messageForEnglish(e) && readsEnglish(t)) return e.message;
    // A 429 or 403 under another code (a proxy's, an older node's) is still the refusal it is.
    const key = (e.status === 429 ? ERROR_SENTENCES.rate_limited : e.status === 403 ? ERROR_SENTENCES.forbidden : undefined) ?? ERROR_SENTENCES[e.code];
    if (key) return t(key);
    return t(e.status >= 500 ? ERROR_SENTENCES.internal! : ERROR_SENTENCES.bad_request!);
  }
  return e instanceof Error ? e.message : String(e);
}
