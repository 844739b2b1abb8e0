import type { Resolution, SignalKind, StepKind } from '../../src/alarms/contract.js';
import type { AlertState, CapCertainty, CapMsgType, CapScope, CapSeverity, CapStatus, CapUrgency, ChannelStatus } from '../../src/alerts/contract.js';
import type { IncidentResolution, IncidentSource, IncidentStatus, LogEntry } from '../../src/incidents/contract.js';
import type { InteractionKind, RelationKind } from '../../src/engagement/contract.js';
import type { Role } from '../../src/platform/contract.js';
import type { UnitKind, UnitStatus } from '../../src/units/contract.js';
import { DEVICE_KINDS, SITE_CATEGORIES, type DeviceKind, type SiteCategory } from '../../src/city/contract.js';
import type { ObservableType, Pap, Tlp } from '../../src/csirt/contract.js';

/**
 * Words for the values the API sends as slugs (English keys, translated by the locale files;
 * a test checks each has its French).
 */

/** What happened, in words (the API takes the slug). No default: the operator chooses. */
export const RESOLUTION_LABELS: Record<Resolution, string> = {
  genuine: 'Genuine alarm',
  'false-user-error': 'False alarm: user error',
  'false-device-fault': 'False alarm: device fault',
  'false-environment': 'False alarm: environment (weather, animals, works)',
  test: 'Test',
  duplicate: 'Duplicate of another alarm',
};

export const ALARM_KIND_LABELS: Record<SignalKind, string> = {
  fire: 'Fire',
  burglary: 'Intrusion',
  panic: 'Panic',
  'hold-up': 'Hold-up',
  duress: 'Duress',
  medical: 'Medical',
  tamper: 'Tamper',
  technical: 'Technical',
  gas: 'Gas',
  water: 'Water',
  heat: 'Heat',
  trouble: 'Trouble',
  test: 'Test',
  open: 'Opening',
  close: 'Closing',
  bypass: 'Bypass',
  supervisory: 'Supervisory',
  access: 'Access',
  'path-fault': 'Transmission path fault',
  schedule: 'Schedule',
  crowd: 'Crowd density',
  other: 'Other',
};

/** Where a public alert is in its life, in words (keys of their own: French agrees with « alerte », feminine). */
export const ALERT_STATE_LABELS: Record<AlertState, string> = {
  draft: 'alert-state:draft',
  'pending-approval': 'alert-state:pending-approval',
  issued: 'alert-state:issued',
  rejected: 'alert-state:rejected',
  cancelled: 'alert-state:cancelled',
  superseded: 'alert-state:superseded',
  imported: 'alert-state:imported',
};

/** Where an incident is, in words. */
export const INCIDENT_STATUS_LABELS: Readonly<Record<string, string>> = {
  new: 'status:new',
  dispatched: 'status:dispatched',
  'on-scene': 'status:on-scene',
  contained: 'status:contained',
  closed: 'status:closed',
} satisfies Record<IncidentStatus, string>;

/** What a unit is doing, in words (keys of their own: French agrees with « unité », feminine). */
export const UNIT_STATUS_LABELS: Readonly<Record<string, string>> = {
  available: 'unitstatus:available',
  dispatched: 'unitstatus:dispatched',
  'en-route': 'unitstatus:en-route',
  'on-scene': 'unitstatus:on-scene',
  returning: 'unitstatus:returning',
  'out-of-service': 'unitstatus:out-of-service',
} satisfies Record<UnitStatus, string>;

/** Kinds of unit, in words (the command map's legend uses the same keys). */
export const UNIT_KIND_LABELS: Readonly<Record<string, string>> = {
  'fire-engine': 'unitkind:fire-engine',
  ambulance: 'unitkind:ambulance',
  'police-car': 'unitkind:police-car',
  'private-guard': 'unitkind:private-guard',
  drone: 'unitkind:drone',
} satisfies Record<UnitKind, string>;

/** Keys of their own (the English word "Acknowledged" is translated otherwise for alert deliveries). */
export const ALARM_STATUS_LABELS: Record<string, string> = {
  new: 'alarm-status:new',
  claimed: 'alarm-status:claimed',
  acknowledged: 'alarm-status:acknowledged',
  closed: 'alarm-status:closed',
};

/** Areas of activity of the audit trail (event type prefixes). */
export const ACTIVITY_LABELS: Record<string, string> = {
  'alarms.': 'Alarms',
  'alerts.': 'Public alerts',
  'incidents.': 'Incidents',
  'units.': 'Units',
  'identity.': 'Accounts and sign-ins',
  'city.': 'City model',
  'crowd.': 'Crowd',
  'majorevents.': 'Major events',
  'privacy.': 'Privacy',
  'audit.': 'Audit trail',
};

/** What an audit entry is about when the directory has no name for it: the kind of thing (its id in the tooltip). */
export const SUBJECT_LABELS: Record<string, string> = {
  alarm: 'An alarm',
  alert: 'A public alert',
  incident: 'An incident',
  account: 'An alarm account',
  subscriber: 'An alert subscriber',
  majorevent: 'A major event',
  'crowd-zone': 'A crowd zone',
  gate: 'A gate',
  import: 'A city import',
  plan: 'An action plan',
  rule: 'An early-warning rule',
  webhook: 'A webhook',
  signal: 'A signal',
  'mqtt-credential': 'A device credential',
  'kpi-import': 'Imported statistics',
  'kpi-agreement': 'A service agreement',
  population: 'The population estimate',
  traffic: 'Road traffic',
  devices: 'Devices',
  node: 'A Vigil node',
  user: 'A user',
  org: 'An organisation',
  unit: 'A unit',
  site: 'A site',
  device: 'A device',
  asset: 'A device in the inventory',
  case: 'A CSIRT case',
  'vuln-import': 'A vulnerability import',
  'citizen-report': 'A citizen report',
  'security-alert': 'A security alert',
  advisory: 'A security advisory',
};

/** Action-plan steps, by what the operator does. */
export const STEP_KIND_LABELS: Record<StepKind, string> = {
  call: 'Call',
  'view-cameras': 'Cameras',
  notify: 'Notify',
  dispatch: 'Dispatch',
  check: 'Check',
};

/** Site categories of the city model, in words (the map's layer list). */
export const SITE_CATEGORY_LABELS: Record<SiteCategory, string> = {
  'fire-station': 'Fire station',
  'police-station': 'Police station',
  hospital: 'Hospital',
  clinic: 'Clinic',
  school: 'School',
  'town-hall': 'Town hall',
  'public-venue': 'Public venue',
  hotel: 'Hotel',
  transport: 'Transport',
  'place-of-worship': 'Place of worship',
  pharmacy: 'Pharmacy',
  'emergency-equipment': 'Emergency equipment',
  shelter: 'Shelter',
  building: 'Building',
};

/** Device kinds of the city model, in words. */
export const DEVICE_KIND_LABELS: Record<DeviceKind, string> = {
  'alarm-panel': 'Alarm panel',
  'smoke-detector': 'Smoke detector',
  'heat-detector': 'Heat detector',
  'motion-detector': 'Motion detector',
  'door-contact': 'Door contact',
  'glass-break': 'Glass-break detector',
  'panic-button': 'Panic button',
  'water-level-sensor': 'Water-level sensor',
  'gas-sensor': 'Gas sensor',
  camera: 'Camera',
  siren: 'Siren',
  loudspeaker: 'Loudspeaker',
  'noise-sensor': 'Noise sensor',
  'cell-site': 'Cell site',
  'people-counter': 'People counter',
};

/**
 * CAP's codes in words, per field (keys of their own: in French the severity, urgency and scope agree
 * with « alerte », feminine, and a code can read differently in two fields — « Unknown »). The code
 * itself stays in the tooltip (CapWord) and in the API, CAP XML and exports.
 */
export const CAP_WORDS = {
  severity: {
    Extreme: 'cap:severity:Extreme',
    Severe: 'cap:severity:Severe',
    Moderate: 'cap:severity:Moderate',
    Minor: 'cap:severity:Minor',
    Unknown: 'cap:severity:Unknown',
  } satisfies Record<CapSeverity, string>,
  urgency: {
    Immediate: 'cap:urgency:Immediate',
    Expected: 'cap:urgency:Expected',
    Future: 'cap:urgency:Future',
    Past: 'cap:urgency:Past',
    Unknown: 'cap:urgency:Unknown',
  } satisfies Record<CapUrgency, string>,
  certainty: {
    Observed: 'cap:certainty:Observed',
    Likely: 'cap:certainty:Likely',
    Possible: 'cap:certainty:Possible',
    Unlikely: 'cap:certainty:Unlikely',
    Unknown: 'cap:certainty:Unknown',
  } satisfies Record<CapCertainty, string>,
  status: {
    Actual: 'cap:status:Actual',
    Exercise: 'cap:status:Exercise',
    System: 'cap:status:System',
    Test: 'cap:status:Test',
    Draft: 'cap:status:Draft',
  } satisfies Record<CapStatus, string>,
  msgType: {
    Alert: 'cap:msgType:Alert',
    Update: 'cap:msgType:Update',
    Cancel: 'cap:msgType:Cancel',
    Ack: 'cap:msgType:Ack',
    Error: 'cap:msgType:Error',
  } satisfies Record<CapMsgType, string>,
  scope: {
    Public: 'cap:scope:Public',
    Restricted: 'cap:scope:Restricted',
    Private: 'cap:scope:Private',
  } satisfies Record<CapScope, string>,
} as const;

export type CapField = keyof typeof CAP_WORDS;

/**
 * CAP's codes as the value after the field's own label ("Certainty: Observed", « Certitude : observée »): in
 * French the word agrees with the label (gravité, urgence, certitude and portée are feminine) and takes no
 * capital after the colon, and « Unknown » reads « inconnue », not « Certitude : certitude inconnue ».
 */
export const CAP_PAIR_WORDS = {
  severity: Object.fromEntries(Object.keys(CAP_WORDS.severity).map((c) => [c, `cap-pair:severity:${c}`])),
  urgency: Object.fromEntries(Object.keys(CAP_WORDS.urgency).map((c) => [c, `cap-pair:urgency:${c}`])),
  certainty: Object.fromEntries(Object.keys(CAP_WORDS.certainty).map((c) => [c, `cap-pair:certainty:${c}`])),
  scope: Object.fromEntries(Object.keys(CAP_WORDS.scope).map((c) => [c, `cap-pair:scope:${c}`])),
} as const;

export type CapPairField = keyof typeof CAP_PAIR_WORDS;

/** The field's label, for "Label: value" (en) / « Label : valeur » (fr). */
export const CAP_FIELD_LABELS: Readonly<Record<CapPairField, string>> = {
  severity: 'Severity',
  urgency: 'Urgency',
  certainty: 'Certainty',
  scope: 'Scope',
};

/** A CAP field's label and value in the reader's language, split around the value: ["Certitude : ", "observée", ""]. */
export function capPairParts(t: (key: string) => string, field: CapPairField, code: string): [string, string, string] {
  const [before = '', after = ''] = t('{label}: {value}').replace('{label}', t(CAP_FIELD_LABELS[field])).split('{value}');
  return [before, capPairWord(t, field, code), after];
}

/** The value words of a CAP code after its label (the code itself when CAP does not define it). */
export function capPairWord(t: (key: string) => string, field: CapPairField, code: string | undefined | null): string {
  if (!code) return '';
  const key = (CAP_PAIR_WORDS[field] as Record<string, string>)[code];
  return key ? t(key) : code;
}

/** The words for a CAP code in the reader's language (the code itself when CAP does not define it). */
export function capWord(t: (key: string) => string, field: CapField, code: string | undefined | null): string {
  if (!code) return '';
  const key = (CAP_WORDS[field] as Record<string, string>)[code];
  return key ? t(key) : code;
}

/** Kinds of organisation, in words (the API and the admin's select take the slug). */
export const ORG_KIND_LABELS: Readonly<Record<string, string>> = {
  city: 'orgkind:city',
  police: 'orgkind:police',
  fire: 'orgkind:fire',
  ems: 'orgkind:ems',
  monitoring: 'orgkind:monitoring',
  security: 'orgkind:security',
  'event-organiser': 'orgkind:event-organiser',
  utility: 'orgkind:utility',
  other: 'orgkind:other',
};

/** Roles, in words. */
export const ROLE_LABELS: Readonly<Record<string, string>> = {
  operator: 'role:operator',
  supervisor: 'role:supervisor',
  'alert-officer': 'role:alert-officer',
  commander: 'role:commander',
  responder: 'role:responder',
  analyst: 'role:analyst',
  csirt: 'role:csirt',
  admin: 'role:admin',
} satisfies Record<Role, string>;

/** What an incident's communications-log entry records, in words. */
export const COMMS_KIND_LABELS: Readonly<Record<string, string>> = {
  message: 'commskind:message',
  status: 'commskind:status',
  dispatch: 'commskind:dispatch',
  'unit-status': 'commskind:unit-status',
  ownership: 'commskind:ownership',
  link: 'commskind:link',
} satisfies Record<LogEntry['kind'], string>;

/** How a stakeholder relates to another (engagement), in words. */
export const RELATION_KIND_LABELS: Readonly<Record<string, string>> = {
  'member-of': 'relation:member-of',
  represents: 'relation:represents',
  'partners-with': 'relation:partners-with',
  funds: 'relation:funds',
  regulates: 'relation:regulates',
  supplies: 'relation:supplies',
  informs: 'relation:informs',
  opposes: 'relation:opposes',
} satisfies Record<RelationKind, string>;

/** Which report of the series an EDXL-SitRep is (its reportVersion), in words. */
export const SITREP_VERSION_LABELS: Readonly<Record<string, string>> = {
  Initial: 'sitrep:Initial',
  Update: 'sitrep:Update',
  Final: 'sitrep:Final',
};

/** Where an alert's delivery on one channel is, in words. */
export const DELIVERY_STATUS_LABELS: Readonly<Record<string, string>> = {
  sending: 'delivery:sending',
  done: 'delivery:done',
  unavailable: 'delivery:unavailable',
} satisfies Record<ChannelStatus, string>;

/** The words for a slug from one of these tables, translated; the slug itself when the table does not know it. */
export const wordFor = (t: (key: string) => string, table: Readonly<Record<string, string>>, slug: string): string => (table[slug] ? t(table[slug]) : slug);

/** Kinds of interaction with a stakeholder (engagement), in words. */
export const INTERACTION_KIND_LABELS: Readonly<Record<string, string>> = {
  meeting: 'interaction:meeting',
  call: 'interaction:call',
  letter: 'interaction:letter',
  email: 'interaction:email',
  workshop: 'interaction:workshop',
  'site-visit': 'interaction:site-visit',
  other: 'interaction:other',
} satisfies Record<InteractionKind, string>;

/** How an incident was closed, in words. */
export const INCIDENT_RESOLUTION_LABELS: Readonly<Record<string, string>> = {
  resolved: 'incident-resolution:resolved',
  'false-alarm': 'incident-resolution:false-alarm',
  'no-action-needed': 'incident-resolution:no-action-needed',
  'handed-over': 'incident-resolution:handed-over',
  duplicate: 'incident-resolution:duplicate',
  cancelled: 'incident-resolution:cancelled',
} satisfies Record<IncidentResolution, string>;

/** Where an incident came from, in words. */
export const INCIDENT_SOURCE_LABELS: Readonly<Record<string, string>> = {
  call: 'incident-source:call',
  alarm: 'incident-source:alarm',
  sensor: 'incident-source:sensor',
  camera: 'incident-source:camera',
  citizen: 'incident-source:citizen',
} satisfies Record<IncidentSource, string>;

/** The CAP categories, in words (the grant of an authority to alert lists them; CAP carries the code). */
export const CAP_CATEGORY_LABELS: Record<string, string> = {
  Geo: 'cap-category:Geo',
  Met: 'cap-category:Met',
  Safety: 'cap-category:Safety',
  Security: 'cap-category:Security',
  Rescue: 'cap-category:Rescue',
  Fire: 'cap-category:Fire',
  Health: 'cap-category:Health',
  Env: 'cap-category:Env',
  Transport: 'cap-category:Transport',
  Infra: 'cap-category:Infra',
  CBRNE: 'cap-category:CBRNE',
  Other: 'cap-category:Other',
};

/** What CAP tells people to do (responseType), in words; the code stays in the tooltip and in CAP. */
export const CAP_RESPONSE_LABELS: Record<string, string> = {
  Shelter: 'cap-response:Shelter',
  Evacuate: 'cap-response:Evacuate',
  Prepare: 'cap-response:Prepare',
  Execute: 'cap-response:Execute',
  Avoid: 'cap-response:Avoid',
  Monitor: 'cap-response:Monitor',
  Assess: 'cap-response:Assess',
  AllClear: 'cap-response:AllClear',
  None: 'cap-response:None',
};

/** MapLibre's own texts (its zoom, compass, attribution and gesture hints), by MapLibre's key: the maps show them in the user's language. */
export const MAP_UI_TEXTS: Record<string, string> = {
  'AttributionControl.ToggleAttribution': 'Toggle attribution',
  'AttributionControl.MapFeedback': 'Map feedback',
  'FullscreenControl.Enter': 'Enter fullscreen',
  'FullscreenControl.Exit': 'Exit fullscreen',
  'GeolocateControl.FindMyLocation': 'Find my location',
  'GeolocateControl.LocationNotAvailable': 'Location not available',
  'LogoControl.Title': 'MapLibre logo',
  'Map.Title': 'Map',
  'Marker.Title': 'Map marker',
  'NavigationControl.ResetBearing': 'Drag to rotate map, click to reset north',
  'NavigationControl.ZoomIn': 'Zoom in',
  'NavigationControl.ZoomOut': 'Zoom out',
  'Popup.Close': 'Close popup',
  'CooperativeGesturesHandler.WindowsHelpText': 'Use Ctrl + scroll to zoom the map',
  'CooperativeGesturesHandler.MacHelpText': 'Use ⌘ + scroll to zoom the map',
  'CooperativeGesturesHandler.MobileHelpText': 'Use two fingers to move the map',
};

/** Kinds of CSIRT observable, in words (the API, STIX and MISP exports keep the type code, shown in the tooltip). */
export const OBSERVABLE_TYPE_LABELS = {
  ipv4: 'observable:ipv4',
  ipv6: 'observable:ipv6',
  domain: 'observable:domain',
  url: 'observable:url',
  email: 'observable:email',
  sha256: 'observable:sha256',
  sha1: 'observable:sha1',
  md5: 'observable:md5',
  cve: 'observable:cve',
  device: 'observable:device',
  'dc09-account': 'observable:dc09-account',
  'user-account': 'observable:user-account',
  hostname: 'observable:hostname',
  other: 'observable:other',
} satisfies Record<ObservableType, string>;

/**
 * What a TLP level means, for the tooltip of its code: TLP:AMBER and the like stay as written (CSIRT analysts
 * read the codes; FIRST TLP 2.0), the meaning is in the reader's language.
 */
export const TLP_MEANINGS = {
  clear: 'tlp-meaning:clear',
  green: 'tlp-meaning:green',
  amber: 'tlp-meaning:amber',
  'amber+strict': 'tlp-meaning:amber+strict',
  red: 'tlp-meaning:red',
} satisfies Record<Tlp, string>;

/** What a PAP level permits, for the tooltip of its code. */
export const PAP_MEANINGS = {
  clear: 'pap-meaning:clear',
  green: 'pap-meaning:green',
  amber: 'pap-meaning:amber',
  red: 'pap-meaning:red',
} satisfies Record<Pap, string>;

/** Incident types, in words (the call-taker form, the incident view, a title Vigil wrote from the type and the place). */
export const INCIDENT_TYPE_LABELS: Readonly<Record<string, string>> = {
  fire: 'incident-type:fire',
  medical: 'incident-type:medical',
  'traffic-accident': 'incident-type:traffic-accident',
  'technical-rescue': 'incident-type:technical-rescue',
  'water-rescue': 'incident-type:water-rescue',
  hazmat: 'incident-type:hazmat',
  'gas-leak': 'incident-type:gas-leak',
  crime: 'incident-type:crime',
  intrusion: 'incident-type:intrusion',
  'public-disorder': 'incident-type:public-disorder',
  'suspicious-object': 'incident-type:suspicious-object',
  'alarm-verification': 'incident-type:alarm-verification',
  flood: 'incident-type:flood',
  other: 'incident-type:other',
};

/** The templates of the names Vigil generates (src/city/generated-label.ts), each its own English key. */
export const GENERATED_NAME_TEXTS: Readonly<Record<string, string>> = Object.fromEntries(
  [
    '{kind} — {where}',
    'Panel {account} — {where}',
    'Site camera — {where}',
    'Siren — {where}',
    'Noise sensor (dB(A)) — {device}',
    'DEMO cell site (invented) {n}, sector {sector} — {where}',
    'Water level gauge — {where}',
    '{category} in {area}',
    '{category}',
  ].map((template) => [template, template]),
);

/** Device kinds and site categories inside a generated name (« sirène », "school in Monte-Carlo"): lower case, keys of their own. */
export const IN_NAME_WORDS: Readonly<Record<string, string>> = Object.fromEntries(
  [...DEVICE_KINDS, ...SITE_CATEGORIES].map((slug) => [slug, `in-name:${slug}`]),
);

/**
 * Every word table of this file, by name: slug → translation key. The locale check (test/ui/locales.test.ts) reads
 * them from here, so a new table joins the check by joining this record. Only word tables: CAP_FIELD_LABELS' values
 * are English keys the UI asks for through t() itself, and the functions above are not tables.
 */
export const wordTables: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  RESOLUTION_LABELS,
  ALARM_KIND_LABELS,
  ALARM_STATUS_LABELS,
  ALERT_STATE_LABELS,
  INCIDENT_STATUS_LABELS,
  UNIT_KIND_LABELS,
  UNIT_STATUS_LABELS,
  ACTIVITY_LABELS,
  SUBJECT_LABELS,
  STEP_KIND_LABELS,
  SITE_CATEGORY_LABELS,
  DEVICE_KIND_LABELS,
  ORG_KIND_LABELS,
  ROLE_LABELS,
  COMMS_KIND_LABELS,
  RELATION_KIND_LABELS,
  INTERACTION_KIND_LABELS,
  SITREP_VERSION_LABELS,
  DELIVERY_STATUS_LABELS,
  INCIDENT_RESOLUTION_LABELS,
  INCIDENT_SOURCE_LABELS,
  CAP_CATEGORY_LABELS,
  CAP_RESPONSE_LABELS,
  MAP_UI_TEXTS,
  OBSERVABLE_TYPE_LABELS,
  TLP_MEANINGS,
  PAP_MEANINGS,
  INCIDENT_TYPE_LABELS,
  GENERATED_NAME_TEXTS,
  IN_NAME_WORDS,
  ...Object.fromEntries(Object.entries(CAP_WORDS).map(([field, table]) => [`CAP_WORDS.${field}`, table])),
  ...Object.fromEntries(Object.entries(CAP_PAIR_WORDS).map(([field, table]) => [`CAP_PAIR_WORDS.${field}`, table])),
};
