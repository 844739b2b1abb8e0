import { badRequest } from '../kernel/errors.js';

/**
 * What Vigil carries about an incident inside an EDXL-DE envelope (embedded JSON content):
 * the whole incident as the sender holds it after the change, with a version (the sender's
 * event sequence number). A receiver applies a version once and ignores older ones, so
 * retries, redeliveries and reordering all converge on the sender's latest state.
 */
export interface IncidentSnapshot {
  id: string;
  reference: string;
  version: number;
  type: string;
  priority: number;
  title: string;
  description: string;
  /** [lon, lat] */
  position: [number, number];
  address: string | null;
  status: string;
  resolution: string | null;
  createdAt: string;
  closedAt: string | null;
  /** Call signs of the units on it now. */
  units: string[];
}

export interface IncidentMessage {
  vigil: 'incident';
  change: string;
  note: string | null;
  incident: IncidentSnapshot;
}

const STATUSES = ['new', 'dispatched', 'on-scene', 'contained', 'closed'];
const MAX_TEXT = 10_000;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function s(o: Record<string, unknown>, k: string, max = 500, nullable = false): string | null {
  const v = o[k];
  if (nullable && (v === null || v === undefined)) return null;
  if (typeof v !== 'string' || v.length > max) throw badRequest(`incident message: ${k} must be a string of at most ${max} characters`);
  return v;
}

/** Reads and checks an incident message (outside input: every field's type and bounds). */
export function readIncidentMessage(input: unknown): IncidentMessage {
  if (!isObj(input) || input.vigil !== 'incident') throw badRequest('incident message: expected {vigil: "incident", …}');
  const i = input.incident;
  if (!isObj(i)) throw badRequest('incident message: incident must be an object');
  const position = i.position;
  if (
    !Array.isArray(position) ||
    position.length !== 2 ||
    typeof position[0] !== 'number' ||
    typeof position[1] !== 'number' ||
    !(Math.abs(position[0]) <= 180 && Math.abs(position[1]) <= 90)
  )
    throw badRequest('incident message: position is [lon, lat]');
  const version = i.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) throw badRequest('incident message: version is a non-negative integer');
  const priority = i.priority;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > 5) throw badRequest('incident message: priority is 1 to 5');
  const status = s(i, 'status', 20)!;
  if (!STATUSES.includes(status)) throw badRequest(`incident message: status is one of ${STATUSES.join(', ')}`);
  const units = i.units === undefined ? [] : i.units;
  if (!Array.isArray(units) || units.length > 200 || !units.every((u) => typeof u === 'string' && u.length <= 100))
    throw badRequest('incident message: units are call signs');
  const id = s(i, 'id', 200)!;
  if (!id.trim()) throw badRequest('incident message: id is required');
  return {
    vigil: 'incident',
    change: s(input, 'change', 40)!,
    note: s(input, 'note', MAX_TEXT, true),
    incident: {
      id,
      reference: s(i, 'reference', 100)!,
      version,
      type: s(i, 'type', 60)!,
      priority,
      title: s(i, 'title', 500)!,
      description: s(i, 'description', MAX_TEXT)!,
      position: [position[0], position[1]],
      address: s(i, 'address', 500, true),
      status,
      resolution: s(i, 'resolution', 40, true),
      createdAt: s(i, 'createdAt', 40)!,
      closedAt: s(i, 'closedAt', 40, true),
      units: units as string[],
    },
  };
}
