import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { agencyAlert } from '../support/cap-documents.js';
import { authenticator } from 'otplib';
import type { RunningVigil } from '../../src/app.js';
import { SERVICE_BY_CODE } from '../../src/citizen-reports/contract.js';

/*
 * The world of the expected-policy table (policy-table.test.ts): organisations of the
 * kinds that share Vigil, each owning real resources of every capability, created over
 * the HTTP API by a member of the owning organisation, and shares of both rights.
 *
 * The subject organisation is the police: its users (one per role) are the callers. The
 * fire service shares with it to act, the monitoring centre (MARC) to read, the security
 * firm and the event organiser share nothing with it. The city is the platform organisation.
 */

export const ROLES = ['operator', 'supervisor', 'alert-officer', 'commander', 'responder', 'analyst', 'csirt', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RELATIONS = ['own', 'shared-act', 'shared-read', 'unrelated'] as const;
export type Relation = (typeof RELATIONS)[number];

/** Which organisation owns the resources the police stand in each relation to. */
export const OWNER_OF: Record<Relation, OwnerKey> = {
  own: 'police',
  'shared-act': 'fire',
  'shared-read': 'ems',
  unrelated: 'neighbour',
};
/** The organisations owning resources: kinds whose role ceiling (docs/security.md) lets a member make every kind of resource. */
export type OwnerKey = 'police' | 'fire' | 'ems' | 'neighbour';

export type OrgKey = 'city' | 'police' | 'fire' | 'ems' | 'neighbour' | 'marc' | 'security' | 'organiser';
/**
 * Role ceilings by kind (docs/security.md, "Organisations, role ceilings and the authority to alert"),
 * copied here by hand: csirt is the city's alone, alert-officer only for organisations that may be named an alerting authority.
 */
const CEILING: Record<string, readonly Role[]> = {
  city: ROLES,
  police: ['commander', 'supervisor', 'responder', 'operator', 'analyst', 'alert-officer', 'admin'],
  fire: ['commander', 'supervisor', 'responder', 'operator', 'analyst', 'alert-officer', 'admin'],
  ems: ['commander', 'supervisor', 'responder', 'operator', 'analyst', 'alert-officer', 'admin'],
  monitoring: ['operator', 'supervisor', 'responder', 'analyst', 'admin'],
  security: ['operator', 'supervisor', 'responder', 'admin'],
  'event-organiser': ['commander', 'supervisor', 'responder', 'operator', 'admin'],
};

const ORGS: { key: OrgKey; name: string; kind: string; platform?: boolean }[] = [
  { key: 'city', name: 'Table City', kind: 'city', platform: true },
  { key: 'police', name: 'Table Police', kind: 'police' },
  { key: 'fire', name: 'Table Fire Service', kind: 'fire' },
  { key: 'ems', name: 'Table Ambulance Service', kind: 'ems' },
  { key: 'neighbour', name: 'Table Neighbouring Police', kind: 'police' },
  { key: 'marc', name: 'Table Monitoring Centre', kind: 'monitoring' },
  { key: 'security', name: 'Table Security Firm', kind: 'security' },
  { key: 'organiser', name: 'Table Festival Organiser', kind: 'event-organiser' },
];

export const PASSWORD = 'policy table password';
const ALL_ROLES = [...ROLES];

export interface Res {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  body: string;
  headers: Record<string, unknown>;
}
export type Call = (method: string, url: string, payload?: unknown, contentType?: string) => Promise<Res>;

export interface Caller {
  name: string;
  role: Role | null;
  org: OrgKey | null;
  call: Call;
  /** Session cookie (for the WebSocket). */
  cookie: string | null;
}

/** What one organisation owns, by id. */
export interface Owned {
  orgId: string;
  site: string;
  camera: string;
  panel: string;
  gauge: string;
  account: string;
  alarm: string;
  plan: string;
  unit: string;
  incident: string;
  attachment: string;
  alert: string;
  rule: string;
  webhook: string;
  /** Another agency's alert imported by the organisation, a key it trusts, a feed it polls (capx lane). */
  imported: string;
  signer: string;
  feed: string;
  crowdZone: string;
  gate: string;
  majorEvent: string;
  feature: string;
  closure: string;
  apiKey: string;
  targetUser: string;
  /** A CSIRT case concerning the organisation (opened by the city's CSIRT), one of its tasks, and an advisory to it. */
  securityCase: string;
  securityTask: string;
  advisory: string;
  /** A file kept with that case (its SHA-256 an observable). */
  securityArtefact: string;
  /** An event webhook subscription of the organisation (webhooks lane). */
  eventWebhook: string;
  /** A citizen report the organisation is responsible for (its reporter: reporter-<key>@example.org). */
  citizenReport: string;
  /** An open work order issued by the organisation from a report of its own. */
  workOrder: string;
  /** A stakeholder of the organisation's registry, a published open consultation inviting it (a public answer from participant-<key>@example.org), a grievance from complainant-<key>@example.org. */
  stakeholder: string;
  consultation: string;
  grievance: string;
}

export interface World {
  vigil: RunningVigil;
  origin: string;
  orgId: Record<OrgKey, string>;
  /** Signed-in callers: police and city users of each role, and the public. */
  police: Record<Role, Caller>;
  city: Record<Role, Caller>;
  public: Caller;
  /** API keys of the police (no second factor), by role. */
  apiKeys: Caller[];
  /** A user of each organisation holding every role (creates its resources). */
  owner: Record<OrgKey, Caller>;
  owned: Record<OwnerKey, Owned>;
  /** A subscriber's token (public routes). */
  subscriberToken: string;
  /** A KPI agreement of the city (city-wide). */
  agreement: string;
}

function caller(vigil: RunningVigil, origin: string, name: string, role: Role | null, org: OrgKey | null, cookie: string | null, apiKey?: string): Caller {
  const call: Call = async (method, url, payload, contentType) => {
    const r = await vigil.server.app.inject({
      method: method as 'GET',
      url,
      headers: {
        origin,
        // The node checks Origin against the Host it was asked under: inject's default Host (localhost:80) is not this node's.
        host: new URL(origin).host,
        ...(cookie ? { cookie } : {}),
        ...(apiKey ? { 'x-api-key': apiKey } : {}),
        ...(contentType ? { 'content-type': contentType } : payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload === undefined ? {} : { payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload) }),
    });
    let json: unknown = null;
    try {
      json = r.json();
    } catch {
      // not JSON (HTML, PDF, CSV, XML)
    }
    return { status: r.statusCode, json, body: r.body, headers: r.headers };
  };
  return { name, role, org, call, cookie };
}

/** Signs a user in over HTTP with a second factor enrolled (so every role reaches its highest level). */
async function signIn(vigil: RunningVigil, origin: string, username: string, role: Role | null, org: OrgKey): Promise<Caller> {
  const anon = caller(vigil, origin, 'anon', null, null, null);
  const cookieOf = (r: Res): string => {
    const set = r.headers['set-cookie'];
    const first = (Array.isArray(set) ? set : [set]).find((c) => typeof c === 'string' && c.includes('='));
    if (first) return String(first).split(';')[0]!;
    assert.ok(r.json?.token, `no session for ${username}: ${r.body}`);
    return `vigil_session=${r.json.token}`;
  };
  const first = await anon.call('POST', '/api/auth/login', { username, password: PASSWORD });
  assert.equal(first.status, 200, `${username}: ${first.body}`);
  const session = caller(vigil, origin, username, role, org, cookieOf(first));
  const enrol = await session.call('POST', '/api/auth/totp/enroll');
  assert.equal(enrol.status, 200, enrol.body);
  const secret: string = enrol.json.secret ?? new URL(enrol.json.otpauth ?? enrol.json.uri).searchParams.get('secret');
  const confirmed = await session.call('POST', '/api/auth/totp/confirm', { code: authenticator.generate(secret) });
  assert.ok(confirmed.status < 300, confirmed.body);
  // Confirming the second factor rotates the session to the second factor's level (the code just used cannot sign in again: a replay).
  const rotated = confirmed.headers['set-cookie'];
  if (rotated) return caller(vigil, origin, `${org}/${role ?? 'all'}`, role, org, cookieOf(confirmed));
  // A fresh code for the sign-in: the one just used is refused as a replay.
  const code = authenticator.generate(secret);
  let second = await anon.call('POST', '/api/auth/login', { username, password: PASSWORD, totp: code });
  if (second.status !== 200) {
    authenticator.options = { epoch: Date.now() + 30_000 };
    second = await anon.call('POST', '/api/auth/login', { username, password: PASSWORD, totp: authenticator.generate(secret) });
    authenticator.resetOptions();
  }
  assert.equal(second.status, 200, `${username} with TOTP: ${second.body}`);
  return caller(vigil, origin, `${org}/${role ?? 'all'}`, role, org, cookieOf(second));
}

/** The first value of a key anywhere in a JSON answer (answers wrap what they created differently). */
export function idIn(r: Res, key: string): string {
  const seen: unknown[] = [r.json];
  while (seen.length > 0) {
    const v = seen.shift();
    if (v === null || typeof v !== 'object') continue;
    if (key in v && typeof (v as Record<string, unknown>)[key] === 'string') return (v as Record<string, string>)[key]!;
    seen.push(...Object.values(v));
  }
  throw new Error(`no ${key} in ${r.body.slice(0, 300)}`);
}

const ok = (r: Res, what: string): Res => {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.body.slice(0, 400)}`);
  return r;
};

/** The police event's officers (its other users take part at the organisation's default clearance). */
export const EVENT_OFFICERS = [
  { username: 'police-all', eventRole: 'officer', clearance: 3 },
  { username: 'police-commander', eventRole: 'officer', clearance: 3 },
  { username: 'police-admin', eventRole: 'officer', clearance: 3 },
];

export const POSITION: [number, number] = [7.4246, 43.7384];

export const alertBody = (headline: string) => ({
  status: 'Exercise',
  scope: 'Public',
  channels: ['cap-feed'],
  info: [
    {
      language: 'en-GB',
      category: ['Met'],
      event: 'Flood',
      responseType: ['Monitor'],
      urgency: 'Expected',
      severity: 'Moderate',
      certainty: 'Likely',
      headline,
      description: 'Water may rise.',
      instruction: 'Stay away from the harbour.',
      area: [{ areaDesc: 'Harbour', polygon: ['43.7270,7.4130 43.7310,7.4130 43.7310,7.4200 43.7270,7.4200 43.7270,7.4130'] }],
    },
  ],
});

export const ruleBody = (deviceId: string) => ({
  name: `Gauge ${deviceId}`,
  sensors: { deviceIds: [deviceId] },
  measure: { type: 'threshold', sensorType: 'water-level', direction: 'above', threshold: 2, unit: 'm', hysteresis: 0.3 },
  persistence: { readings: 3, seconds: 0 },
  draft: {
    templateId: 'flood',
    languages: ['fr-MC', 'en-GB'],
    area: { kind: 'circle', radiusKm: 0.5 },
    severity: 'Severe',
    urgency: 'Immediate',
    status: 'Actual',
    channels: ['cap-feed'],
  },
});

export const polygonAround = ([lon, lat]: [number, number], d = 0.001) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon - d, lat - d],
      [lon + d, lat - d],
      [lon + d, lat + d],
      [lon - d, lat + d],
      [lon - d, lat - d],
    ],
  ],
});

let serial = 0;
/** The engagement fixtures of an organisation: a stakeholder, an open consultation with a public answer, a public grievance about it. */
async function engagementOf(o: Caller, key: string, anyone: Caller): Promise<{ stakeholder: string; consultation: string; grievance: string }> {
  const stakeholder = await make.stakeholder(o);
  const consultation = await make.consultation(o, [stakeholder]);
  ok(
    await anyone.call('POST', `/api/public/engagement/consultations/${consultation}/answers`, {
      text: `answer of ${key}`,
      position: 'support',
      name: null,
      email: `participant-${key}@example.org`,
    }),
    'public answer',
  );
  const grievance = idIn(
    ok(
      await anyone.call('POST', '/api/public/engagement/grievances', {
        subject: `grievance of ${key}`,
        text: 'My answer is missing.',
        consultationId: consultation,
        email: `complainant-${key}@example.org`,
      }),
      'public grievance',
    ),
    'grievanceId',
  );
  return { stakeholder, consultation, grievance };
}

/** A fresh name, so resources created again (for destructive routes) do not collide. */
export const fresh = (prefix: string): string => `${prefix}-${++serial}`;

/** Creators of resources, used by the seed and again by routes that destroy or transfer what they act on. */
export const make = {
  /** A citizen report taken by the organisation (reports come from the public; the owner is the service's, chosen here). */
  citizenReport: async (vigil: RunningVigil, orgId: string, key: string): Promise<string> => {
    const service = SERVICE_BY_CODE.get('graffiti')!;
    const { report } = await vigil.capabilities.citizenReports.service.submit(
      {
        service,
        position: POSITION,
        address: null,
        description: `graffiti of ${key}`,
        attributes: {},
        mediaUrl: null,
        reporter: { email: `reporter-${key}@example.org`, phone: null, firstName: null, lastName: null },
        deviceId: null,
        photoLocationConsent: false,
        via: 'policy-table',
      },
      null,
      orgId,
    );
    return report.reportId;
  },
  /** An open work order made by the owner from a fresh report of its organisation. */
  workOrder: async (vigil: RunningVigil, owner: Caller, orgId: string, key: string): Promise<string> => {
    const reportId = await make.citizenReport(vigil, orgId, key);
    const r = await owner.call('POST', `/api/citizen-reports/${reportId}/work-order`, { dueDate: '2099-01-01', instructions: fresh('Clean the wall') });
    return idIn(ok(r, 'work order'), 'workOrderId');
  },
  /** A stakeholder of the caller's organisation (engagement lane). */
  stakeholder: async (owner: Caller): Promise<string> =>
    idIn(
      ok(
        await owner.call('POST', '/api/engagement/stakeholders', {
          name: fresh('Stakeholder'),
          kind: 'group',
          parentId: null,
          capacity: null,
          scale: 'city',
          sector: 'civil-society',
          categories: ['active'],
          stance: null,
          influence: 3,
          interest: 4,
          dimensions: { aims: 'a', challenges: 'c', potential: 'p', constraints: 'k', role: 'r', contributions: 'x' },
        }),
        'stakeholder',
      ),
      'stakeholderId',
    ),
  /** A consultation of the caller's organisation, open now (published unless `draft`), closed at once when `closed`. */
  consultation: async (owner: Caller, invited: string[], state: 'draft' | 'open' | 'closed' = 'open'): Promise<string> => {
    const now = Date.now();
    const id = idIn(
      ok(
        await owner.call('POST', '/api/engagement/consultations', {
          title: fresh('Consultation'),
          question: 'Should it be done?',
          information: 'What it is and what it costs.',
          invitedIds: invited,
          openToPublic: true,
          opensAt: new Date(now - 60_000).toISOString(),
          closesAt: new Date(now + 86_400_000).toISOString(),
        }),
        'consultation',
      ),
      'consultationId',
    );
    if (state !== 'draft') ok(await owner.call('POST', `/api/engagement/consultations/${id}/publish`), 'publish');
    if (state === 'closed') ok(await owner.call('POST', `/api/engagement/consultations/${id}/close`), 'close');
    return id;
  },
  grievance: async (owner: Caller, stakeholderId: string): Promise<string> =>
    idIn(
      ok(await owner.call('POST', '/api/engagement/grievances', { subject: fresh('Grievance'), text: 'It went wrong.', stakeholderId }), 'grievance'),
      'grievanceId',
    ),
  plan: async (owner: Caller, site: string): Promise<string> =>
    idIn(
      ok(
        await owner.call('POST', '/api/alarms/plans', {
          name: fresh('plan'),
          kinds: ['burglary'],
          siteIds: [site],
          steps: [{ stepId: 'call', kind: 'call', text: 'Call the keyholder', mandatory: true }],
        }),
        'plan',
      ),
      'planId',
    ),
  incident: async (owner: Caller): Promise<string> =>
    idIn(
      ok(
        await owner.call('POST', '/api/incidents', {
          type: 'fire',
          title: fresh('Smoke'),
          position: POSITION,
          source: 'call',
          caller: { name: 'Camille Caller', phone: '+377 9999 0000' },
        }),
        'incident',
      ),
      'incidentId',
    ),
  /** An alarm from a camera of its own (a second alarm of one camera would be correlated with the first). */
  alarm: async (owner: Caller, site: string): Promise<string> => {
    const camera = fresh('cam');
    ok(await owner.call('POST', '/api/city/devices', { devices: [{ id: camera, kind: 'camera', label: camera, siteId: site, position: POSITION }] }), 'camera');
    const before = new Set<string>(((await owner.call('GET', '/api/alarms')).json.alarms ?? []).map((a: { alarmId: string }) => a.alarmId));
    ok(await owner.call('POST', '/api/alarms/webhooks/camera', { cameraId: camera, event: 'intrusion' }), 'camera alarm');
    const after = ((await owner.call('GET', '/api/alarms')).json.alarms ?? []) as { alarmId: string }[];
    const added = after.find((a) => !before.has(a.alarmId));
    assert.ok(added, `no alarm raised by ${camera}`);
    return added.alarmId;
  },
  webhook: async (owner: Caller): Promise<string> =>
    idIn(
      ok(await owner.call('POST', '/api/alerts/webhooks', { name: fresh('hook'), url: 'https://hooks.example.org/vigil', events: ['issued'] }), 'webhook'),
      'webhookId',
    ),
  eventWebhook: async (owner: Caller): Promise<string> =>
    idIn(
      ok(
        await owner.call('POST', '/api/webhooks', {
          name: fresh('events'),
          url: 'https://hooks.example.org/events',
          eventTypes: ['incidents.incident.opened'],
          roles: ['admin'],
        }),
        'event webhook',
      ),
      'subscriptionId',
    ),
  /** A CAP webhook of the owner with one test delivery in its log: "webhookId deliveryId". */
  webhookDelivery: async (owner: Caller): Promise<string> => {
    const id = await make.webhook(owner);
    const d = ok(await owner.call('POST', `/api/alerts/webhooks/${id}/test`), 'webhook test');
    return `${id} ${(d.json as { delivery: { deliveryId: string } }).delivery.deliveryId}`;
  },
  /** An event webhook of the owner with one test delivery in its log: "subscriptionId deliveryId". */
  eventWebhookDelivery: async (owner: Caller): Promise<string> => {
    const id = await make.eventWebhook(owner);
    const d = ok(await owner.call('POST', `/api/webhooks/${id}/test`), 'event webhook test');
    return `${id} ${(d.json as { delivery: { deliveryId: string } }).delivery.deliveryId}`;
  },
  imported: async (owner: Caller): Promise<string> =>
    idIn(ok(await owner.call('POST', '/api/alerts/import', agencyAlert({ id: fresh('IMP') }), 'application/cap+xml'), 'imported alert'), 'alertId'),
  signer: async (owner: Caller): Promise<string> =>
    idIn(
      ok(
        await owner.call('POST', '/api/alerts/signers', {
          sender: `${fresh('sender')}@agency.example`,
          name: fresh('signer'),
          pem: generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        }),
        'trusted signer',
      ),
      'signerId',
    ),
  feed: async (owner: Caller): Promise<string> =>
    idIn(
      ok(await owner.call('POST', '/api/alerts/feeds', { name: fresh('feed'), url: `https://${fresh('feeds')}.agency.invalid/cap.atom` }), 'feed'),
      'feedId',
    ),
  closure: async (owner: Caller): Promise<string> =>
    idIn(
      ok(
        await owner.call('POST', '/api/routing/closures', {
          geometry: {
            type: 'LineString',
            coordinates: [
              [7.42, 43.73],
              [7.421, 43.731],
            ],
          },
          reason: fresh('works'),
        }),
        'closure',
      ),
      'closureId',
    ),
  apiKey: async (owner: Caller): Promise<string> =>
    idIn(ok(await owner.call('POST', '/api/identity/api-keys', { name: fresh('key'), roles: ['operator'] }), 'api key'), 'id'),
  feature: async (owner: Caller, eventId: string): Promise<string> =>
    idIn(
      ok(
        await owner.call('POST', `/api/events/${eventId}/features`, {
          name: fresh('gate'),
          kind: 'gate',
          geometry: { type: 'Point', coordinates: POSITION },
          minClearance: 1,
        }),
        'feature',
      ),
      'featureId',
    ),
  device: async (owner: Caller, site: string): Promise<string> => {
    const id = fresh('det');
    ok(await owner.call('POST', '/api/city/devices', { devices: [{ id, kind: 'smoke-detector', label: id, siteId: site, position: POSITION }] }), 'device');
    return id;
  },
  share: async (owner: Caller, toOrgId: string): Promise<string> => {
    const r = ok(await owner.call('POST', '/api/identity/shares', { toOrgId, rights: 'read', note: fresh('share') }), 'share');
    return idIn(r, 'id');
  },
};

/** Starts nothing: takes a running node, seeds the world over its API. */
export async function seedWorld(vigil: RunningVigil, beforeResources: (people: World) => Promise<void> = async () => undefined): Promise<World> {
  const identity = vigil.capabilities.identity.service;
  const origin = `http://127.0.0.1:${(vigil.server.app.server.address() as { port: number }).port}`;
  const orgId = {} as Record<OrgKey, string>;
  for (const o of ORGS) orgId[o.key] = (await identity.createOrg({ name: o.name, kind: o.kind as 'city', platform: o.platform ?? false }, 'system')).id;
  const user = async (username: string, org: OrgKey, roles: Role[]): Promise<void> => {
    await identity.createUser({ username, orgId: orgId[org], roles, password: PASSWORD, displayName: username }, 'system');
  };
  const owner = {} as Record<OrgKey, Caller>;
  for (const o of ORGS) {
    await user(
      `${o.key}-all`,
      o.key,
      ALL_ROLES.filter((r) => CEILING[o.kind]!.includes(r)),
    );
    owner[o.key] = await signIn(vigil, origin, `${o.key}-all`, null, o.key);
  }
  const police = {} as Record<Role, Caller>;
  const apiKeys: Caller[] = [];
  const city = {} as Record<Role, Caller>;
  for (const role of ROLES) {
    await user(`city-${role}`, 'city', [role]);
    city[role] = await signIn(vigil, origin, `city-${role}`, role, 'city');
    // The police hold no csirt (the city's CERT): the csirt caller is the city's, reading every organisation's records.
    if (!CEILING.police!.includes(role)) {
      police[role] = city[role];
      continue;
    }
    await user(`police-${role}`, 'police', [role]);
    police[role] = await signIn(vigil, origin, `police-${role}`, role, 'police');
  }
  for (const role of ['operator', 'admin'] as const) {
    const created = ok(await owner.police.call('POST', '/api/identity/api-keys', { name: `table ${role}`, roles: [role] }), 'api key');
    apiKeys.push(caller(vigil, origin, `police/apikey(${role})`, role, 'police', null, created.json.key as string));
  }
  // Shares to the police: the fire service to act, the monitoring centre to read.
  ok(await owner.fire.call('POST', '/api/identity/shares', { toOrgId: orgId.police, rights: 'act', note: 'mutual aid' }), 'share fire→police');
  ok(await owner.ems.call('POST', '/api/identity/shares', { toOrgId: orgId.police, rights: 'read', note: 'casualty picture' }), 'share ems→police');
  ok(await owner.marc.call('POST', '/api/identity/shares', { toOrgId: orgId.police, rights: 'read', note: 'alarm visibility' }), 'share marc→police');
  // The police share with the organiser (the police read nothing back from it).
  ok(await owner.police.call('POST', '/api/identity/shares', { toOrgId: orgId.organiser, rights: 'read', note: 'event security' }), 'share police→organiser');

  // The city names the owners of the table alerting authorities for the harbour (weather, the CAP feed): their alert officers may issue.
  for (const key of ['police', 'fire', 'ems', 'neighbour'] as const) {
    ok(
      await owner.city.call('PUT', `/api/alerts/authorities/${orgId[key]}`, {
        areas: [
          {
            name: 'Table harbour',
            polygon: [
              [7.4, 43.72],
              [7.44, 43.72],
              [7.44, 43.74],
              [7.4, 43.74],
              [7.4, 43.72],
            ],
          },
        ],
        categories: ['Met'],
        channels: ['cap-feed'],
        reason: 'policy table',
      }),
      `${key} authority to alert`,
    );
  }
  const owned = {} as World['owned'];
  const world: World = {
    vigil,
    origin,
    orgId,
    police,
    city,
    public: caller(vigil, origin, 'public', null, null, null),
    owner,
    owned,
    subscriberToken: '',
    agreement: '',
    apiKeys,
  };
  await beforeResources(world);
  let n = 0;
  for (const key of ['police', 'fire', 'ems', 'neighbour'] as const) {
    n++;
    const o = owner[key];
    const site = `site-${key}`;
    await vigil.capabilities.city.service.registerSites(
      [
        {
          id: site,
          name: `${key} HQ`,
          category: 'office' as never,
          position: POSITION,
          footprintM2: null,
          levels: null,
          address: `${n} Rue ${key}`,
          buildingType: null,
          source: 'table',
        },
      ],
      orgId.city,
      'system',
    );
    const account = `${n}${n}${n}${n}`;
    ok(
      await o.call('POST', '/api/city/devices', {
        devices: [
          { id: `cam-${key}`, kind: 'camera', label: `Camera ${key}`, siteId: site, position: POSITION },
          { id: `panel-${key}`, kind: 'alarm-panel', label: `Panel ${key}`, siteId: site, position: POSITION, account, protocol: 'sia-dc09' },
          { id: `gauge-${key}`, kind: 'water-level-sensor', label: `Gauge ${key}`, siteId: site, position: POSITION },
        ],
      }),
      `${key} devices`,
    );
    // An MQTT device with its credential (the live feed tells its stewards, never the secret).
    ok(
      await o.call('POST', '/api/city/devices', {
        devices: [{ id: `mqtt-${key}`, kind: 'water-level-sensor', label: `MQTT gauge ${key}`, siteId: site, position: POSITION, protocol: 'mqtt' }],
      }),
      `${key} MQTT device`,
    );
    ok(await o.call('POST', `/api/city/devices/mqtt-${key}/mqtt-credential`), `${key} MQTT credential`);
    ok(await o.call('POST', '/api/city/zones', { zones: [{ id: `zone-${key}`, siteId: site, number: 1, name: 'Hall' }] }), `${key} zones`);
    ok(await o.call('PUT', `/api/alarms/accounts/${account}`, { supervisionSeconds: null }), `${key} account`);
    ok(await o.call('PUT', `/api/alarms/keyholders/${site}`, { keyholders: [{ name: `Kim Keyholder ${key}`, phone: '+377 9300 0000' }] }), `${key} keyholders`);
    const alarm = await make.alarm(o, site);
    const plan = await make.plan(o, site);
    const unit = idIn(
      ok(
        await o.call('POST', '/api/units', {
          callSign: `${key.toUpperCase()}-1`,
          kind: 'police-car',
          capabilities: ['law-enforcement', 'fire-suppression'],
          homePosition: POSITION,
        }),
        `${key} unit`,
      ),
      'unitId',
    );
    const incident = await make.incident(o);
    ok(await o.call('POST', `/api/incidents/${incident}/messages`, { channel: 'internal', text: `internal note of ${key}` }), `${key} message`);
    ok(await o.call('POST', `/api/incidents/${incident}/messages`, { channel: 'public', text: `public note of ${key}` }), `${key} public message`);
    const attachment = idIn(
      ok(
        await o.call('POST', `/api/incidents/${incident}/attachments?name=note-${key}.txt`, Buffer.from(`attachment bytes of ${key}`), 'text/plain'),
        `${key} attachment`,
      ),
      'attachmentId',
    );
    const alert = idIn(ok(await o.call('POST', '/api/alerts', alertBody(`Harbour flood watch ${key}`)), `${key} alert`), 'alertId');
    const rule = idIn(ok(await o.call('POST', '/api/alerts/rules', ruleBody(`gauge-${key}`)), `${key} rule`), 'ruleId');
    const webhook = await make.webhook(o);
    const [imported, signer, feed] = [await make.imported(o), await make.signer(o), await make.feed(o)];
    const crowdZone = idIn(
      ok(await o.call('POST', '/api/crowd/zones', { name: `Square ${key}`, polygon: polygonAround(POSITION) }), `${key} crowd zone`),
      'zoneId',
    );
    const gate = idIn(ok(await o.call('POST', '/api/crowd/gates', { name: `Gate ${key}`, position: POSITION, inside: crowdZone }), `${key} gate`), 'gateId');
    const now = Date.now();
    const majorEvent = idIn(
      ok(
        await o.call('POST', '/api/events', {
          name: `Festival ${key}`,
          startsAt: new Date(now - 3_600_000).toISOString(),
          endsAt: new Date(now + 86_400_000).toISOString(),
        }),
        `${key} event`,
      ),
      'eventId',
    );
    const feature = await make.feature(o, majorEvent);
    if (key === 'police') ok(await o.call('PUT', `/api/events/${majorEvent}/participants`, { members: EVENT_OFFICERS }), 'event officers');
    const closure = await make.closure(o);
    const apiKey = await make.apiKey(o);
    await user(`${key}-target`, key, ['operator']);
    const targetUser = [...identity.state.users.values()].find((u) => u.username === `${key}-target`)!.id;
    const securityCase = idIn(ok(await city.csirt.call('POST', '/api/csirt/cases', { title: `Case ${key}`, orgId: orgId[key] }), `${key} case`), 'caseId');
    const securityTask = idIn(ok(await city.csirt.call('POST', `/api/csirt/cases/${securityCase}/tasks`, { title: `Task ${key}` }), `${key} task`), 'taskId');
    const advised = ok(
      await city.csirt.call('POST', `/api/csirt/cases/${securityCase}/advisories`, { orgId: orgId[key], title: `Advisory ${key}`, body: 'patch' }),
      `${key} advisory`,
    );
    const advisory = (advised.json.case.advisories as { advisoryId: string }[])[0]!.advisoryId;
    const securityArtefact = idIn(
      ok(
        await city.csirt.call('POST', `/api/csirt/cases/${securityCase}/artefacts?name=log-${key}.txt`, `kernel log of ${key}`, 'text/plain'),
        `${key} artefact`,
      ),
      'artefactId',
    );
    const eventWebhook = await make.eventWebhook(o);
    owned[key] = {
      securityCase,
      securityTask,
      advisory,
      securityArtefact,
      eventWebhook,
      orgId: orgId[key],
      site,
      camera: `cam-${key}`,
      panel: `panel-${key}`,
      gauge: `gauge-${key}`,
      account,
      alarm,
      plan,
      unit,
      incident,
      attachment,
      alert,
      rule,
      webhook,
      imported,
      signer,
      feed,
      crowdZone,
      gate,
      majorEvent,
      feature,
      closure,
      apiKey,
      targetUser,
      citizenReport: await make.citizenReport(vigil, orgId[key], key),
      workOrder: await make.workOrder(vigil, o, orgId[key], key),
      ...(await engagementOf(o, key, caller(vigil, origin, 'public', null, null, null))),
    };
  }
  const sub = await caller(vigil, origin, 'public', null, null, null).call('POST', '/api/public/subscribers', {
    language: 'en-GB',
    email: 'sam@example.org',
    consent: true,
    locations: [{ kind: 'home', lat: POSITION[1], lon: POSITION[0] }],
  });
  ok(sub, 'subscriber');
  world.subscriberToken = sub.json.token;
  // No city was imported (no areas): the agreement routes are walked with an id that answers 404, which the gate check tells apart.
  world.agreement = 'agr_none';
  await identity.createUser({ username: 'table-login', orgId: orgId.organiser, roles: ['operator'], password: PASSWORD }, 'system');
  return world;
}
