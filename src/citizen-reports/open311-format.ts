import type { Open311Error } from './rules.js';
import type { PublicReport, SafetyService } from './model.js';
import { EMERGENCY_NOTICE } from './model.js';

/**
 * Open311 GeoReport v2 documents in both formats the specification describes: XML
 * (required; UTF-8 with its declaration, root elements services / service_definition /
 * service_requests / errors / discovery) and JSON (the same fields, lists as arrays).
 */
export type Format = 'json' | 'xml';
export type Lang = 'en' | 'fr';

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

/** Characters XML 1.0 cannot carry at all are dropped; the five special ones escaped. */
export function xmlText(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An element; arrays repeat `item` inside it (services > service, values > value). */
function element(name: string, value: Value, itemName: (parent: string) => string): string {
  if (value === null) return `<${name}/>`;
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element(itemName(name), v, itemName)).join('')}</${name}>`;
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => element(k, v, itemName))
      .join('')}</${name}>`;
  return `<${name}>${xmlText(String(value))}</${name}>`;
}

const ITEM: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

export function toXml(root: string, value: Value): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value, (p) => ITEM[p] ?? 'item')}`;
}

export function render(format: Format, root: string, value: Value): { type: string; body: string } {
  return format === 'xml'
    ? { type: 'text/xml; charset=utf-8', body: toXml(root, value) }
    : { type: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

/**
 * The specification's error list (code, description); Vigil adds `reason` and `params` when it has them (the
 * sentence a client says in its reader's language; clients that do not know them read code and description).
 */
export const errorsDoc = (errors: Open311Error[]): Value =>
  errors.map((e) => ({
    code: e.code,
    description: e.description,
    ...(e.reason ? { reason: e.reason, ...(e.params ? { params: { ...e.params } } : {}) } : {}),
  }));

const describe = (s: SafetyService, lang: Lang): string => (s.emergencyPossible ? `${s.description[lang]} ${EMERGENCY_NOTICE[lang]}` : s.description[lang]);

export function servicesDoc(services: readonly SafetyService[], lang: Lang): Value {
  return services.map((s) => ({
    service_code: s.code,
    service_name: s.name[lang],
    description: describe(s, lang),
    metadata: s.attributes.length > 0,
    type: 'realtime',
    keywords: s.keywords.join(', '),
    group: s.group[lang],
  }));
}

export function definitionDoc(s: SafetyService, lang: Lang): Value {
  return {
    service_code: s.code,
    attributes: s.attributes.map((a, i) => ({
      variable: true,
      code: a.code,
      datatype: a.datatype,
      required: a.required,
      datatype_description: a.datatypeDescription?.[lang] ?? null,
      order: i + 1,
      description: a.description[lang],
      values: a.values.map((v) => ({ key: v.key, name: v.name[lang] })),
    })),
  };
}

export function requestDoc(r: PublicReport): Value {
  return {
    service_request_id: r.reportId,
    status: r.status,
    status_notes: r.statusNotes,
    service_name: r.serviceName,
    service_code: r.serviceCode,
    description: r.description,
    agency_responsible: r.agencyResponsible,
    service_notice: null,
    requested_datetime: r.requestedAt,
    updated_datetime: r.updatedAt,
    expected_datetime: r.expectedAt,
    address: r.address,
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.long,
    media_url: r.mediaUrl,
  };
}

export function discoveryDoc(base: string, changeset: string): Value {
  return {
    changeset,
    contact: 'The city safety office, through the citizen app at /citizen',
    key_service: 'Apps get an api_key from the city (VIGIL_OPEN311_API_KEYS)',
    endpoints: [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: `${base}/open311/v2`,
        changeset,
        type: 'production',
        formats: ['text/xml', 'application/json'],
      },
    ],
  };
}
