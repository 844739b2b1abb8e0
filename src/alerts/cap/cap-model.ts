/**
 * OASIS Common Alerting Protocol 1.2 as data: every element of alert, info,
 * resource and area with its enumerations, in the schema's order. Times are
 * strings in CAP's form (YYYY-MM-DDThh:mm:ss±hh:mm, never Z).
 */
export const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';

export const STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const SCOPES = ['Public', 'Restricted', 'Private'] as const;
export const CATEGORIES = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const;
export const RESPONSE_TYPES = ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None'] as const;
export const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;

export type CapStatus = (typeof STATUSES)[number];
export type CapMsgType = (typeof MSG_TYPES)[number];
export type CapScope = (typeof SCOPES)[number];
export type CapCategory = (typeof CATEGORIES)[number];
export type CapResponseType = (typeof RESPONSE_TYPES)[number];
export type CapUrgency = (typeof URGENCIES)[number];
export type CapSeverity = (typeof SEVERITIES)[number];
export type CapCertainty = (typeof CERTAINTIES)[number];

export interface CapValuePair {
  valueName: string;
  value: string;
}

export interface CapResource {
  resourceDesc: string;
  mimeType: string;
  size?: number;
  uri?: string;
  derefUri?: string;
  digest?: string;
}

export interface CapArea {
  areaDesc: string;
  /** Each "lat,lon lat,lon …", closed (first point repeated last), at least 4 points. */
  polygon?: string[];
  /** Each "lat,lon radiusKm". */
  circle?: string[];
  geocode?: CapValuePair[];
  altitude?: number;
  ceiling?: number;
}

export interface CapInfo {
  /** RFC 3066 language; CAP's default is en-US. */
  language?: string;
  category: CapCategory[];
  event: string;
  responseType?: CapResponseType[];
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  audience?: string;
  eventCode?: CapValuePair[];
  effective?: string;
  onset?: string;
  expires?: string;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  contact?: string;
  parameter?: CapValuePair[];
  resource?: CapResource[];
  area?: CapArea[];
}

export interface CapAlert {
  identifier: string;
  sender: string;
  sent: string;
  status: CapStatus;
  msgType: CapMsgType;
  source?: string;
  scope: CapScope;
  restriction?: string;
  addresses?: string;
  code?: string[];
  note?: string;
  /** Whitespace-separated "sender,identifier,sent" of the messages this one updates or cancels. */
  references?: string;
  incidents?: string;
  info?: CapInfo[];
}

/** CAP's dateTime: seconds precision, explicit offset (the schema refuses Z). */
export function capTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

export const capReference = (a: Pick<CapAlert, 'sender' | 'identifier' | 'sent'>): string => `${a.sender},${a.identifier},${a.sent}`;
