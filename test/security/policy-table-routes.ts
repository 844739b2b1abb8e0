import { generateKeyPairSync } from 'node:crypto';
import {
  EVENT_OFFICERS,
  alertBody,
  fresh,
  make,
  PASSWORD,
  POSITION,
  polygonAround,
  ruleBody,
  type Caller,
  type OrgKey,
  type OwnerKey,
  type Owned,
  type Relation,
  type Res,
  type Role,
  type World,
} from './policy-fixtures.js';
import { HAVE_DOC } from '../support/edxl-fixtures.js';

/*
 * The expected answers, by hand, from the rules (issue 12 and docs/security.md):
 *   read      own, shared-act, shared-read          (unrelated: 404, lists filtered)
 *   act       own, shared-act                       handle alarms, incident status/messages, unit status/GPS, dispatch
 *   manage    own only                              accounts, devices, zones, plans, cameras, users, keys, shares, rules, webhooks
 *   personal  own only                              keyholders, caller identity, need-help places, attachments, subscribers
 *   personal-to-act  own, shared-act               the keyholders and caller a partner acting on the case must call
 *                                                  (docs/security.md, "The policy": a shared-act partner reads these two classes)
 *   event     own only                              major events are shared by naming participants, not by organisation shares
 *   city-wide data: any signed-in principal reads it; only the platform organisation (the city) writes it.
 */
export type Action = 'read' | 'act' | 'manage' | 'personal' | 'personal-to-act' | 'event' | 'security';

export const MAY: Record<Action, Record<Relation, boolean>> = {
  read: { own: true, 'shared-act': true, 'shared-read': true, unrelated: false },
  act: { own: true, 'shared-act': true, 'shared-read': false, unrelated: false },
  manage: { own: true, 'shared-act': false, 'shared-read': false, unrelated: false },
  personal: { own: true, 'shared-act': false, 'shared-read': false, unrelated: false },
  'personal-to-act': { own: true, 'shared-act': true, 'shared-read': false, unrelated: false },
  event: { own: true, 'shared-act': false, 'shared-read': false, unrelated: false },
  /** Security-confidential (CSIRT cases, advisories): the owner only, shares do not open them; the city's CSIRT besides (`mayAsCsirt`). */
  security: { own: true, 'shared-act': false, 'shared-read': false, unrelated: false },
};

/** The city's CSIRT reads and acts on every organisation's security data (docs/security.md); the route's gate still decides. */
export const mayAsCsirt = (action: Action | 'city', role: Role): boolean => action === 'security' && role === 'csirt';

/** Which owners' items a list shows the police: the organisations it may read. */
export const LISTED: Record<Action, OrgKey[]> = {
  read: ['police', 'fire', 'ems'],
  act: ['police', 'fire'],
  manage: ['police'],
  personal: ['police'],
  'personal-to-act': ['police', 'fire'],
  event: ['police'],
  security: ['police'],
};

export interface Target {
  o: Owned;
  key: OrgKey;
  w: World;
  rel: Relation;
  /** What `fresh` created for this call (routes that destroy or transfer what they act on). */
  fresh: string | null;
}
interface Req {
  method?: string;
  url: string;
  payload?: unknown;
  contentType?: string;
}
type Gate = 'public' | 'authenticated' | readonly Role[];
interface Common {
  /** The route's role gate, as registered (checked against GET /api/routes). */
  gate: Gate;
  /** The route demands a second factor (checked against GET /api/routes). */
  mfa?: true;
  /** Narrower than the gate: the roles the rules let do this (only an event's officers draw on its map). */
  roles?: readonly Role[];
  /** Narrower still on some relations (taking over a partner's incident is for command roles). */
  rolesOn?: Partial<Record<Relation, readonly Role[]>>;
  req(t: Target): Req;
  /** A further check of an allowed answer: a problem, or null. */
  check?(r: Res, t: Target, c: Caller): string | null;
}
/** On a resource owned by another organisation: called once per relation. */
interface OrgRow extends Common {
  kind: 'org';
  action: Action;
  fresh?(w: World, owner: OrgKey): Promise<string>;
}
/** No owned resource (the caller's own data, computations, public pages): the gate decides. 'list': and which organisations' items come back. */
interface PlainRow extends Common {
  kind: 'plain' | 'list' | 'city-write';
  /** Refused, for routes whose own answer is 401/403 when allowed (sign-in with a wrong password). */
  refused?(r: Res): boolean;
}
export type Row = OrgRow | PlainRow;

const R = {
  alarmView: ['operator', 'supervisor', 'commander', 'admin'],
  alarmHandle: ['operator', 'supervisor'],
  stewards: ['supervisor', 'admin'],
  alertView: ['alert-officer', 'admin', 'commander', 'analyst'],
  officer: ['alert-officer'],
  officerAdmin: ['alert-officer', 'admin'],
  dispatch: ['operator', 'supervisor', 'commander', 'admin'],
  unitView: ['operator', 'supervisor', 'commander', 'responder', 'admin'],
  unitCreate: ['commander', 'supervisor', 'admin'],
  unitOps: ['operator', 'supervisor', 'commander', 'admin'],
  incView: ['operator', 'supervisor', 'commander', 'responder', 'alert-officer', 'admin'],
  incComms: ['operator', 'supervisor', 'commander', 'responder', 'admin'],
  evView: ['commander', 'responder', 'supervisor', 'operator', 'admin'],
  evCmd: ['commander', 'admin'],
  evTimeline: ['commander', 'supervisor', 'admin'],
  crowdDefine: ['commander', 'supervisor', 'admin'],
  crowdCount: ['operator', 'supervisor', 'commander', 'admin'],
  crowdOps: ['operator', 'supervisor', 'commander'],
  audit: ['admin', 'supervisor', 'csirt'],
  devSec: ['csirt', 'supervisor', 'admin'],
  devSecIntel: ['csirt', 'admin'],
  cockpit: ['analyst', 'admin'],
  admin: ['admin'],
  metrics: ['admin', 'supervisor'],
  csirt: ['csirt'],
  csirtRead: ['csirt', 'admin', 'supervisor'],
  advisoryConfirm: ['admin', 'supervisor'],
  triage: ['operator', 'supervisor', 'commander', 'responder', 'admin'],
  exchangeWatch: ['admin', 'supervisor', 'commander', 'operator'],
  rmSend: ['commander', 'supervisor', 'admin'],
  hospitalReport: ['admin', 'supervisor', 'commander'],
  engage: ['admin', 'analyst'],
} as const satisfies Record<string, readonly Role[]>;

const org = (action: Action, gate: Gate, req: (t: Target) => Req, extra: Partial<OrgRow> = {}): OrgRow => ({ kind: 'org', action, gate, req, ...extra });
const plain = (gate: Gate, req: (t: Target) => Req, extra: Partial<PlainRow> = {}): PlainRow => ({ kind: 'plain', gate, req, ...extra });
const cityWrite = (gate: Gate, req: (t: Target) => Req): PlainRow => ({ kind: 'city-write', gate, req });
const get = (url: string) => (): Req => ({ url });

/** A list row: the items' owning organisations (by `orgOf`) must be exactly those the police may `action`. */
function list(action: Action, gate: Gate, url: string, items: (json: Res['json']) => { orgId: string | null }[], roles?: readonly Role[]): PlainRow {
  return {
    kind: 'list',
    gate,
    ...(roles ? { roles } : {}),
    req: () => ({ url }),
    check: (r, t, c) => {
      const byOrg = new Map(Object.entries(t.w.orgId).map(([k, id]) => [id, k]));
      const seen = new Set(items(r.json).map((i) => byOrg.get(i.orgId ?? '') ?? 'other'));
      const fixtures = new Set<string>(['police', 'fire', 'ems', 'neighbour']);
      const got = [...seen].filter((k) => fixtures.has(k)).sort();
      const want = c.org === 'police' ? [...LISTED[action]].sort() : [];
      return JSON.stringify(got) === JSON.stringify(want) ? null : `lists the items of ${got.join(', ') || 'nobody'}, expected ${want.join(', ')}`;
    },
  };
}

/** A list of security-confidential items: the police see their own organisation's, the city's CSIRT every organisation's. */
function securityList(url: string, items: (json: Res['json']) => { orgId: string | null }[]): PlainRow {
  return {
    kind: 'list',
    gate: R.csirtRead,
    req: () => ({ url }),
    check: (r, t, c) => {
      const byOrg = new Map(Object.entries(t.w.orgId).map(([k, id]) => [id, k]));
      const fixtures = new Set<string>(['police', 'fire', 'ems', 'neighbour']);
      const got = [...new Set(items(r.json).map((i) => byOrg.get(i.orgId ?? '') ?? 'other'))].filter((k) => fixtures.has(k)).sort();
      const want = c.role === 'csirt' ? [...fixtures].sort() : c.org === 'police' ? ['police'] : [];
      return JSON.stringify(got) === JSON.stringify(want) ? null : `lists the items of ${got.join(', ') || 'nobody'}, expected ${want.join(', ')}`;
    },
  };
}

/** An answer that must not carry these strings (personal data or internal messages of other organisations). */
const without =
  (...forbidden: ((t: Target) => string | null)[]) =>
  (r: Res, t: Target): string | null => {
    for (const f of forbidden) {
      const s = f(t);
      if (s && r.body.includes(s)) return `answer carries "${s}"`;
    }
    return null;
  };
/** Personal data of the owner, unless the relation is own. */
const theirCaller = (t: Target) => (MAY['personal-to-act'][t.rel] ? null : 'Camille Caller');
const theirKeyholder = (t: Target) => (MAY['personal-to-act'][t.rel] ? null : `Kim Keyholder ${t.key}`);
const theirInternal = (t: Target) => (MAY.act[t.rel] ? null : `internal note of ${t.key}`);
const theirAttachment = (t: Target) => (t.rel === 'own' ? null : `note-${t.key}.txt`);

const incidentOf = async (w: World, owner: OrgKey) => make.incident(w.owner[owner]);
/** An incident of the owner with one of its units dispatched to it: "incidentId unitId". */
const assignedIncident = async (w: World, owner: OrgKey): Promise<string> => {
  const o = w.owner[owner];
  const incident = await make.incident(o);
  const unit = (await o.call('POST', '/api/units', { callSign: fresh('U'), kind: 'police-car', capabilities: ['law-enforcement'], homePosition: POSITION }))
    .json.unit.unitId;
  const d = await o.call('POST', `/api/incidents/${incident}/dispatch`, { unitId: unit, overrideReason: 'table' });
  if (d.status >= 300) throw new Error(`dispatch for the table: ${d.body}`);
  return `${incident} ${unit}`;
};

/** A fresh MQTT device of the owner. */
const mqttDevice = async (w: World, owner: OrgKey): Promise<string> => {
  const id = fresh('mqtt-gauge');
  const r = await w.owner[owner].call('POST', '/api/city/devices', {
    devices: [{ id, kind: 'water-level-sensor', label: id, siteId: `site-${owner}`, position: POSITION, protocol: 'mqtt' }],
  });
  if (r.status >= 300) throw new Error(`MQTT device for the table: ${r.body}`);
  return id;
};
/** A fresh device of the owner holding an MQTT credential (its owner issued it). */
const deviceWithCredential = async (w: World, owner: OrgKey): Promise<string> => {
  const id = await mqttDevice(w, owner);
  const r = await w.owner[owner].call('POST', `/api/city/devices/${id}/mqtt-credential`);
  if (r.status >= 300) throw new Error(`credential for the table: ${r.body}`);
  return id;
};

export const EXPECTED: Record<string, Row> = {
  // platform
  'GET /api/health': plain('public', get('/api/health')),
  // The demo's own mail catcher and SMSC (a demo node on loopback): their inboxes, for administrators.
  'GET /api/demo/inbox': plain(R.admin, get('/api/demo/inbox')),
  'GET /api/openapi.json': plain('public', get('/api/openapi.json')),
  'GET /api/routes': plain(R.admin, get('/api/routes')),
  'GET /metrics': plain(R.metrics, get('/metrics')),
  // The live feed is walked by policy-table-live.ts; here: its gate.
  'GET /api/live': plain('authenticated', get('/api/live'), { refused: (r) => r.status === 401 || r.status === 403 }),

  // sign-in and the caller's own account
  'POST /api/auth/login': plain('public', () => ({ url: '/api/auth/login', payload: { username: 'table-login', password: PASSWORD } })),
  'POST /api/auth/logout': plain('authenticated', () => ({ url: '/api/auth/logout' })),
  'GET /api/auth/me': plain('authenticated', get('/api/auth/me')),
  // Signed in or not is an answer (the UI asks at start without a 401 in the console).
  'GET /api/auth/session': plain('public', get('/api/auth/session')),
  'POST /api/auth/password': plain(
    'authenticated',
    () => ({ url: '/api/auth/password', payload: { currentPassword: 'not the password', newPassword: 'another long password' } }),
    {
      refused: (r) => (r.status === 401 || r.status === 403) && !/current password/i.test(r.body),
    },
  ),
  'POST /api/auth/totp/enroll': plain('authenticated', () => ({ url: '/api/auth/totp/enroll' }), {
    refused: (r) => r.status === 401 || (r.status === 403 && /route is for/.test(r.body)),
  }),
  'POST /api/auth/totp/confirm': plain('authenticated', () => ({ url: '/api/auth/totp/confirm', payload: { code: '000000' } }), {
    refused: (r) => r.status === 401 && /sign in|session/i.test(r.body),
  }),

  // passkeys and the sign-in options (signin lane): public to start a sign-in, the caller's own factors otherwise
  'GET /api/auth/options': plain('public', get('/api/auth/options')),
  'POST /api/auth/passkeys/login/options': plain('public', () => ({ url: '/api/auth/passkeys/login/options', payload: {} }), {
    refused: (r) => r.status === 403,
  }),
  // A made-up assertion: refused for what it is (400/401), never by a gate.
  'POST /api/auth/passkeys/login': plain('public', () => ({ url: '/api/auth/passkeys/login', payload: { response: { id: 'none' } } }), {
    refused: (r) => r.status === 403,
  }),
  // An API key has no second factors: past the gate, it is told so (403 of its own, not the gate's).
  'GET /api/auth/factors': plain('authenticated', get('/api/auth/factors'), {
    refused: (r) => r.status === 401 || (r.status === 403 && /route is for/.test(r.body)),
  }),
  'POST /api/auth/passkeys/register/options': plain('authenticated', () => ({ url: '/api/auth/passkeys/register/options', payload: {} }), {
    refused: (r) => r.status === 401 || (r.status === 403 && /route is for/.test(r.body)),
  }),
  'POST /api/auth/passkeys/register': plain('authenticated', () => ({ url: '/api/auth/passkeys/register', payload: { response: { id: 'none' } } }), {
    refused: (r) => r.status === 401 || (r.status === 403 && /route is for/.test(r.body)),
  }),
  // Removing a factor needs the second factor (an id that is nobody's answers 404, past the gate).
  'DELETE /api/auth/passkeys/:id': plain('authenticated', () => ({ url: '/api/auth/passkeys/none' }), { mfa: true }),

  // identity: organisations, users, keys, shares
  // Each organisation with its role ceiling (what its admin may grant).
  'GET /api/identity/orgs': plain('authenticated', get('/api/identity/orgs'), {
    check: (r) => (r.body.includes('roleCeiling') ? null : 'the organisations come without their role ceiling'),
  }),
  'POST /api/identity/orgs': cityWrite(R.admin, () => ({ url: '/api/identity/orgs', payload: { name: fresh('Org'), kind: 'other' } })),
  'GET /api/identity/users': list('manage', R.admin, '/api/identity/users', (j) => j.users),
  'POST /api/identity/users': org('manage', R.admin, (t) => ({
    url: '/api/identity/users',
    payload: { username: fresh('u'), orgId: t.o.orgId, roles: ['operator'], password: 'a long enough password' },
  })),
  'PUT /api/identity/users/:id/roles': org('manage', R.admin, (t) => ({
    url: `/api/identity/users/${t.o.targetUser}/roles`,
    payload: { roles: ['operator'] },
  })),
  'PUT /api/identity/users/:id/disabled': org('manage', R.admin, (t) => ({
    url: `/api/identity/users/${t.o.targetUser}/disabled`,
    payload: { disabled: false },
  })),
  'GET /api/identity/api-keys': list('manage', R.admin, '/api/identity/api-keys', (j) => j.apiKeys),
  // Creating a key needs a second factor: an API key (no second factor) may not.
  'POST /api/identity/api-keys': org(
    'manage',
    R.admin,
    (t) => ({
      url: '/api/identity/api-keys',
      payload: { name: fresh('k'), roles: ['operator'], orgId: t.o.orgId },
    }),
    { mfa: true },
  ),
  'DELETE /api/identity/api-keys/:id': org('manage', R.admin, (t) => ({ url: `/api/identity/api-keys/${t.fresh ?? t.o.apiKey}` }), {
    fresh: (w, owner) => make.apiKey(w.owner[owner]),
  }),
  'GET /api/identity/shares': plain(R.admin, get('/api/identity/shares'), {
    check: (r, t) => {
      const shares = r.json.shares as { fromOrgId: string; toOrgId: string }[];
      const police = t.w.orgId.police;
      return shares.every((s) => s.fromOrgId === police || s.toOrgId === police) && shares.length >= 3 ? null : 'lists shares the police are no party to';
    },
  }),
  'POST /api/identity/shares': org('manage', R.admin, (t) => ({
    url: '/api/identity/shares',
    payload: { fromOrgId: t.o.orgId, toOrgId: t.w.orgId.organiser, rights: 'read', note: fresh('s') },
  })),
  'DELETE /api/identity/shares/:id': org('manage', R.admin, (t) => ({ url: `/api/identity/shares/${t.fresh ?? 'shr_none'}` }), {
    fresh: (w, owner) => make.share(w.owner[owner], w.orgId.organiser),
  }),

  // city
  'GET /api/city': plain('public', get('/api/city')),
  'GET /api/city/areas': plain('public', get('/api/city/areas')),
  'GET /api/city/basemap/:layer': plain('public', get('/api/city/basemap/buildings')),
  'GET /api/city/sites': plain('authenticated', get('/api/city/sites')),
  'POST /api/city/population': cityWrite(R.admin, () => ({ url: '/api/city/population', payload: { total: 1000, source: 'policy table' } })),
  'GET /api/city/devices': list('read', 'authenticated', '/api/city/devices', (j) => j.devices),
  'POST /api/city/zones': org('manage', R.stewards, (t) => ({
    url: '/api/city/zones',
    payload: { zones: [{ id: `zone-${t.key}`, siteId: t.o.site, number: 1, name: 'Hall' }] },
  })),
  'POST /api/city/devices': org('manage', R.stewards, (t) => ({
    url: '/api/city/devices',
    payload: { devices: [{ id: t.o.camera, kind: 'camera', label: `Camera ${t.key}`, siteId: t.o.site, position: POSITION }] },
  })),
  'POST /api/city/devices/remove': org('manage', R.stewards, (t) => ({ url: '/api/city/devices/remove', payload: { deviceIds: [t.fresh ?? t.o.gauge] } }), {
    fresh: (w, owner) => make.device(w.owner[owner], w.owned[owner as 'police'].site),
  }),
  'POST /api/city/imports': cityWrite(R.admin, () => ({
    url: '/api/city/imports?name=table.osm',
    payload: '<osm version="0.6"></osm>',
    contentType: 'application/octet-stream',
  })),
  // An import's progress is the platform's business, like the import.
  'GET /api/city/imports/:id': { ...cityWrite(R.admin, get('/api/city/imports/imp_none')), refused: (r) => r.status === 401 || r.status === 403 },

  // alarms
  'GET /api/alarms': list('read', R.alarmView, '/api/alarms', (j) => j.alarms),
  'GET /api/alarms/stats': plain(R.alarmView, get('/api/alarms/stats')),
  'GET /api/alarms/false-alarms': plain(R.alarmView, get('/api/alarms/false-alarms')),
  'GET /api/alarms/:id': org('read', R.alarmView, (t) => ({ url: `/api/alarms/${t.o.alarm}` }), { check: without(theirKeyholder) }),
  'POST /api/alarms/:id/claim': org('act', R.alarmHandle, (t) => ({ url: `/api/alarms/${t.o.alarm}/claim` })),
  'POST /api/alarms/:id/acknowledge': org('act', R.alarmHandle, (t) => ({ url: `/api/alarms/${t.o.alarm}/acknowledge` })),
  'POST /api/alarms/:id/steps/:stepId': org('act', R.alarmHandle, (t) => ({ url: `/api/alarms/${t.o.alarm}/steps/call`, payload: { outcome: 'called' } })),
  // Configuration is read where the organisation's data is (partners handle alarms by its plans), changed only by the owner.
  'GET /api/alarms/plans': list('read', R.alarmView, '/api/alarms/plans', (j) => j.plans),
  'POST /api/alarms/plans': org('manage', R.stewards, (t) => ({
    url: '/api/alarms/plans',
    payload: {
      planId: t.o.plan,
      name: fresh('plan'),
      kinds: ['burglary'],
      siteIds: [t.o.site],
      steps: [{ stepId: 'call', kind: 'call', text: 'Call', mandatory: true }],
    },
  })),
  'DELETE /api/alarms/plans/:id': org('manage', R.stewards, (t) => ({ url: `/api/alarms/plans/${t.fresh ?? t.o.plan}` }), {
    fresh: (w, owner) => make.plan(w.owner[owner], w.owned[owner as 'police'].site),
  }),
  // Keyholders are per organisation and site: each reads and sets its own, whoever's site it is.
  'GET /api/alarms/keyholders/:siteId': plain(R.alarmView, get('/api/alarms/keyholders/site-fire'), { check: without(() => 'Kim Keyholder fire') }),
  'PUT /api/alarms/keyholders/:siteId': plain(R.stewards, () => ({
    url: '/api/alarms/keyholders/site-police',
    payload: { keyholders: [{ name: 'Kim Keyholder police', phone: '+377 9300 0000' }] },
  })),
  'POST /api/alarms/:id/close': org('act', R.alarmHandle, (t) => ({ url: `/api/alarms/${t.o.alarm}/close`, payload: { resolution: 'test' } })),
  'POST /api/alarms/webhooks/camera': org('act', R.alarmHandle, (t) => ({
    url: '/api/alarms/webhooks/camera',
    payload: { cameraId: t.o.camera, event: 'loitering' },
  })),
  'GET /api/alarms/accounts': list('read', R.stewards, '/api/alarms/accounts', (j) => j.accounts),
  'PUT /api/alarms/accounts/:account': org('manage', R.stewards, (t) => ({
    url: `/api/alarms/accounts/${t.o.account}`,
    payload: { supervisionSeconds: null },
  })),

  // alerts
  'GET /api/alerts': list('read', R.alertView, '/api/alerts', (j) => j.alerts),
  'POST /api/alerts': plain(R.officer, () => ({ url: '/api/alerts', payload: alertBody('Table draft') })),
  'POST /api/alerts/import': plain(R.officer, () => ({ url: '/api/alerts/import', payload: '<alert/>', contentType: 'application/xml' })),
  'GET /api/alerts/feed.atom': plain('public', get('/api/alerts/feed.atom')),
  'GET /api/alerts/public/:id/cap.xml': plain('public', (t) => ({ url: `/api/alerts/public/${t.o.alert}/cap.xml` })),
  'GET /api/alerts/templates': plain(R.alertView, get('/api/alerts/templates')),
  'GET /api/alerts/:id/preview': org('read', R.alertView, (t) => ({ url: `/api/alerts/${t.o.alert}/preview` })),
  'GET /api/alerts/public/:id/voice/:lang': plain('public', (t) => ({ url: `/api/alerts/public/${t.o.alert}/voice/en-GB` })),
  'GET /api/alerts/:id': org('read', R.alertView, (t) => ({ url: `/api/alerts/${t.o.alert}` })),
  'GET /api/alerts/:id/report': org('read', R.alertView, (t) => ({ url: `/api/alerts/${t.o.alert}/report` })),
  'GET /api/alerts/:id/recipients': org('read', R.alertView, (t) => ({ url: `/api/alerts/${t.o.alert}/recipients?channel=cap-feed` })),
  'GET /api/public/answers/:token': plain('public', get('/api/public/answers/no-such-token')),
  'POST /api/public/answers/:token': plain('public', () => ({ url: '/api/public/answers/no-such-token', payload: { answer: 'safe' } })),
  'GET /api/public/alerts': plain('public', get('/api/public/alerts')),
  'GET /api/public/push/key': plain('public', get('/api/public/push/key')),
  'GET /api/alerts/:id/cap.xml': org('read', R.alertView, (t) => ({ url: `/api/alerts/${t.o.alert}/cap.xml` })),
  // Writing, submitting, approving and ending an organisation's alert is its own (its authority to alert).
  'PUT /api/alerts/:id': org('manage', R.officer, (t) => ({ url: `/api/alerts/${t.o.alert}`, payload: alertBody(`Harbour flood watch ${t.key}`) })),
  'POST /api/alerts/:id/submit': org('manage', R.officer, (t) => ({ url: `/api/alerts/${t.o.alert}/submit` })),
  'POST /api/alerts/:id/approve': org('manage', R.officer, (t) => ({ url: `/api/alerts/${t.o.alert}/approve` })),
  'POST /api/alerts/:id/reject': org('manage', R.officer, (t) => ({ url: `/api/alerts/${t.o.alert}/reject`, payload: { reason: 'table' } })),
  'POST /api/alerts/:id/update': org('manage', R.officer, (t) => ({ url: `/api/alerts/${t.o.alert}/update` })),
  'POST /api/alerts/:id/cancel': org('manage', R.officer, (t) => ({ url: `/api/alerts/${t.o.alert}/cancel` })),
  'POST /api/public/subscribers': plain('public', () => ({
    url: '/api/public/subscribers',
    payload: { language: 'en-GB', email: 'someone@example.org', consent: true, locations: [{ kind: 'home', lat: POSITION[1], lon: POSITION[0] }] },
  })),
  'PUT /api/public/subscribers/:token': plain('public', (t) => ({
    url: `/api/public/subscribers/${t.w.subscriberToken}`,
    payload: { language: 'en-GB', email: 'sam@example.org', consent: true, locations: [{ kind: 'home', lat: POSITION[1], lon: POSITION[0] }] },
  })),
  'PUT /api/public/subscribers/:token/location': plain('public', (t) => ({
    url: `/api/public/subscribers/${t.w.subscriberToken}/location`,
    payload: { lat: POSITION[1], lon: POSITION[0] },
  })),
  'DELETE /api/public/subscribers/:token': plain('public', get('/api/public/subscribers/no-such-token')),
  'GET /api/alerts/:id/reach': org('read', R.alertView, (t) => ({ url: `/api/alerts/${t.o.alert}/reach` })),
  'GET /api/alerts/:id/channels': org('read', R.alertView, (t) => ({ url: `/api/alerts/${t.o.alert}/channels` })),
  'GET /api/alerts/webhooks': list('manage', R.officerAdmin, '/api/alerts/webhooks', (j) => j.webhooks),
  'POST /api/alerts/webhooks': plain(R.officerAdmin, () => ({
    url: '/api/alerts/webhooks',
    payload: { name: fresh('hook'), url: 'https://hooks.example.org/t', events: ['issued'] },
  })),
  'DELETE /api/alerts/webhooks/:id': org('manage', R.officerAdmin, (t) => ({ url: `/api/alerts/webhooks/${t.fresh ?? t.o.webhook}` }), {
    fresh: (w, owner) => make.webhook(w.owner[owner]),
  }),
  // Managing a CAP webhook (exchange lane): edit, pause, resume, rotate, its log, a test, a resend — the owner's officers and admins only.
  'PATCH /api/alerts/webhooks/:id': org('manage', R.officerAdmin, (t) => ({
    method: 'PATCH',
    url: `/api/alerts/webhooks/${t.o.webhook}`,
    payload: { description: 'edited by the table' },
  })),
  'POST /api/alerts/webhooks/:id/pause': org('manage', R.officerAdmin, (t) => ({ url: `/api/alerts/webhooks/${t.o.webhook}/pause` })),
  'POST /api/alerts/webhooks/:id/resume': org('manage', R.officerAdmin, (t) => ({ url: `/api/alerts/webhooks/${t.o.webhook}/resume` })),
  'POST /api/alerts/webhooks/:id/rotate-secret': org('manage', R.officerAdmin, (t) => ({
    url: `/api/alerts/webhooks/${t.o.webhook}/rotate-secret`,
    payload: { graceHours: 1 },
  })),
  'GET /api/alerts/webhooks/:id/deliveries': org('manage', R.officerAdmin, (t) => ({ url: `/api/alerts/webhooks/${t.o.webhook}/deliveries` })),
  'POST /api/alerts/webhooks/:id/test': org('manage', R.officerAdmin, (t) => ({ url: `/api/alerts/webhooks/${t.o.webhook}/test` })),
  'POST /api/alerts/webhooks/:id/deliveries/:deliveryId/resend': org(
    'manage',
    R.officerAdmin,
    (t) => {
      const [id, delivery] = (t.fresh ?? '').split(' ');
      return { url: `/api/alerts/webhooks/${id}/deliveries/${delivery}/resend` };
    },
    { fresh: (w, owner) => make.webhookDelivery(w.owner[owner]) },
  ),
  // Other agencies (capx lane): imported documents, relays, trusted signers and feeds of the organisation.
  'GET /api/alerts/other-agencies': list('read', R.alertView, '/api/alerts/other-agencies', (j) => j.alerts),
  'GET /api/alerts/:id/received': org('read', R.alertView, (t) => ({ url: `/api/alerts/${t.o.imported}/received` })),
  'POST /api/alerts/:id/relay': org(
    'manage',
    R.officer,
    (t) => ({ url: `/api/alerts/${t.fresh ?? t.o.imported}/relay`, payload: { channels: ['cap-feed'] } }),
    {
      fresh: (w, owner) => make.imported(w.owner[owner]),
    },
  ),
  'GET /api/alerts/signers': list('manage', R.officerAdmin, '/api/alerts/signers', (j) => j.signers),
  'POST /api/alerts/signers': plain(R.officerAdmin, () => ({
    url: '/api/alerts/signers',
    payload: { sender: `${fresh('sender')}@agency.example`, pem: generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  })),
  'DELETE /api/alerts/signers/:id': org('manage', R.officerAdmin, (t) => ({ url: `/api/alerts/signers/${t.fresh ?? t.o.signer}` }), {
    fresh: (w, owner) => make.signer(w.owner[owner]),
  }),
  'GET /api/alerts/feeds': list('manage', R.officerAdmin, '/api/alerts/feeds', (j) => j.feeds),
  'POST /api/alerts/feeds': plain(R.officerAdmin, () => ({ url: '/api/alerts/feeds', payload: { url: `https://${fresh('feeds')}.agency.invalid/a.atom` } })),
  'DELETE /api/alerts/feeds/:id': org('manage', R.officerAdmin, (t) => ({ url: `/api/alerts/feeds/${t.fresh ?? t.o.feed}` }), {
    fresh: (w, owner) => make.feed(w.owner[owner]),
  }),
  'POST /api/alerts/feeds/:id/poll': org('manage', R.officerAdmin, (t) => ({ url: `/api/alerts/feeds/${t.o.feed}/poll` })),
  'GET /api/alerts/rules': list('read', R.alertView, '/api/alerts/rules', (j) => (j.rules as { rule: { orgId: string } }[]).map((r) => r.rule)),
  // A rule of the caller's organisation reads sensors it may read.
  'POST /api/alerts/rules': org('read', R.officer, (t) => ({ url: '/api/alerts/rules', payload: ruleBody(t.o.gauge) })),
  'PUT /api/alerts/rules/:id': org('manage', R.officer, (t) => ({ url: `/api/alerts/rules/${t.o.rule}`, payload: ruleBody(t.o.gauge) })),
  'POST /api/alerts/rules/:id/enable': org('manage', R.officer, (t) => ({ url: `/api/alerts/rules/${t.o.rule}/enable` })),
  'POST /api/alerts/rules/:id/disable': org('manage', R.officer, (t) => ({ url: `/api/alerts/rules/${t.o.rule}/disable` })),

  // routing: computations for any signed-in principal; closures and traffic are the city's roads
  'GET /api/routing': plain('authenticated', get('/api/routing')),
  'POST /api/routing/route': plain('authenticated', () => ({ url: '/api/routing/route', payload: { from: POSITION, to: [7.42, 43.735] } })),
  'POST /api/routing/nearest': plain('authenticated', () => ({
    url: '/api/routing/nearest',
    payload: { incident: POSITION, units: [{ id: 'u', position: [7.42, 43.735] }] },
  })),
  'POST /api/routing/isochrone': plain('authenticated', () => ({ url: '/api/routing/isochrone', payload: { origin: POSITION, minutes: [2] } })),
  'POST /api/routing/coverage': plain('authenticated', () => ({ url: '/api/routing/coverage', payload: { stations: [POSITION], targetMinutes: 5 } })),
  'POST /api/routing/traffic': plain(R.unitOps, () => ({ url: '/api/routing/traffic', payload: { source: 'table', updates: [] } })),
  'GET /api/routing/closures': plain('authenticated', get('/api/routing/closures')),
  'POST /api/routing/closures': plain(R.unitOps, () => ({
    url: '/api/routing/closures',
    payload: {
      geometry: {
        type: 'LineString',
        coordinates: [
          [7.42, 43.73],
          [7.421, 43.731],
        ],
      },
      reason: 'table',
    },
  })),
  // Reopening a road is operational: the closing organisation and those it shares with to act.
  'DELETE /api/routing/closures/:id': org('act', R.unitOps, (t) => ({ url: `/api/routing/closures/${t.fresh ?? t.o.closure}` }), {
    fresh: (w, owner) => make.closure(w.owner[owner]),
  }),
  'POST /api/routing/evacuation': plain('authenticated', () => ({
    url: '/api/routing/evacuation',
    payload: {
      hazard: { circles: [{ center: POSITION, radiusM: 100 }] },
      origins: [{ id: 'o', position: POSITION }],
      assemblyPoints: [{ id: 'a', name: 'A', position: [7.42, 43.735] }],
    },
  })),

  // units
  'GET /api/units': list('read', R.unitView, '/api/units', (j) => j.units),
  'GET /api/units/mine': plain(R.unitView, get('/api/units/mine')),
  'GET /api/units/:id': org('read', R.unitView, (t) => ({ url: `/api/units/${t.o.unit}` })),
  'POST /api/units': org('manage', R.unitCreate, (t) => ({
    url: '/api/units',
    payload: {
      unitId: t.o.unit,
      callSign: `${t.key.toUpperCase()}-1`,
      kind: 'police-car',
      capabilities: ['law-enforcement', 'fire-suppression'],
      homePosition: POSITION,
    },
  })),
  // A responder reports for the unit it crews only (these users crew none).
  // A responder reports for its own organisation's units; a partner's units are moved by its dispatchers.
  'POST /api/units/:id/status': org('act', R.unitView, (t) => ({ url: `/api/units/${t.o.unit}/status`, payload: { status: 'available' } }), {
    rolesOn: { 'shared-act': R.unitOps },
  }),
  'POST /api/units/:id/positions': org(
    'act',
    R.unitView,
    (t) => ({ url: `/api/units/${t.o.unit}/positions`, payload: { fixes: [{ lon: POSITION[0], lat: POSITION[1] }] } }),
    {
      rolesOn: { 'shared-act': R.unitOps },
    },
  ),
  'GET /api/units/:id/track': org('read', R.unitView, (t) => ({ url: `/api/units/${t.o.unit}/track` })),

  // incidents
  'GET /api/incidents/types': plain(R.incView, get('/api/incidents/types')),
  'GET /api/incidents': list('read', R.incView, '/api/incidents', (j) => j.incidents),
  'GET /api/incidents/assigned': plain(R.incView, get('/api/incidents/assigned')),
  // Linking an alarm to a new incident takes the alarm in hand: acting on it.
  'POST /api/incidents': org('act', R.dispatch, (t) => ({
    url: '/api/incidents',
    payload: { type: 'intrusion', position: POSITION, source: 'alarm', alarmIds: [t.o.alarm] },
  })),
  'POST /api/incidents/from-alarm/:id': org('act', R.dispatch, (t) => ({ url: `/api/incidents/from-alarm/${t.fresh ?? t.o.alarm}`, payload: {} }), {
    fresh: (w, owner) => make.alarm(w.owner[owner], w.owned[owner as 'police'].site),
  }),
  'GET /api/incidents/:id': org('read', R.incView, (t) => ({ url: `/api/incidents/${t.o.incident}` }), {
    check: without(theirCaller, theirInternal, theirAttachment),
  }),
  'PATCH /api/incidents/:id': org('act', R.dispatch, (t) => ({ url: `/api/incidents/${t.o.incident}`, payload: { priority: 2 } })),
  'PUT /api/incidents/:id/casualties': org('act', R.dispatch, (t) => ({
    url: `/api/incidents/${t.o.incident}/casualties`,
    payload: { immediate: 1, delayed: 0, minor: 2, deceased: 0, unknown: 0 },
  })),
  'POST /api/incidents/:id/take': org('act', R.dispatch, (t) => ({ url: `/api/incidents/${t.fresh ?? t.o.incident}/take` }), {
    fresh: incidentOf,
    rolesOn: { 'shared-act': ['supervisor', 'commander', 'admin'] },
  }),
  'POST /api/incidents/:id/status': org(
    'act',
    R.dispatch,
    (t) => ({ url: `/api/incidents/${t.fresh ?? t.o.incident}/status`, payload: { status: 'closed', resolution: 'cancelled' } }),
    {
      fresh: incidentOf,
    },
  ),
  'POST /api/incidents/:id/links': org('act', R.dispatch, (t) => ({ url: `/api/incidents/${t.o.incident}/links`, payload: { alertIds: [] } })),
  // Recommending units is the first step of dispatching: acting.
  'GET /api/incidents/:id/recommendation': org('act', R.dispatch, (t) => ({ url: `/api/incidents/${t.o.incident}/recommendation` })),
  'POST /api/incidents/:id/dispatch': org(
    'act',
    R.dispatch,
    (t) => ({ url: `/api/incidents/${t.fresh ?? t.o.incident}/dispatch`, payload: { unitId: t.w.owned.police.unit } }),
    {
      fresh: incidentOf,
    },
  ),
  'POST /api/incidents/:id/units/:unitId/status': org(
    'act',
    R.incComms,
    (t) => {
      const [incident, unit] = (t.fresh ?? `${t.o.incident} ${t.o.unit}`).split(' ');
      return { url: `/api/incidents/${incident}/units/${unit}/status`, payload: { status: 'en-route' } };
    },
    { fresh: assignedIncident, roles: R.unitOps },
  ),
  'POST /api/incidents/:id/units/:unitId/release': org(
    'act',
    R.dispatch,
    (t) => {
      const [incident, unit] = (t.fresh ?? `${t.o.incident} ${t.o.unit}`).split(' ');
      return { url: `/api/incidents/${incident}/units/${unit}/release`, payload: {} };
    },
    { fresh: assignedIncident },
  ),
  'POST /api/incidents/:id/messages': org('act', R.incComms, (t) => ({
    url: `/api/incidents/${t.o.incident}/messages`,
    payload: { channel: 'internal', text: 'table message' },
  })),
  'POST /api/incidents/:id/attachments': org('act', R.incComms, (t) => ({
    url: `/api/incidents/${t.o.incident}/attachments?name=table.txt`,
    payload: Buffer.from('table'),
    contentType: 'text/plain',
  })),
  'GET /api/incidents/attachments/:id': org('personal', R.incComms, (t) => ({ url: `/api/incidents/attachments/${t.o.attachment}` })),
  'GET /api/incidents/:id/timeline.:format': org('read', R.dispatch, (t) => ({ url: `/api/incidents/${t.o.incident}/timeline.html` }), {
    check: without(theirCaller, theirInternal, theirAttachment),
  }),

  // major events: the owner, and the organisations it names as participants (none here)
  'GET /api/events/levels': plain(R.evView, get('/api/events/levels')),
  'GET /api/events': list('event', R.evView, '/api/events', (j) => (j.events as { ownerOrgId: string }[]).map((e) => ({ orgId: e.ownerOrgId }))),
  'POST /api/events': plain(R.evCmd, () => ({
    url: '/api/events',
    payload: { name: fresh('Fair'), startsAt: new Date(Date.now() + 86_400_000).toISOString(), endsAt: new Date(Date.now() + 2 * 86_400_000).toISOString() },
  })),
  'GET /api/events/guidance/mine': plain(R.evView, get('/api/events/guidance/mine')),
  'GET /api/events/:id': org('event', R.evView, (t) => ({ url: `/api/events/${t.o.majorEvent}` })),
  'PATCH /api/events/:id': org('event', R.evCmd, (t) => ({ url: `/api/events/${t.o.majorEvent}`, payload: { description: 'table' } })),
  'PUT /api/events/:id/participants': org('event', R.evCmd, (t) => ({
    url: `/api/events/${t.o.majorEvent}/participants`,
    payload: { members: EVENT_OFFICERS },
  })),
  'POST /api/events/:id/start': org('event', R.evCmd, (t) => ({ url: `/api/events/${t.o.majorEvent}/start` })),
  'POST /api/events/:id/stand-down': org('event', R.evCmd, (t) => ({ url: `/api/events/${t.fresh ?? t.o.majorEvent}/stand-down`, payload: {} }), {
    fresh: async (w, owner) => {
      const o = w.owner[owner];
      const window = { startsAt: new Date(Date.now() - 3_600_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() };
      const eventId = (await o.call('POST', '/api/events', { name: fresh('Fair'), ...window })).json.event.eventId as string;
      await o.call('PUT', `/api/events/${eventId}/participants`, { members: EVENT_OFFICERS });
      return eventId;
    },
  }),
  'POST /api/events/:id/features': org('event', R.evCmd, (t) => ({
    url: `/api/events/${t.o.majorEvent}/features`,
    payload: { name: fresh('f'), kind: 'gate', geometry: { type: 'Point', coordinates: POSITION }, minClearance: 1 },
  })),
  // Clearance refines the organisation rule: only the event's officers (the police commander and admin) change its map.
  'PATCH /api/events/:id/features/:featureId': org(
    'event',
    R.evView,
    (t) => ({ url: `/api/events/${t.o.majorEvent}/features/${t.o.feature}`, payload: { note: 'table' } }),
    {
      roles: R.evCmd,
    },
  ),
  'DELETE /api/events/:id/features/:featureId': org('event', R.evCmd, (t) => ({ url: `/api/events/${t.o.majorEvent}/features/${t.fresh ?? t.o.feature}` }), {
    fresh: (w, owner) => make.feature(w.owner[owner], w.owned[owner as 'police'].majorEvent),
  }),
  'POST /api/events/:id/messages': org('event', R.evView, (t) => ({
    url: `/api/events/${t.o.majorEvent}/messages`,
    payload: { text: 'table', minClearance: 1 },
  })),
  'POST /api/events/:id/notes': org('event', R.evView, (t) => ({
    url: `/api/events/${t.o.majorEvent}/notes`,
    payload: { name: 'n', text: 'table', minClearance: 1 },
  })),
  'POST /api/events/:id/layers': org('event', R.evView, (t) => ({
    url: `/api/events/${t.o.majorEvent}/layers`,
    payload: {
      name: 'l',
      layer: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: POSITION } }] },
      minClearance: 1,
    },
  })),
  'POST /api/events/:id/photos': org('event', R.evView, (t) => ({
    url: `/api/events/${t.o.majorEvent}/photos?name=p.png&minClearance=1`,
    payload: Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2a1c6a30000000049454e44ae426082',
      'hex',
    ),
    contentType: 'image/png',
  })),
  'GET /api/events/uploads/:id': plain(R.evView, get('/api/events/uploads/upl_none')),
  'POST /api/events/:id/guidance': org('event', R.evCmd, (t) => ({
    url: `/api/events/${t.o.majorEvent}/guidance`,
    payload: { instruction: 'Hold the gate', toUsernames: [] },
  })),
  'POST /api/events/:id/guidance/:guidanceId/ack': plain(R.evView, (t) => ({ url: `/api/events/${t.o.majorEvent}/guidance/gdn_none/ack` }), {
    refused: (r) => r.status === 401 || (r.status === 403 && /route is for/.test(r.body)),
  }),
  'GET /api/events/:id/timeline.:format': org('event', R.evTimeline, (t) => ({ url: `/api/events/${t.o.majorEvent}/timeline.json` })),

  // crowd
  'GET /api/crowd': list('read', R.unitView, '/api/crowd', (j) => j.zones),
  'GET /api/crowd/zones/:id': org('read', R.unitView, (t) => ({ url: `/api/crowd/zones/${t.o.crowdZone}` })),
  'POST /api/crowd/zones': org('manage', R.crowdDefine, (t) => ({
    url: '/api/crowd/zones',
    payload: { zoneId: t.o.crowdZone, name: `Square ${t.key}`, polygon: polygonAround(POSITION) },
  })),
  // Review of 5 December: a zone drawn for a major event names it by id; only for an event the caller takes part in (the police
  // users in the police's own; major events are not shared by organisation shares). Before: any event, its participants then
  // saw and operated the caller's zone.
  'POST /api/crowd/zones #event': org('event', R.crowdDefine, (t) => ({
    url: '/api/crowd/zones',
    payload: { name: `Event square ${t.key}`, polygon: polygonAround(POSITION), eventId: t.o.majorEvent },
  })),
  'POST /api/crowd/gates': org('manage', R.crowdDefine, (t) => ({
    url: '/api/crowd/gates',
    payload: { gateId: t.o.gate, name: `Gate ${t.key}`, position: POSITION, inside: t.o.crowdZone },
  })),
  'POST /api/crowd/counts': plain(R.crowdCount, () => ({ url: '/api/crowd/counts', payload: { readings: [{ counterId: 'no-such-counter', count: 3 }] } })),
  'POST /api/crowd/gates/:id/close': org('act', R.crowdOps, (t) => ({ url: `/api/crowd/gates/${t.o.gate}/close` })),
  'POST /api/crowd/gates/:id/open': org('act', R.crowdOps, (t) => ({ url: `/api/crowd/gates/${t.o.gate}/open` })),
  'POST /api/crowd/zones/:id/suggestions/:sid/apply': plain(R.crowdOps, (t) => ({ url: `/api/crowd/zones/${t.o.crowdZone}/suggestions/sug_none/apply` }), {
    refused: (r) => r.status === 401 || (r.status === 403 && /route is for/.test(r.body)),
  }),
  'POST /api/crowd/zones/:id/suggestions/:sid/dismiss': plain(R.crowdOps, (t) => ({ url: `/api/crowd/zones/${t.o.crowdZone}/suggestions/sug_none/dismiss` }), {
    refused: (r) => r.status === 401 || (r.status === 403 && /route is for/.test(r.body)),
  }),

  // authority to alert (authority lane): admins and alert officers read their own organisation's (the city's admins all);
  // only an administrator of the platform organisation, with a second factor, grants or revokes it.
  'GET /api/alerts/authorities': plain(['admin', 'alert-officer'], get('/api/alerts/authorities')),
  'PUT /api/alerts/authorities/:org': {
    kind: 'city-write',
    gate: R.admin,
    mfa: true,
    req: (t) => ({
      url: `/api/alerts/authorities/${t.w.orgId.neighbour}`,
      payload: {
        areas: [
          {
            name: 'Neighbouring harbour',
            polygon: [
              [7.41, 43.72],
              [7.43, 43.72],
              [7.43, 43.73],
              [7.41, 43.72],
            ],
          },
        ],
        categories: ['Met'],
        channels: ['cap-feed'],
        reason: 'policy table',
      },
    }),
    check: (r) => (r.status === 200 ? null : `granted nothing: ${r.status} ${r.body.slice(0, 160)}`),
  },
  'DELETE /api/alerts/authorities/:org': {
    kind: 'city-write',
    gate: R.admin,
    mfa: true,
    req: (t) => ({ url: `/api/alerts/authorities/${t.w.orgId.neighbour}` }),
    check: (r) => (r.status === 200 ? null : `revoked nothing: ${r.status}`),
  },

  // MQTT credentials (mqtt lane): admins and supervisors of the device's (unit's) own organisation; never the secret again
  'GET /api/city/mqtt-credentials': plain(R.stewards, get('/api/city/mqtt-credentials')),
  'POST /api/city/devices/:id/mqtt-credential': org('manage', R.stewards, (t) => ({ url: `/api/city/devices/${t.fresh ?? t.o.gauge}/mqtt-credential` }), {
    fresh: (w, owner) => mqttDevice(w, owner),
    check: (r) => (r.status === 201 ? null : `issued no credential: ${r.status} ${r.body.slice(0, 160)}`),
  }),
  'GET /api/city/devices/:id/mqtt-credential': org('manage', R.stewards, (t) => ({ url: `/api/city/devices/${t.fresh ?? t.o.gauge}/mqtt-credential` }), {
    fresh: (w, owner) => deviceWithCredential(w, owner),
  }),
  'DELETE /api/city/devices/:id/mqtt-credential': org('manage', R.stewards, (t) => ({ url: `/api/city/devices/${t.fresh ?? t.o.gauge}/mqtt-credential` }), {
    fresh: (w, owner) => deviceWithCredential(w, owner),
  }),
  'POST /api/units/:id/mqtt-credential': org('manage', ['admin', 'supervisor', 'commander'], (t) => ({ url: `/api/units/${t.o.unit}/mqtt-credential` })),

  // privacy (privacy lane): recorded reads to admins and supervisors (their organisation's) and the csirt;
  // a data subject's export and erasure to admins, over their own organisation's records.
  // An organisation's admins and supervisors see the reads of its own data; the city's csirt every organisation's.
  'GET /api/privacy/reads': plain(['admin', 'supervisor', 'csirt'], get('/api/privacy/reads?limit=500'), {
    check: (r, t, c) => {
      const foreign = (r.json.reads as { orgId: string | null }[]).find((e) => c.org === 'police' && e.orgId !== t.w.orgId.police);
      return foreign ? `shows a read of another organisation's data (${foreign.orgId})` : null;
    },
  }),
  'GET /api/privacy/retention': plain(['admin', 'supervisor', 'csirt'], get('/api/privacy/retention')),
  'POST /api/privacy/subjects/export': plain(
    R.admin,
    () => ({ url: '/api/privacy/subjects/export', payload: { phone: '+377 9999 0000', reason: 'policy table' } }),
    {
      check: (r, t, c) => (c.org === 'police' && r.body.includes(`internal note of fire`) ? "exports another organisation's records" : null),
    },
  ),
  // Erasing a subject nobody recorded (the fixtures' caller stays).
  'POST /api/privacy/subjects/erase': plain(R.admin, () => ({
    url: '/api/privacy/subjects/erase',
    payload: { phone: '+377 9000 0001', reason: 'policy table' },
  })),

  // audit: entries of organisations the reader may read; others' personal data withheld
  'GET /api/audit': plain(R.audit, get('/api/audit?limit=500'), {
    check: (r, t, c) => {
      // The city's csirt reads the city's own entries; the police, theirs and their partners'.
      const readable = new Set<string | null>(c.org === 'police' ? [null, t.w.orgId.police, t.w.orgId.fire, t.w.orgId.ems] : [null, t.w.orgId.city]);
      const entries = r.json.entries as { orgId: string | null; type: string; data: unknown }[];
      const foreign = entries.find((e) => !readable.has(e.orgId));
      if (foreign) return `shows ${foreign.type} of an organisation it may not read`;
      // Shared to act (fire): its keyholders and callers, not its attachments; shared to read (MARC): none of them.
      const of = (org: string, s: string) => entries.find((e) => e.orgId === org && JSON.stringify(e.data).includes(s))?.type ?? null;
      for (const s of ['note-fire.txt']) if (of(t.w.orgId.fire, s)) return `carries "${s}" of the fire service (${of(t.w.orgId.fire, s)})`;
      for (const s of ['Kim Keyholder', 'Camille Caller', 'note-ems.txt'])
        if (of(t.w.orgId.ems, s)) return `carries "${s}" of the ambulance service (${of(t.w.orgId.ems, s)})`;
      const bytes = Buffer.from('attachment bytes of').toString('base64').slice(0, 16);
      return r.body.includes(bytes) ? 'carries file bytes' : null;
    },
  }),
  'POST /api/audit/verify': plain(R.audit, () => ({ url: '/api/audit/verify' })),

  // cockpit: city-wide data, read by analysts and admins, written by the city
  'GET /api/cockpit/overview': plain(R.cockpit, get('/api/cockpit/overview')),
  'GET /api/cockpit/catalogue': plain(R.cockpit, get('/api/cockpit/catalogue')),
  'GET /api/cockpit/areas': plain(R.cockpit, get('/api/cockpit/areas')),
  'GET /api/cockpit/indicators/:id/values': plain(R.cockpit, get('/api/cockpit/indicators/none/values')),
  'GET /api/cockpit/indicators/:id/areas/:area': plain(R.cockpit, get('/api/cockpit/indicators/none/areas/none')),
  'GET /api/cockpit/indicators/:id/areas/:area/trend': plain(R.cockpit, get('/api/cockpit/indicators/none/areas/none/trend')),
  'GET /api/cockpit/indicators/:id/peers': plain(R.cockpit, get('/api/cockpit/indicators/none/peers')),
  'GET /api/cockpit/imports': plain(R.cockpit, get('/api/cockpit/imports')),
  'POST /api/cockpit/statistics': cityWrite(R.cockpit, () => ({ url: '/api/cockpit/statistics', payload: { source: 'table', format: 'json', records: [] } })),
  'POST /api/cockpit/peers': cityWrite(R.cockpit, () => ({ url: '/api/cockpit/peers', payload: { source: 'table', format: 'json', records: [] } })),
  'GET /api/cockpit/agreements': plain(R.cockpit, get('/api/cockpit/agreements')),
  'POST /api/cockpit/agreements': cityWrite(R.cockpit, (t) => ({
    url: '/api/cockpit/agreements',
    payload: {
      agreementId: t.w.agreement,
      name: 'Response times',
      provider: 'Table Fire Service',
      periodKind: 'month',
      startsWith: '2026-01',
      clauses: [{ indicatorId: 'none', statistic: 'value', comparator: '<=', target: 1 }],
    },
  })),
  'GET /api/cockpit/agreements/:id/report': plain(R.cockpit, (t) => ({ url: `/api/cockpit/agreements/${t.w.agreement}/report` })),
  'GET /api/cockpit/agreements/:id/report.html': plain(R.cockpit, (t) => ({ url: `/api/cockpit/agreements/${t.w.agreement}/report.html` })),
  'GET /api/cockpit/export': plain(R.cockpit, get('/api/cockpit/export')),

  // CSIRT desk: security-confidential (owner organisation and the city's CSIRT only), worked by the CSIRT
  'POST /api/csirt/events': plain(R.csirt, () => ({ url: '/api/csirt/events', payload: { message: 'table event', srcIp: '192.0.2.1' } })),
  'GET /api/csirt/summary': plain(R.csirtRead, get('/api/csirt/summary')),
  'GET /api/csirt/events': plain(R.csirtRead, get('/api/csirt/events')),
  'GET /api/csirt/alerts': plain(R.csirtRead, get('/api/csirt/alerts')),
  'POST /api/csirt/alerts/:id/status': plain(R.csirt, () => ({ url: '/api/csirt/alerts/sal_none/status', payload: { status: 'acknowledged' } })),
  'GET /api/csirt/cases': securityList('/api/csirt/cases', (j) => j.cases),
  'POST /api/csirt/cases': plain(R.csirt, () => ({ url: '/api/csirt/cases', payload: { title: 'table case' } })),
  // Review of 5 December: the incident a case names is one the caller reads; the city's CSIRT stands unrelated to every owner
  // of the table, so none links. Before: any id was taken as given.
  'POST /api/csirt/cases #incident': org('read', R.csirt, (t) => ({ url: '/api/csirt/cases', payload: { title: 'table case', incidentId: t.o.incident } })),
  'GET /api/csirt/cases/:id': org('security', R.csirtRead, (t) => ({ url: `/api/csirt/cases/${t.o.securityCase}` }), {
    check: (r, t) => (r.json.case?.orgId === t.o.orgId ? null : 'another case'),
  }),
  'PATCH /api/csirt/cases/:id': org('security', R.csirt, (t) => ({ url: `/api/csirt/cases/${t.o.securityCase}`, payload: { description: fresh('table') } })),
  'POST /api/csirt/cases/:id/alerts': org('security', R.csirt, (t) => ({
    url: `/api/csirt/cases/${t.o.securityCase}/alerts`,
    payload: { alertIds: ['sal_none'] },
  })),
  'POST /api/csirt/cases/:id/tasks': org('security', R.csirt, (t) => ({ url: `/api/csirt/cases/${t.o.securityCase}/tasks`, payload: { title: 'table task' } })),
  'POST /api/csirt/cases/:id/tasks/:taskId': org('security', R.csirt, (t) => ({
    url: `/api/csirt/cases/${t.o.securityCase}/tasks/${t.o.securityTask}`,
    payload: { done: true },
  })),
  'POST /api/csirt/cases/:id/observables': org('security', R.csirt, (t) => ({
    url: `/api/csirt/cases/${t.o.securityCase}/observables`,
    payload: { type: 'domain', value: `${fresh('t').replace(/[^a-z0-9]/gi, '')}.example` },
  })),
  'POST /api/csirt/cases/:id/comments': org('security', R.csirt, (t) => ({ url: `/api/csirt/cases/${t.o.securityCase}/comments`, payload: { text: 'table' } })),
  'POST /api/csirt/cases/:id/close': org('security', R.csirt, (t) => ({ url: `/api/csirt/cases/${t.o.securityCase}/close`, payload: { resolution: 'other' } })),
  'POST /api/csirt/cases/:id/reopen': org('security', R.csirt, (t) => ({ url: `/api/csirt/cases/${t.o.securityCase}/reopen` })),
  'POST /api/csirt/cases/:id/advisories': org('security', R.csirt, (t) => ({
    url: `/api/csirt/cases/${t.o.securityCase}/advisories`,
    payload: { orgId: t.o.orgId, title: 'table', body: 'table' },
  })),
  'GET /api/csirt/cases/:id/stix': org('security', R.csirt, (t) => ({ url: `/api/csirt/cases/${t.o.securityCase}/stix` })),
  'GET /api/csirt/cases/:id/misp': org('security', R.csirt, (t) => ({ url: `/api/csirt/cases/${t.o.securityCase}/misp` })),
  'POST /api/csirt/cases/:id/findings': org('security', R.csirt, (t) => ({
    url: `/api/csirt/cases/${t.o.securityCase}/findings`,
    payload: { findingIds: ['fnd_none'] },
  })),
  'POST /api/csirt/cases/:id/findings/:findingId/triage': org('security', R.csirt, (t) => ({
    url: `/api/csirt/cases/${t.o.securityCase}/findings/none~CVE-2024-1086/triage`,
    payload: { state: 'confirmed', detail: 'policy table' },
  })),
  'POST /api/csirt/cases/:id/artefacts': org('security', R.csirt, (t) => ({
    url: `/api/csirt/cases/${t.o.securityCase}/artefacts?name=table.txt`,
    payload: 'table file',
    contentType: 'text/plain',
  })),
  'GET /api/csirt/artefacts/:id': org('security', R.csirtRead, (t) => ({ url: `/api/csirt/artefacts/${t.o.securityArtefact}` }), {
    check: (r) => (r.headers['content-disposition']?.toString().startsWith('attachment') ? null : 'not sent as a download'),
  }),
  'POST /api/csirt/artefacts/:id/erase': org(
    'security',
    R.csirt,
    (t) => ({ url: `/api/csirt/artefacts/${t.fresh ?? 'art_none'}/erase`, payload: { note: 'policy table' } }),
    {
      // Erasing is for good: each call erases an artefact made for it, never the one the other rows read.
      fresh: async (w, owner) => {
        const r = await w.city.csirt.call(
          'POST',
          `/api/csirt/cases/${w.owned[owner as 'police'].securityCase}/artefacts?name=erase.txt`,
          `to erase ${fresh('artefact')}`,
          'text/plain',
        );
        if (r.status !== 201) throw new Error(`artefact to erase: ${r.status} ${r.body.slice(0, 200)}`);
        return (r.json.case.artefacts as { artefactId: string }[]).at(-1)!.artefactId;
      },
    },
  ),
  'GET /api/csirt/advisories': securityList('/api/csirt/advisories', (j) => j.advisories),
  'POST /api/csirt/advisories/:id/confirm': org('security', R.advisoryConfirm, (t) => ({ url: `/api/csirt/advisories/${t.o.advisory}/confirm` })),
  'POST /api/csirt/indicators': plain(R.csirt, () => ({ url: '/api/csirt/indicators', payload: { source: 'table', bundle: { type: 'bundle', objects: [] } } })),
  'GET /api/csirt/indicators': plain(R.csirt, get('/api/csirt/indicators')),
  // device security (vuln lane): the CSIRT and the owner's supervisors and admins; findings and devices are
  // security-confidential (policy `confidential: 'security'`): the police see only their own, the city's csirt every organisation's.
  'GET /api/device-security': plain(R.devSec, get('/api/device-security'), {
    check: (r, t, c) =>
      c.org === 'police' && (r.json.organisations as { orgId: string }[]).some((o) => o.orgId !== t.w.orgId.police)
        ? "counts another organisation's findings"
        : null,
  }),
  'GET /api/device-security/inventory': plain(R.devSec, get('/api/device-security/inventory'), {
    check: (r, t, c) => {
      const foreign = (r.json.devices as { orgId: string }[]).find((d) => c.org === 'police' && d.orgId !== t.w.orgId.police);
      return foreign ? `lists a device of another organisation (${foreign.orgId})` : null;
    },
  }),
  'POST /api/device-security/devices': plain(R.devSec, () => ({
    url: '/api/device-security/devices',
    payload: { vendor: 'Axis', model: 'AXIS Q1656-LE', platform: 'AXIS OS', firmware: '11.11.73', exposure: 'private', label: 'policy table camera' },
  })),
  // Review of 5 December: an assetId naming a city device describes that device, so only its owner may (manage). Before: any
  // organisation's supervisor took the id for a device of its own, hiding the owner's device from its inventory.
  'POST /api/device-security/devices #city-device': org('manage', R.devSec, (t) => ({
    url: '/api/device-security/devices',
    payload: { assetId: t.o.camera, vendor: 'Axis', model: 'AXIS Q1656-LE', firmware: '11.11.73', exposure: 'private', label: `camera ${t.key}` },
  })),
  'GET /api/device-security/devices/:id': plain(R.devSec, get('/api/device-security/devices/ast_none')),
  'DELETE /api/device-security/devices/:id': plain(R.devSec, () => ({ method: 'DELETE', url: '/api/device-security/devices/ast_none' })),
  'GET /api/device-security/findings': plain(R.devSec, get('/api/device-security/findings'), {
    check: (r, t, c) => {
      const foreign = (r.json.findings as { orgId: string }[]).find((f) => c.org === 'police' && f.orgId !== t.w.orgId.police);
      return foreign ? `lists a finding of another organisation (${foreign.orgId})` : null;
    },
  }),
  'GET /api/device-security/findings/:id': plain(R.devSec, get('/api/device-security/findings/none~CVE-2024-1086')),
  'POST /api/device-security/findings/:id/triage': plain(R.devSec, () => ({
    url: '/api/device-security/findings/none~CVE-2024-1086/triage',
    payload: { state: 'confirmed', detail: 'policy table' },
  })),
  'GET /api/device-security/sboms': plain(R.devSec, get('/api/device-security/sboms')),
  'POST /api/device-security/sboms': plain(R.devSec, () => ({
    url: '/api/device-security/sboms',
    payload: {
      vendor: 'Axis',
      model: 'AXIS Q1656-LE',
      firmware: '11.11.73',
      document: JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        components: [{ type: 'library', name: 'openssl', version: '3.0.7' }],
      }),
    },
  })),
  'POST /api/device-security/intel': plain(R.devSecIntel, () => ({
    url: '/api/device-security/intel?source=policy-table',
    payload: {
      dataType: 'CVE_RECORD',
      dataVersion: '5.1',
      cveMetadata: { cveId: 'CVE-2099-0001', state: 'PUBLISHED' },
      containers: {
        cna: { affected: [{ vendor: 'Axis', product: 'AXIS OS', versions: [{ version: '0', lessThan: '12.0', status: 'affected', versionType: 'semver' }] }] },
      },
    },
  })),
  'GET /api/device-security/export/sbom': plain(R.devSec, get('/api/device-security/export/sbom')),
  'GET /api/device-security/export/vex': plain(R.devSec, get('/api/device-security/export/vex')),
  // citizen reports (open311 lane): Open311 is public (errors in its own form); triage is the responsible organisation's
  'GET /open311/discovery.json': plain('public', get('/open311/discovery.json')),
  'GET /open311/discovery.xml': plain('public', get('/open311/discovery.xml')),
  'GET /open311/v2/services.json': plain('public', get('/open311/v2/services.json')),
  'GET /open311/v2/services.xml': plain('public', get('/open311/v2/services.xml')),
  'GET /open311/v2/services/:file': plain('public', get('/open311/v2/services/graffiti.xml')),
  'GET /open311/v2/requests.json': plain('public', get('/open311/v2/requests.json'), {
    check: (r) => (r.body.includes('@example.org') ? 'a reporter in the public list' : null),
  }),
  'GET /open311/v2/requests.xml': plain('public', get('/open311/v2/requests.xml'), {
    check: (r) => (r.body.includes('@example.org') ? 'a reporter in the public list' : null),
  }),
  'GET /open311/v2/requests/:file': plain('public', (t) => ({ url: `/open311/v2/requests/${t.o.citizenReport}.json` })),
  'GET /open311/v2/tokens/:file': plain('public', get('/open311/v2/tokens/tok_none.json')),
  'GET /open311/v2/media/:id': plain('public', (t) => ({ url: `/open311/v2/media/${t.o.citizenReport}` })),
  // A POST without an api_key is refused before it costs anyone a place in the rate limits (403 is Open311's answer to it, for everyone).
  'POST /open311/v2/requests.json': plain(
    'public',
    () => ({ url: '/open311/v2/requests.json', payload: 'service_code=graffiti', contentType: 'application/x-www-form-urlencoded' }),
    {
      refused: (r) => r.status === 401,
    },
  ),
  'POST /open311/v2/requests.xml': plain(
    'public',
    () => ({ url: '/open311/v2/requests.xml', payload: 'service_code=graffiti', contentType: 'application/x-www-form-urlencoded' }),
    {
      refused: (r) => r.status === 401,
    },
  ),
  'GET /api/public/citizen-reports/follow/:token': plain('public', get('/api/public/citizen-reports/follow/no-such-token')),
  // open data (opendata lane): the catalogue and every dataset are public; no reporter's e-mail in any of them
  ...Object.fromEntries(
    [
      '/api/open-data/catalog.jsonld',
      '/api/open-data/catalog.html',
      '/api/open-data/datasets/public-alerts.geojson',
      '/api/open-data/datasets/citizen-reports.csv',
      '/api/open-data/datasets/citizen-reports.geojson',
      '/api/open-data/datasets/indicators.csv',
      '/api/open-data/datasets/indicators.json',
      '/api/open-data/datasets/indicators.jsonld',
      '/api/open-data/datasets/areas.geojson',
      '/api/open-data/datasets/public-facilities.geojson',
      // citizens lane: closed consultations' counts per position and effect, k-suppressed
      '/api/open-data/datasets/consultation-results.csv',
      '/api/open-data/datasets/consultation-results.json',
    ].map((url) => [
      `GET ${url}`,
      plain('public', get(url), {
        check: (r) =>
          r.body.includes('@example.org')
            ? 'a reporter in open data'
            : // Review of 5 December: no indicator of security posture (CSIRT, device security) nor of the alarm centre's customers.
              /vigil\.(csirt|device|alarm)/.test(r.body)
              ? 'a confidential indicator in open data'
              : null,
      }),
    ]),
  ),
  'GET /api/citizen-reports': list('read', R.triage, '/api/citizen-reports', (j) => j.reports),
  'GET /api/citizen-reports/:id': org('read', R.triage, (t) => ({ url: `/api/citizen-reports/${t.o.citizenReport}` }), {
    check: without((t) => (t.rel === 'own' ? null : `reporter-${t.key}@example.org`)),
  }),
  'POST /api/citizen-reports/:id/acknowledge': org(
    'act',
    R.triage,
    (t) => ({ url: `/api/citizen-reports/${t.fresh ?? t.o.citizenReport}/acknowledge`, payload: {} }),
    {
      fresh: (w, owner) => make.citizenReport(w.vigil, w.orgId[owner], owner),
    },
  ),
  'POST /api/citizen-reports/:id/merge': org(
    'act',
    R.triage,
    (t) => {
      const [from, into] = (t.fresh ?? `${t.o.citizenReport} ${t.o.citizenReport}`).split(' ');
      return { url: `/api/citizen-reports/${from}/merge`, payload: { into } };
    },
    { fresh: async (w, owner) => `${await make.citizenReport(w.vigil, w.orgId[owner], owner)} ${await make.citizenReport(w.vigil, w.orgId[owner], owner)}` },
  ),
  'POST /api/citizen-reports/:id/incident': org(
    'act',
    R.triage,
    (t) => ({ url: `/api/citizen-reports/${t.fresh ?? t.o.citizenReport}/incident`, payload: {} }),
    {
      fresh: (w, owner) => make.citizenReport(w.vigil, w.orgId[owner], owner),
    },
  ),
  // Work orders: the issuer's (the report's organisation) and what it shares; the assignee's too (every fixture assigns its own).
  'GET /api/citizen-reports/work-orders': list('read', R.triage, '/api/citizen-reports/work-orders', (j) => j.workOrders),
  'POST /api/citizen-reports/:id/work-order': org(
    'act',
    R.triage,
    (t) => ({ url: `/api/citizen-reports/${t.fresh ?? t.o.citizenReport}/work-order`, payload: { dueDate: '2099-01-01', instructions: 'Clean the wall' } }),
    { fresh: (w, owner) => make.citizenReport(w.vigil, w.orgId[owner], owner) },
  ),
  ...Object.fromEntries(
    (['start', 'complete', 'cancel'] as const).map((step) => [
      `POST /api/citizen-reports/work-orders/:id/${step}`,
      org(
        'act',
        R.triage,
        (t) => ({
          url: `/api/citizen-reports/work-orders/${t.fresh ?? t.o.workOrder}/${step}`,
          payload: step === 'complete' ? { note: 'Cleaned' } : step === 'cancel' ? { reason: 'Duplicate job' } : {},
        }),
        { fresh: (w, owner) => make.workOrder(w.vigil, w.owner[owner], w.orgId[owner], owner) },
      ),
    ]),
  ),
  'POST /api/citizen-reports/:id/resolve': org(
    'act',
    R.triage,
    (t) => ({ url: `/api/citizen-reports/${t.fresh ?? t.o.citizenReport}/resolve`, payload: { note: 'cleaned' } }),
    {
      fresh: (w, owner) => make.citizenReport(w.vigil, w.orgId[owner], owner),
    },
  ),
  // directory (ui lane, issue 18): names of the people, devices and units and the titles of the incidents the caller may read;
  // the platform's staff are city-wide.
  'GET /api/directory': list('read', 'authenticated', '/api/directory', (j) => [
    ...(j.users as { orgId: string }[]),
    ...(j.devices as { orgId: string }[]),
    ...(j.units as { orgId: string }[]),
    ...(j.incidents as { orgId: string }[]),
  ]),
  // exchange: the partner link (city-wide health), SitReps of incidents, resource messages between organisations, hospitals (city-wide)
  'GET /api/exchange/link': plain(R.exchangeWatch, get('/api/exchange/link')),
  'GET /api/exchange/incidents': plain(R.incView, get('/api/exchange/incidents')),
  'GET /api/exchange/incidents/:id/sitrep': org('read', R.incView, (t) => ({ url: `/api/exchange/incidents/${t.o.incident}/sitrep` }), {
    check: (r) => (/<SitRep xmlns="urn:oasis:names:tc:emergency:EDXL:SitRep:1.0">/.test(r.body) ? null : 'not a SitRep'),
  }),
  'GET /api/exchange/incidents/:id/partner-sitrep': org('read', R.incView, (t) => ({ url: `/api/exchange/incidents/${t.o.incident}/partner-sitrep` })),
  'GET /api/exchange/hospitals': plain('authenticated', get('/api/exchange/hospitals')),
  'POST /api/exchange/hospitals': cityWrite(R.hospitalReport, () => ({ url: '/api/exchange/hospitals', payload: HAVE_DOC, contentType: 'application/xml' })),
  'GET /api/exchange/resource-messages': plain(R.incView, get('/api/exchange/resource-messages')),
  'POST /api/exchange/resource-messages': plain(R.rmSend, (t) => ({
    url: '/api/exchange/resource-messages',
    payload: { type: 'RequestResource', toOrgId: t.w.orgId.organiser, resources: [{ elementId: '1', typeName: 'ambulance', quantity: 1 }] },
  })),
  'GET /api/exchange/resource-messages/:id/xml': org('read', R.incView, (t) => ({ url: `/api/exchange/resource-messages/${t.fresh ?? 'rm_none'}/xml` }), {
    fresh: async (w, owner) => {
      const r = await w.owner[owner].call('POST', '/api/exchange/resource-messages', {
        type: 'RequestResource',
        toOrgId: w.orgId.organiser,
        resources: [{ elementId: '1', typeName: 'ambulance', quantity: 2 }],
      });
      return (r.json as { message: { messageId: string } }).message.messageId;
    },
  }),
  // engagement (engage lane): the registry, consultations and grievances are their organisation's; the public reads published
  // consultations, answers and complains without an account (a malformed body here: the gate is what is checked, no quota spent).
  'GET /api/public/engagement/consultations': plain('public', get('/api/public/engagement/consultations'), {
    check: (r) => (r.body.includes('@example.org') || r.body.includes('followHash') ? 'a participant in the public list' : null),
  }),
  'GET /api/public/engagement/consultations/:id': plain('public', (t) => ({ url: `/api/public/engagement/consultations/${t.o.consultation}` }), {
    check: (r) => (r.body.includes('@example.org') ? 'a participant in a public consultation' : null),
  }),
  'POST /api/public/engagement/consultations/:id/answers': plain('public', (t) => ({
    url: `/api/public/engagement/consultations/${t.o.consultation}/answers`,
    payload: { text: 'x', position: 'support' },
  })),
  'POST /api/public/engagement/grievances': plain('public', () => ({ url: '/api/public/engagement/grievances', payload: { subject: '', text: 'x' } })),
  'GET /api/public/engagement/follow/:token': plain('public', get('/api/public/engagement/follow/no-such-token')),
  'GET /api/engagement': list('read', R.engage, '/api/engagement', (j) => [...j.stakeholders, ...j.relations, ...j.consultations, ...j.grievances]),
  'POST /api/engagement/stakeholders': plain(R.engage, () => ({
    url: '/api/engagement/stakeholders',
    payload: {
      name: fresh('Table stakeholder'),
      kind: 'organisation',
      parentId: null,
      capacity: null,
      scale: 'city',
      sector: 'private',
      categories: ['city-enabler'],
      stance: null,
      influence: 4,
      interest: 2,
      dimensions: { aims: 'a', challenges: 'c', potential: 'p', constraints: 'k', role: 'r', contributions: 'x' },
    },
  })),
  'PATCH /api/engagement/stakeholders/:id': org('manage', R.engage, (t) => ({
    url: `/api/engagement/stakeholders/${t.o.stakeholder}`,
    payload: { interest: 5 },
  })),
  'GET /api/engagement/stakeholders/:id/log': org('read', R.engage, (t) => ({ url: `/api/engagement/stakeholders/${t.o.stakeholder}/log` })),
  'POST /api/engagement/stakeholders/:id/log': org('act', R.engage, (t) => ({
    url: `/api/engagement/stakeholders/${t.o.stakeholder}/log`,
    payload: { kind: 'call', summary: 'table call' },
  })),
  'POST /api/engagement/relations': org(
    'manage',
    R.engage,
    (t) => ({ url: '/api/engagement/relations', payload: { fromId: t.fresh ?? t.o.stakeholder, toId: t.o.stakeholder, kind: 'partners-with' } }),
    { fresh: (w, owner) => make.stakeholder(w.owner[owner]) },
  ),
  'POST /api/engagement/consultations': plain(R.engage, () => ({
    url: '/api/engagement/consultations',
    payload: {
      title: fresh('Table consultation'),
      question: 'q?',
      information: 'i',
      invitedIds: [],
      openToPublic: true,
      opensAt: new Date(Date.now() + 3_600_000).toISOString(),
      closesAt: new Date(Date.now() + 7_200_000).toISOString(),
    },
  })),
  'GET /api/engagement/consultations/:id': org('read', R.engage, (t) => ({ url: `/api/engagement/consultations/${t.o.consultation}` }), {
    check: without(
      (t) => (t.rel === 'own' ? null : `participant-${t.key}@example.org`),
      () => 'followHash',
    ),
  }),
  'POST /api/engagement/consultations/:id/publish': org(
    'manage',
    R.engage,
    (t) => ({ url: `/api/engagement/consultations/${t.fresh ?? t.o.consultation}/publish` }),
    {
      fresh: (w, owner) => make.consultation(w.owner[owner], [], 'draft'),
    },
  ),
  'POST /api/engagement/consultations/:id/close': org(
    'manage',
    R.engage,
    (t) => ({ url: `/api/engagement/consultations/${t.fresh ?? t.o.consultation}/close` }),
    {
      fresh: (w, owner) => make.consultation(w.owner[owner], []),
    },
  ),
  'POST /api/engagement/consultations/:id/contributions': org('act', R.engage, (t) => ({
    url: `/api/engagement/consultations/${t.o.consultation}/contributions`,
    payload: { stakeholderId: t.o.stakeholder, text: 'our answer', position: 'mixed' },
  })),
  'POST /api/engagement/consultations/:id/decision': org(
    'manage',
    R.engage,
    (t) => ({ url: `/api/engagement/consultations/${t.fresh ?? t.o.consultation}/decision`, payload: { summary: 'decided', outcomes: [] } }),
    { fresh: (w, owner) => make.consultation(w.owner[owner], [], 'closed') },
  ),
  'POST /api/engagement/grievances': plain(R.engage, (t) => ({
    url: '/api/engagement/grievances',
    payload: { subject: 'table', text: 'a grievance', stakeholderId: t.o.stakeholder },
  })),
  'GET /api/engagement/grievances/:id': org('read', R.engage, (t) => ({ url: `/api/engagement/grievances/${t.o.grievance}` }), {
    check: without(
      (t) => (t.rel === 'own' ? null : `complainant-${t.key}@example.org`),
      () => 'followHash',
    ),
  }),
  'POST /api/engagement/grievances/:id/acknowledge': org(
    'act',
    R.engage,
    (t) => ({ url: `/api/engagement/grievances/${t.fresh ?? t.o.grievance}/acknowledge`, payload: {} }),
    {
      fresh: (w, owner) => make.grievance(w.owner[owner], w.owned[owner as OwnerKey].stakeholder),
    },
  ),
  'POST /api/engagement/grievances/:id/resolve': org(
    'act',
    R.engage,
    (t) => ({ url: `/api/engagement/grievances/${t.fresh ?? t.o.grievance}/resolve`, payload: { response: 'answered' } }),
    { fresh: (w, owner) => make.grievance(w.owner[owner], w.owned[owner as OwnerKey].stakeholder) },
  ),
  // event webhooks (webhooks lane): an organisation's subscriptions, managed by its administrators only
  'GET /api/webhooks/topics': plain(R.admin, get('/api/webhooks/topics')),
  'GET /api/webhooks': list('manage', R.admin, '/api/webhooks', (j) => j.subscriptions),
  'POST /api/webhooks': plain(R.admin, () => ({
    url: '/api/webhooks',
    payload: { name: fresh('events'), url: 'https://hooks.example.org/events', eventTypes: ['incidents.incident.opened'], roles: ['admin'] },
  })),
  'DELETE /api/webhooks/:id': org('manage', R.admin, (t) => ({ url: `/api/webhooks/${t.fresh ?? t.o.eventWebhook}` }), {
    fresh: (w, owner) => make.eventWebhook(w.owner[owner]),
  }),
  'GET /api/webhooks/:id/deliveries': org('manage', R.admin, (t) => ({ url: `/api/webhooks/${t.o.eventWebhook}/deliveries` })),
  'POST /api/webhooks/:id/test': org('manage', R.admin, (t) => ({ url: `/api/webhooks/${t.o.eventWebhook}/test` })),
  'PATCH /api/webhooks/:id': org('manage', R.admin, (t) => ({
    method: 'PATCH',
    url: `/api/webhooks/${t.o.eventWebhook}`,
    payload: { description: 'edited by the table' },
  })),
  'POST /api/webhooks/:id/pause': org('manage', R.admin, (t) => ({ url: `/api/webhooks/${t.o.eventWebhook}/pause` })),
  'POST /api/webhooks/:id/resume': org('manage', R.admin, (t) => ({ url: `/api/webhooks/${t.o.eventWebhook}/resume` })),
  'POST /api/webhooks/:id/rotate-secret': org('manage', R.admin, (t) => ({
    url: `/api/webhooks/${t.o.eventWebhook}/rotate-secret`,
    payload: { graceHours: 1 },
  })),
  'POST /api/webhooks/:id/deliveries/:deliveryId/resend': org(
    'manage',
    R.admin,
    (t) => {
      const [id, delivery] = (t.fresh ?? '').split(' ');
      return { url: `/api/webhooks/${id}/deliveries/${delivery}/resend` };
    },
    { fresh: (w, owner) => make.eventWebhookDelivery(w.owner[owner]) },
  ),
};
