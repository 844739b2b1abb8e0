import type { IncidentTitleParts } from '../../../../src/incidents/contract.js';
/** Shapes of /api/incidents and /api/units answers the incident pages use. */
export interface Fix {
  at: number;
  position: [number, number];
  speed: number | null;
  heading: number | null;
}
export interface Unit {
  unitId: string;
  callSign: string;
  kind: string;
  capabilities: string[];
  status: string;
  incidentId: string | null;
  orgId: string;
  position: Fix | null;
  homePosition: [number, number];
  crew: { name: string; role: string }[];
  demo: boolean;
}
export interface Assignment {
  unitId: string;
  callSign: string;
  at: string;
  etaSeconds: number | null;
  distanceM: number | null;
  recommendedUnitId: string | null;
  overrideReason: string | null;
  route: { type: 'LineString'; coordinates: [number, number][] } | null;
  routeSource: string;
  releasedAt: string | null;
}
export interface Incident {
  incidentId: string;
  reference: string;
  type: string;
  priority: number;
  title: string;
  /** What the title is made of when Vigil wrote it (incident-titles.ts words it); absent on older records. */
  titleParts?: IncidentTitleParts | null;
  description: string;
  status: string;
  source: string;
  location: { position: [number, number]; address: string | null; siteId: string | null; siteName: string | null };
  caller: { name: string | null; phone: string | null } | null;
  orgId: string;
  ownerName: string | null;
  createdAt: string;
  alarmIds: string[];
  alertIds: string[];
  assignments: Assignment[];
  resolution: string | null;
  /** Absent or null until the incident's command records them. */
  casualties?: { counts: CasualtyCounts; at: string; by: string; byName: string | null } | null;
}
export const TRIAGE = ['immediate', 'delayed', 'minor', 'deceased', 'unknown'] as const;
export type CasualtyCounts = Record<(typeof TRIAGE)[number], number>;
export interface LogEntry {
  entryId: string;
  channel: 'internal' | 'public';
  kind: string;
  at: string;
  actor: string;
  author: string | null;
  text: string;
  attachments: { attachmentId: string; name: string; bytes: number }[];
  alertIds: string[];
  /** An automatic entry's parts (CommsLog words them); absent on messages and older nodes' entries. */
  said?: { opened?: { source: string; priority: number; title: string; titleParts: IncidentTitleParts | null } };
}
export interface Recommendation {
  travelTimes: string;
  ranked: { unit: Unit; etaSeconds: number | null; distanceM: number }[];
  excluded: { unitId: string; callSign: string; reason: string }[];
}

export const NEXT_STATUS: Record<string, string[]> = { new: [], dispatched: ['on-scene'], 'on-scene': ['contained'], contained: ['on-scene'], closed: [] };
export const RESOLUTIONS = ['resolved', 'false-alarm', 'no-action-needed', 'handed-over', 'duplicate', 'cancelled'];
export { UNIT_COLOURS } from '../../components/map-legend.js';
export const minutes = (s: number | null): string => (s === null ? '–' : `${Math.max(1, Math.round(s / 60))} min`);
