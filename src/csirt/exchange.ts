import { createHash, randomUUID } from 'node:crypto';
import { badRequest } from '../kernel/errors.js';
import type { AlertSeverity, Indicator, Observable, ObservableType, SecurityCase, Tlp } from './contract.js';

/**
 * Exchange with national CERTs and peers: a case's observables as a STIX 2.1 bundle (indicators
 * with STIX patterns, vulnerabilities for CVEs, a report tying them, TLP markings) and as a MISP
 * event; STIX indicators imported back to be matched against incoming events.
 */

/** The TLP marking definitions STIX 2.1 defines (TLP 1.0 ids: TLP 2.0 CLEAR maps to WHITE, AMBER+STRICT to AMBER). */
export const STIX_TLP: Record<Tlp, string> = {
  clear: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  'amber+strict': 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
};

/** The STIX cyber-observable path each observable type is written as. */
const STIX_PATH: Partial<Record<ObservableType, string>> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  domain: 'domain-name:value',
  hostname: 'domain-name:value',
  url: 'url:value',
  email: 'email-addr:value',
  sha256: "file:hashes.'SHA-256'",
  sha1: "file:hashes.'SHA-1'",
  md5: 'file:hashes.MD5',
};
const FROM_PATH: Record<string, ObservableType> = {
  'ipv4-addr:value': 'ipv4',
  'ipv6-addr:value': 'ipv6',
  'domain-name:value': 'domain',
  'url:value': 'url',
  'email-addr:value': 'email',
  "file:hashes.'SHA-256'": 'sha256',
  'file:hashes.SHA256': 'sha256',
  "file:hashes.'SHA-1'": 'sha1',
  'file:hashes.SHA1': 'sha1',
  'file:hashes.MD5': 'md5',
};

/** A STIX id derived from a name (UUIDv5-shaped from SHA-256), so the same case exports the same ids. */
function stixId(type: string, name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${type}--${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const stixString = (v: string): string => v.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
const stixTime = (iso: string): string => new Date(iso).toISOString();

export interface StixObject {
  type: string;
  id: string;
  [k: string]: unknown;
}
export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** The case's indicators (IOC observables) and CVEs as a STIX 2.1 bundle. */
export function caseToStix(c: SecurityCase, producer: string): StixBundle {
  const identity = stixId('identity', `vigil:${producer}`);
  const marking = STIX_TLP[c.tlp];
  const common = (o: Observable) => ({
    spec_version: '2.1',
    created: stixTime(o.addedAt),
    modified: stixTime(o.addedAt),
    created_by_ref: identity,
    object_marking_refs: [marking],
  });
  const objects: StixObject[] = [
    {
      type: 'identity',
      spec_version: '2.1',
      id: identity,
      created: stixTime(c.openedAt),
      modified: stixTime(c.openedAt),
      name: producer,
      identity_class: 'organization',
    },
  ];
  for (const o of c.observables) {
    if (o.type === 'cve') {
      objects.push({
        type: 'vulnerability',
        id: stixId('vulnerability', `${c.caseId}:${o.value}`),
        ...common(o),
        name: o.value,
        external_references: [{ source_name: 'cve', external_id: o.value }],
      });
      continue;
    }
    const path = STIX_PATH[o.type];
    if (!path || !o.ioc) continue;
    objects.push({
      type: 'indicator',
      id: stixId('indicator', `${c.caseId}:${o.observableId}`),
      ...common(o),
      name: `${o.type} ${o.value}`,
      ...(o.note ? { description: o.note } : {}),
      indicator_types: ['malicious-activity'],
      pattern: `[${path} = '${stixString(o.value)}']`,
      pattern_type: 'stix',
      valid_from: stixTime(o.addedAt),
    });
  }
  objects.push({
    type: 'report',
    spec_version: '2.1',
    id: stixId('report', c.caseId),
    created: stixTime(c.openedAt),
    modified: stixTime(c.timeline.at(-1)?.at ?? c.openedAt),
    created_by_ref: identity,
    name: `${c.ref} ${c.title}`,
    description: c.description || c.title,
    report_types: ['threat-report'],
    published: stixTime(c.openedAt),
    object_refs: objects.slice(1).map((o) => o.id),
    object_marking_refs: [marking],
    labels: [`severity:${c.severity}`, `pap:${c.pap}`],
  });
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects };
}

/** Comparisons `path = 'value'` of a STIX pattern joined by OR (what indicator sharing uses); other patterns are skipped. */
export function patternValues(pattern: string): { type: ObservableType; value: string }[] {
  const out: { type: ObservableType; value: string }[] = [];
  const inner = pattern.trim().replace(/^\[|\]$/g, '');
  if (/\bAND\b|\bFOLLOWEDBY\b|\bWITHIN\b/.test(pattern)) return out;
  const re = /([a-z0-9-]+:[A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'/g;
  for (const m of inner.matchAll(re)) {
    const type = FROM_PATH[m[1]!];
    if (type) out.push({ type, value: m[2]!.replace(/\\(.)/g, '$1') });
  }
  return out;
}

const MAX_INDICATORS = 10_000;

/** The indicators of a STIX 2.1 bundle (JSON text or parsed); refuses what is not a bundle. */
export function stixIndicators(input: unknown, source: string): Indicator[] {
  const bundle = input as { type?: unknown; objects?: unknown };
  if (!bundle || typeof bundle !== 'object' || bundle.type !== 'bundle' || !Array.isArray(bundle.objects)) throw badRequest('not a STIX 2.1 bundle');
  const out: Indicator[] = [];
  for (const o of bundle.objects as Record<string, unknown>[]) {
    if (!o || typeof o !== 'object' || o.type !== 'indicator' || typeof o.pattern !== 'string') continue;
    if (o.pattern_type !== undefined && o.pattern_type !== 'stix') continue;
    if (o.revoked === true) continue;
    for (const v of patternValues(o.pattern.slice(0, 4096))) {
      if (out.length >= MAX_INDICATORS) throw badRequest(`more than ${MAX_INDICATORS} indicators in one bundle`);
      out.push({
        indicatorId: stixId('indicator', `${String(o.id)}:${v.type}:${v.value}`),
        type: v.type,
        value: v.value.slice(0, 2048),
        name: typeof o.name === 'string' ? o.name.slice(0, 200) : String(o.id).slice(0, 200),
        source: source.slice(0, 200),
        validUntil: typeof o.valid_until === 'string' && Number.isFinite(Date.parse(o.valid_until)) ? new Date(o.valid_until).toISOString() : null,
      });
    }
  }
  return out;
}

const MISP_TYPE: Partial<Record<ObservableType, { type: string; category: string }>> = {
  ipv4: { type: 'ip-src', category: 'Network activity' },
  ipv6: { type: 'ip-src', category: 'Network activity' },
  domain: { type: 'domain', category: 'Network activity' },
  hostname: { type: 'hostname', category: 'Network activity' },
  url: { type: 'url', category: 'Network activity' },
  email: { type: 'email-src', category: 'Payload delivery' },
  sha256: { type: 'sha256', category: 'Payload delivery' },
  sha1: { type: 'sha1', category: 'Payload delivery' },
  md5: { type: 'md5', category: 'Payload delivery' },
  cve: { type: 'vulnerability', category: 'External analysis' },
};
const THREAT_LEVEL: Record<AlertSeverity, string> = { critical: '1', high: '1', medium: '2', low: '3' };

const uuidOf = (name: string): string => stixId('x', name).slice(3);

/** The case as a MISP event (the JSON MISP's REST API and its feeds use). */
export function caseToMisp(c: SecurityCase): { Event: Record<string, unknown> } {
  const ts = String(Math.floor(Date.parse(c.timeline.at(-1)?.at ?? c.openedAt) / 1000));
  return {
    Event: {
      uuid: uuidOf(c.caseId),
      info: `${c.ref} ${c.title}`,
      date: c.openedAt.slice(0, 10),
      timestamp: ts,
      threat_level_id: THREAT_LEVEL[c.severity],
      analysis: c.status === 'closed' ? '2' : c.status === 'in-progress' ? '1' : '0',
      distribution: '0',
      published: false,
      Tag: [{ name: `tlp:${c.tlp}` }, { name: `PAP:${c.pap.toUpperCase()}` }],
      Attribute: c.observables.flatMap((o) => {
        const t = MISP_TYPE[o.type];
        if (!t) return [];
        return [
          {
            uuid: uuidOf(`${c.caseId}:${o.observableId}`),
            type: t.type,
            category: t.category,
            value: o.value,
            to_ids: o.ioc && o.type !== 'cve',
            comment: o.note,
            timestamp: String(Math.floor(Date.parse(o.addedAt) / 1000)),
          },
        ];
      }),
    },
  };
}
