import type { Position } from '../kernel/geo.js';
import { NOTICE_CHANNELS, checkPushSubscription, type NoticeChannel, type PushSubscriptionJson } from '../platform/notices.js';
import { attributesOf, field, type ParsedForm } from './form.js';
import { SERVICE_BY_CODE, type ReportState, type ReportStatus, type Reporter, type SafetyService } from './model.js';

/**
 * The rules of citizen reports, pure: what makes an Open311 POST a report, what a
 * GET requests query asks, and which triage step is allowed from which status.
 */

/**
 * One Open311 error: its code (the HTTP status) and a description (English, for developers). Vigil adds
 * `reason` (and `params`): the sentence key a client words in its reader's language (VigilError.because).
 */
export interface Open311Error {
  code: number;
  description: string;
  reason?: string;
  params?: Readonly<Record<string, string | number>>;
}

/** A 400 of a POST requests form, with its reason. */
const bad = (reason: string, description: string, params?: Readonly<Record<string, string | number>>): Open311Error => ({
  code: 400,
  description,
  reason,
  ...(params ? { params } : {}),
});

export interface ReportInput {
  service: SafetyService;
  position: Position;
  address: string | null;
  description: string;
  attributes: Record<string, string | string[]>;
  mediaUrl: string | null;
  reporter: Reporter | null;
  deviceId: string | null;
  /** The reporter agreed that the photo's own GPS position be kept (Vigil's extension `photo_location_consent=true`). */
  photoLocationConsent: boolean;
  /** The app (its api_key's name). */
  via: string;
  /**
   * Vigil's extension: the reporter asks to be told when it is resolved (`notify=email`,
   * `notify=push` with `push_subscription`, or both, comma-separated; `notify_lang` en or fr).
   */
  notify?: { channels: NoticeChannel[]; lang: 'en' | 'fr'; push: PushSubscriptionJson | null } | null;
}

export interface RequestContext {
  /** This installation's jurisdiction_id; another one is a 404. */
  jurisdictionId: string;
  /** api_key → app name. */
  apiKeys: ReadonlyMap<string, string>;
  /** An address string to a position on the city's map, or null. */
  locate(address: string): { position: Position; address: string } | null;
  /** Whether a position is inside the city's area (always true before a city is imported). */
  inCity(p: Position): boolean;
}

export const MAX_DESCRIPTION = 4000;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;
const PHONE = /^\+?[0-9 ().-]{4,30}$/;

export type Checked<T> = { ok: true; value: T } | { ok: false; status: number; errors: Open311Error[] };

const fail = (status: number, description: string, reason?: string): { ok: false; status: number; errors: Open311Error[] } => ({
  ok: false,
  status,
  errors: [{ code: status, description, ...(reason ? { reason } : {}) }],
});

/** api_key and jurisdiction_id, the checks every POST passes first. */
export function checkClient(form: ParsedForm, ctx: RequestContext): Checked<string> {
  const jurisdiction = field(form, 'jurisdiction_id');
  if (jurisdiction !== null && jurisdiction !== ctx.jurisdictionId) return fail(404, 'jurisdiction_id provided was not found', 'open311.jurisdiction-unknown');
  const key = field(form, 'api_key');
  if (key === null) return fail(403, 'api_key was not provided', 'open311.api-key');
  const app = ctx.apiKeys.get(key);
  if (app === undefined) return fail(403, 'Invalid api_key received', 'open311.api-key');
  return { ok: true, value: app };
}

/** A POST requests form → the report it asks for, or every problem found (400). */
export function checkReport(form: ParsedForm, ctx: RequestContext, via: string): Checked<ReportInput> {
  const errors: Open311Error[] = [];
  const code = field(form, 'service_code');
  const service = code === null ? undefined : SERVICE_BY_CODE.get(code);
  if (code === null) errors.push(bad('open311.service-needed', 'service_code was not provided'));
  else if (!service) errors.push(bad('open311.service-unknown', `service_code ${code.slice(0, 60)} was not found`));

  let position: Position | null = null;
  let address = field(form, 'address_string');
  const lat = field(form, 'lat');
  const long = field(form, 'long');
  if (lat !== null || long !== null) {
    const la = Number(lat);
    const lo = Number(long);
    if (lat === null || long === null || !/^-?\d{1,3}(\.\d{1,12})?$/.test(lat) || !/^-?\d{1,3}(\.\d{1,12})?$/.test(long)) {
      errors.push(bad('open311.position-invalid', 'lat and long must both be given as decimal degrees (WGS84)'));
    } else if (!(la >= -90 && la <= 90 && lo >= -180 && lo <= 180)) errors.push(bad('open311.position-invalid', 'lat must be within ±90 and long within ±180'));
    else if (!ctx.inCity([lo, la])) errors.push(bad('open311.outside-city', "the location is outside the city's area"));
    else position = [lo, la];
  } else if (address !== null) {
    if (address.length > 500) errors.push(bad('open311.address-too-long', 'address_string is longer than 500 characters'));
    else {
      const found = ctx.locate(address);
      if (!found) errors.push(bad('open311.address-not-found', 'address_string could not be located on the city map; give lat and long'));
      else ({ position, address } = found);
    }
  } else if (field(form, 'address_id') !== null)
    errors.push(bad('open311.location-needed', 'address_id is not supported here; give lat and long or address_string'));
  else errors.push(bad('open311.location-needed', 'a location is required: lat and long, or address_string'));
  if (address !== null && address.length > 500) errors.push(bad('open311.address-too-long', 'address_string is longer than 500 characters'));

  const description = field(form, 'description') ?? '';
  if (description.length > MAX_DESCRIPTION)
    errors.push(bad('open311.description-too-long', `description is longer than ${MAX_DESCRIPTION} characters`, { limit: MAX_DESCRIPTION }));

  const mediaUrl = field(form, 'media_url');
  if (mediaUrl !== null && (mediaUrl.length > 2000 || !/^https?:\/\/[^\s]+$/i.test(mediaUrl)))
    errors.push(bad('open311.media-url-invalid', 'media_url must be an http(s) URL'));

  const email = field(form, 'email');
  if (email !== null && (email.length > 254 || !EMAIL.test(email))) errors.push(bad('open311.email-invalid', 'email is not an e-mail address'));
  const phone = field(form, 'phone');
  if (phone !== null && !PHONE.test(phone)) errors.push(bad('open311.phone-invalid', 'phone is not a phone number'));
  const firstName = field(form, 'first_name');
  const lastName = field(form, 'last_name');
  if ((firstName?.length ?? 0) > 100 || (lastName?.length ?? 0) > 100)
    errors.push(bad('open311.name-too-long', 'first_name and last_name are at most 100 characters'));
  const deviceId = field(form, 'device_id');
  if (deviceId !== null && deviceId.length > 200) errors.push(bad('open311.device-invalid', 'device_id is longer than 200 characters'));

  let notify: ReportInput['notify'] = null;
  const notifyField = field(form, 'notify');
  if (notifyField !== null && notifyField.trim() !== '') {
    const channels = [...new Set(notifyField.split(',').map((c) => c.trim()))];
    const unknown = channels.filter((c) => !(NOTICE_CHANNELS as readonly string[]).includes(c));
    const lang = field(form, 'notify_lang') ?? 'en';
    let push: PushSubscriptionJson | null = null;
    if (unknown.length > 0)
      errors.push(bad('open311.notify-invalid', `notify takes email, push or both (comma-separated), not ${unknown.join(', ').slice(0, 60)}`));
    if (channels.includes('email') && !email) errors.push(bad('notice.email-needed', 'notify=email needs the email to write to'));
    if (channels.includes('push')) {
      const given = field(form, 'push_subscription');
      let parsed: unknown;
      try {
        parsed = given && given.length <= 3000 ? JSON.parse(given) : null;
      } catch {
        parsed = null;
      }
      const checked = checkPushSubscription(parsed);
      if (!given) errors.push(bad('notice.push-needed', "notify=push needs push_subscription (the browser's push subscription as JSON)"));
      else if (!checked.ok) errors.push(bad('notice.push-invalid', checked.error));
      else push = checked.value;
    }
    if (lang !== 'en' && lang !== 'fr') errors.push(bad('open311.notify-invalid', 'notify_lang is en or fr'));
    notify = { channels: channels as NoticeChannel[], lang: lang === 'fr' ? 'fr' : 'en', push };
  }

  const attributes: Record<string, string | string[]> = {};
  if (service) {
    const given = attributesOf(form);
    for (const attr of service.attributes) {
      const values = (given[attr.code] ?? []).map((v) => v.trim()).filter((v) => v !== '');
      delete given[attr.code];
      if (values.length === 0) {
        if (attr.required) errors.push(bad('open311.attribute-invalid', `attribute[${attr.code}] is required: ${attr.description.en}`));
        continue;
      }
      const keys = new Set(attr.values.map((v) => v.key));
      switch (attr.datatype) {
        case 'singlevaluelist':
          if (values.length > 1 || !keys.has(values[0]!))
            errors.push(bad('open311.attribute-invalid', `attribute[${attr.code}] must be one of ${[...keys].join(', ')}`));
          else attributes[attr.code] = values[0]!;
          break;
        case 'multivaluelist':
          if (values.some((v) => !keys.has(v)))
            errors.push(bad('open311.attribute-invalid', `attribute[${attr.code}] values must be among ${[...keys].join(', ')}`));
          else attributes[attr.code] = [...new Set(values)];
          break;
        case 'number':
          if (values.length > 1 || !/^-?\d{1,9}(\.\d{1,6})?$/.test(values[0]!))
            errors.push(bad('open311.attribute-invalid', `attribute[${attr.code}] must be a number`));
          else attributes[attr.code] = values[0]!;
          break;
        case 'datetime':
          if (values.length > 1 || parseIsoTime(values[0]!) === null)
            errors.push(bad('open311.attribute-invalid', `attribute[${attr.code}] must be an ISO 8601 time with a zone`));
          else attributes[attr.code] = values[0]!;
          break;
        default:
          if (values.length > 1 || values[0]!.length > 1000)
            errors.push(bad('open311.attribute-invalid', `attribute[${attr.code}] must be one text of at most 1000 characters`));
          else attributes[attr.code] = values[0]!;
      }
    }
    for (const unknown of Object.keys(given))
      errors.push(bad('open311.attribute-invalid', `attribute[${unknown.slice(0, 60)}] is not an attribute of ${service.code}`));
  }
  if (errors.length > 0 || !service || !position) return { ok: false, status: 400, errors };
  const reporter: Reporter | null =
    email || phone || firstName || lastName ? { email: email ?? null, phone: phone ?? null, firstName: firstName ?? null, lastName: lastName ?? null } : null;
  return {
    ok: true,
    value: {
      service,
      position,
      address,
      description,
      attributes,
      mediaUrl,
      reporter,
      deviceId,
      photoLocationConsent: field(form, 'photo_location_consent') === 'true',
      via,
      notify,
    },
  };
}

/** An ISO 8601 time with a zone (Z or ±hh:mm), as Open311 requires; ms since the epoch or null. */
export function parseIsoTime(s: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

export interface RequestsQuery {
  ids: string[] | null;
  serviceCodes: string[] | null;
  start: number;
  end: number;
  statuses: ('open' | 'closed')[] | null;
}

/** Open311's default window when no dates are given, and its cap on results. */
export const DEFAULT_WINDOW_MS = 90 * 86_400_000;
export const MAX_RESULTS = 1000;

const list = (v: string | undefined, max: number): string[] | null => {
  if (v === undefined || v.trim() === '') return null;
  return [
    ...new Set(
      v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ].slice(0, max);
};

/** GET requests' filters: service_request_id (then others are ignored), service_code, start_date/end_date, status. */
export function parseRequestsQuery(q: Record<string, string | undefined>, now: number): Checked<RequestsQuery> {
  const ids = list(q.service_request_id, 200);
  const errors: string[] = [];
  const start = q.start_date ? parseIsoTime(q.start_date) : null;
  const end = q.end_date ? parseIsoTime(q.end_date) : null;
  if (q.start_date && start === null) errors.push('start_date must be an ISO 8601 time with a zone (e.g. 2026-12-01T00:00:00Z)');
  if (q.end_date && end === null) errors.push('end_date must be an ISO 8601 time with a zone (e.g. 2026-12-31T23:59:59Z)');
  const statuses = list(q.status, 2);
  if (statuses?.some((s) => s !== 'open' && s !== 'closed')) errors.push('status must be open, closed or both (comma-separated)');
  const serviceCodes = list(q.service_code, 50);
  if (errors.length > 0) return { ok: false, status: 400, errors: errors.map((description) => ({ code: 400, description })) };
  const e = end ?? (start !== null ? start + DEFAULT_WINDOW_MS : now);
  const s = start ?? e - DEFAULT_WINDOW_MS;
  if (s > e) return fail(400, 'start_date is after end_date');
  return { ok: true, value: { ids, serviceCodes, start: s, end: e, statuses: statuses as ('open' | 'closed')[] | null } };
}

export type TriageAction = 'acknowledge' | 'merge' | 'escalate' | 'resolve' | 'work-order';

const OPEN: readonly ReportStatus[] = ['received', 'acknowledged', 'in-progress', 'work-order'];

/** Why a triage step is not possible now, or null when it is. */
export function triageRefusal(action: TriageAction, r: Pick<ReportState, 'status' | 'incident' | 'workOrder'>): string | null {
  if (!OPEN.includes(r.status)) return `the report is already ${r.status}`;
  const openOrder = r.workOrder && (r.workOrder.state === 'assigned' || r.workOrder.state === 'in-progress');
  if (openOrder) return 'a work order is open on the report: complete or cancel it first';
  switch (action) {
    case 'work-order':
      return r.incident ? `the report is incident ${r.incident.reference}` : null;
    case 'acknowledge':
      return r.status === 'received' ? null : 'the report was already acknowledged';
    case 'escalate':
      return r.incident ? `the report is already incident ${r.incident.reference}` : null;
    case 'merge':
      return r.incident ? 'a report that became an incident is resolved, not merged' : null;
    case 'resolve':
      return null;
  }
}
