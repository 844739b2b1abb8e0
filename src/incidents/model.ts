import type { LineString, Position } from '../kernel/geo.js';
import type { TitleParts } from '../alarms/contract.js';
import type { IncidentType } from './incident-types.js';

export const INCIDENT_STATUSES = ['new', 'dispatched', 'on-scene', 'contained', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * The status machine. Forward in order; a contained incident may flare up again
 * (back on scene); closing is possible from any open status (a false call is closed
 * from 'new') and needs a resolution.
 */
export const INCIDENT_TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  new: ['dispatched', 'closed'],
  dispatched: ['on-scene', 'closed'],
  'on-scene': ['contained', 'closed'],
  contained: ['on-scene', 'closed'],
  closed: [],
};

export const INCIDENT_RESOLUTIONS = ['resolved', 'false-alarm', 'no-action-needed', 'handed-over', 'duplicate', 'cancelled'] as const;
export type IncidentResolution = (typeof INCIDENT_RESOLUTIONS)[number];

/** Where an incident came from: a call-taker, an alarm escalated by an operator, a sensor rule, a camera, a citizen. */
export const INCIDENT_SOURCES = ['call', 'alarm', 'sensor', 'camera', 'citizen'] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];

export interface IncidentLocation {
  position: Position;
  address: string | null;
  /** The city model's site at (or within 60 m of) the position. */
  siteId: string | null;
  siteName: string | null;
}

export interface Assignment {
  unitId: string;
  callSign: string;
  orgId: string;
  at: string;
  by: string;
  etaSeconds: number | null;
  distanceM: number | null;
  /** The unit ranked first when this one was chosen instead; null when the recommendation was accepted. */
  recommendedUnitId: string | null;
  overrideReason: string | null;
  route: LineString | null;
  routeSource: string;
  releasedAt: string | null;
}

/**
 * What a title Vigil wrote is made of, so that a reader of another language reads it in theirs: an escalated
 * alarm's title parts (the alarm console's, src/alarms/alarm-title.ts), or the incident type and the place of a
 * title the call-taker left empty (« Incendie — École Jules Ferry »). The stored English `title` stays the record,
 * the exports' text and what a reader sees when the parts cannot be worded.
 */
export type IncidentTitleParts = { from: 'alarm'; alarm: TitleParts } | { from: 'type'; type: IncidentType; where: string };

export interface Incident {
  incidentId: string;
  /** Short reference people say on the radio: 'INC-0042'. */
  reference: string;
  type: IncidentType;
  /** 1 (life at risk now) … 5 (no urgency). */
  priority: number;
  title: string;
  /** What `title` is made of when Vigil wrote it; absent on older records and null when a person wrote the title. */
  titleParts?: IncidentTitleParts | null;
  description: string;
  location: IncidentLocation;
  source: IncidentSource;
  /** Who reported it (call-taker form), if given. */
  caller: { name: string | null; phone: string | null } | null;
  status: IncidentStatus;
  /** Owning organisation and the user who has it now. */
  orgId: string;
  ownerUserId: string | null;
  ownerName: string | null;
  /** The organisation that opened it (a MARC escalating an alarm keeps sight of it after a hand-over). */
  originOrgId: string;
  createdAt: string;
  createdBy: string;
  alarmIds: string[];
  alertIds: string[];
  assignments: Assignment[];
  statusHistory: { status: IncidentStatus; at: string; by: string }[];
  resolution: IncidentResolution | null;
  closedAt: string | null;
  /** The latest casualty counts the commander recorded, with who and when; absent until recorded (never zeros by default). */
  casualties?: CasualtyReport | null;
}

/** Casualties by triage category, as counted on scene (unknown: not yet triaged). */
export const TRIAGE_CATEGORIES = ['immediate', 'delayed', 'minor', 'deceased', 'unknown'] as const;
export type TriageCategory = (typeof TRIAGE_CATEGORIES)[number];
export type CasualtyCounts = Record<TriageCategory, number>;

export interface CasualtyReport {
  counts: CasualtyCounts;
  at: string;
  /** The actor (user id) and the name people know them by. */
  by: string;
  byName: string | null;
}

/** Two channels kept apart: internal (dispatch ↔ responders) and public information (press, citizens). */
export const CHANNELS = ['internal', 'public'] as const;
export type CommsChannel = (typeof CHANNELS)[number];

export interface AttachmentRef {
  attachmentId: string;
  name: string;
  contentType: string;
  bytes: number;
  sha256: string;
}

/** One line of an incident's communications log: a message, or an automatic entry. */
export interface LogEntry {
  entryId: string;
  channel: CommsChannel;
  kind: 'message' | 'status' | 'dispatch' | 'unit-status' | 'ownership' | 'link';
  at: string;
  actor: string;
  author: string | null;
  text: string;
  attachments: AttachmentRef[];
  alertIds: string[];
  /**
   * What an automatic entry says, for the reader's language (`text` is its English): the opening names the
   * incident's source, title (with its parts) and priority. Absent on messages and on the other automatic entries.
   */
  said?: { opened: { source: IncidentSource; priority: number; title: string; titleParts: IncidentTitleParts | null } };
}
