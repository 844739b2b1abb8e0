import type { LineString, Point, Polygon } from '../kernel/geo.js';

/**
 * Clearance levels inside a major event. A principal acts at one level per event;
 * every feature, message, upload and piece of guidance names the lowest level that
 * may see it. Named so that people and tests speak of "officer", not "3".
 */
export const CLEARANCE_LEVELS = [
  { level: 1, name: 'public-info', label: 'Public information' },
  { level: 2, name: 'staff', label: 'Steward / staff' },
  { level: 3, name: 'officer', label: 'Officer' },
  { level: 4, name: 'command', label: 'Command' },
] as const;
export type Clearance = 1 | 2 | 3 | 4;
export const CLEARANCE = { publicInfo: 1, staff: 2, officer: 3, command: 4 } as const satisfies Record<string, Clearance>;
export const levelName = (level: number): string => CLEARANCE_LEVELS.find((l) => l.level === level)?.name ?? 'none';

/**
 * The highest level needs a completed second factor (session authLevel 2): a
 * password-only session (or an API key) is capped one level below.
 */
export const SECOND_FACTOR_FROM: Clearance = CLEARANCE.command;

/** What can be drawn on an event's map, and the geometry each kind takes. */
export const FEATURE_KINDS = ['perimeter', 'zone', 'gate', 'first-aid', 'evacuation-route', 'resource'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];
export const GEOMETRY_OF_KIND: Record<FeatureKind, 'Point' | 'LineString' | 'Polygon'> = {
  perimeter: 'Polygon',
  zone: 'Polygon',
  gate: 'Point',
  'first-aid': 'Point',
  'evacuation-route': 'LineString',
  resource: 'Point',
};
export type FeatureGeometry = Point | LineString | Polygon;

/** Explicit lifecycle; the status people see also follows the time window (eventStatus). */
export type EventPhase = 'scheduled' | 'started' | 'stood-down';
export type EventStatus = 'planned' | 'active' | 'ended';

export interface Participant {
  orgId: string;
  orgName: string;
  /** No member of this organisation acts above this level in the event. */
  maxClearance: Clearance;
  /** Level of the organisation's users who are not listed as members. */
  defaultClearance: Clearance;
}

export interface Member {
  userId: string;
  username: string;
  displayName: string;
  orgId: string;
  /** The role in this event ("Gold commander", "Gate steward"). */
  eventRole: string;
  clearance: Clearance;
}

export interface MajorEvent {
  eventId: string;
  name: string;
  description: string;
  ownerOrgId: string;
  startsAt: string;
  endsAt: string;
  phase: EventPhase;
  startedAt: string | null;
  stoodDownAt: string | null;
  participants: Participant[];
  members: Member[];
  createdAt: string;
  createdBy: string;
}

/** Who may see an item: the lowest clearance, and (null = every participant) the organisations it is shared with. */
export interface Visibility {
  minClearance: Clearance;
  sharedWith: string[] | null;
  /** The author's organisation always sees its own items (subject to the clearance). */
  orgId: string;
}

export interface EventFeature extends Visibility {
  featureId: string;
  eventId: string;
  kind: FeatureKind;
  name: string;
  note: string;
  geometry: FeatureGeometry;
  createdBy: string;
  updatedAt: string;
}

export const LINK_KINDS = ['feature', 'upload', 'message', 'incident', 'unit'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];
export interface EntityLink {
  kind: LinkKind;
  id: string;
}

export interface EventMessage extends Visibility {
  messageId: string;
  eventId: string;
  text: string;
  author: string;
  actor: string;
  links: EntityLink[];
  at: string;
}

export const UPLOAD_KINDS = ['photo', 'note', 'layer'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];
export interface EventUpload extends Visibility {
  uploadId: string;
  eventId: string;
  kind: UploadKind;
  name: string;
  contentType: string;
  bytes: number;
  sha256: string;
  /** A note's text (small, kept in the projection); photos and layers stay in the log. */
  text: string | null;
  /** A layer's number of features. */
  features: number | null;
  author: string;
  actor: string;
  at: string;
}

export const GUIDANCE_SOURCES = ['route-foot', 'route-car', 'drawn'] as const;
export type GuidanceSource = (typeof GUIDANCE_SOURCES)[number];
export interface Acknowledgement {
  userId: string;
  displayName: string;
  orgId: string;
  at: string;
}
export interface Guidance {
  guidanceId: string;
  eventId: string;
  instruction: string;
  geometry: LineString;
  source: GuidanceSource;
  distanceM: number | null;
  durationS: number | null;
  toOrgIds: string[];
  toUserIds: string[];
  senderOrgId: string;
  sender: string;
  actor: string;
  at: string;
  acks: Acknowledgement[];
}
