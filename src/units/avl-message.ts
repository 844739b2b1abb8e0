import { Ajv, type ValidateFunction } from 'ajv';
import type { Fix } from './model.js';

/**
 * The JSON an AVL device sends, over MQTT (`vigil/units/<unitId>/position`) or HTTP
 * (docs/units.md). Speed in m/s, heading in degrees from north, `at` ISO 8601 UTC.
 */
export const AVL_MESSAGE_SCHEMA = {
  type: 'object',
  required: ['lon', 'lat'],
  additionalProperties: false,
  properties: {
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    speed: { type: ['number', 'null'], minimum: 0, maximum: 300 },
    heading: { type: ['number', 'null'], minimum: 0, maximum: 360 },
    at: { type: 'string', format: 'date-time', maxLength: 40 },
  },
} as const;

interface AvlMessage {
  lon: number;
  lat: number;
  speed?: number | null;
  heading?: number | null;
  at?: string;
}

const ajv = new Ajv({ allErrors: true });
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)));
// Compiled at the first message, not when the module loads (part of every start, most of which never see one).
let compiled: ValidateFunction<AvlMessage> | null = null;
const validate = (json: unknown): json is AvlMessage => (compiled ??= ajv.compile<AvlMessage>(AVL_MESSAGE_SCHEMA))(json);

/** A fix may be late (buffered in a tunnel) but not from the future beyond clock drift. */
export const MAX_FUTURE_MS = 60_000;
export const MAX_AGE_MS = 24 * 3600_000;

/** Checks a parsed JSON value; `now` is the receiver's clock (fixes without `at` get it). */
export function checkAvlMessage(json: unknown, now: number): { ok: true; fix: Fix } | { ok: false; problem: string } {
  if (!validate(json)) return { ok: false, problem: ajv.errorsText(compiled?.errors) };
  const at = json.at === undefined ? now : Date.parse(json.at);
  if (at > now + MAX_FUTURE_MS) return { ok: false, problem: `fix time ${json.at} is in the future` };
  if (at < now - MAX_AGE_MS) return { ok: false, problem: `fix time ${json.at} is more than 24 h old` };
  return { ok: true, fix: { at, position: [json.lon, json.lat], speed: json.speed ?? null, heading: json.heading ?? null } };
}

export function parseAvlMessage(payload: Buffer, now: number): { ok: true; fix: Fix } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, problem: 'payload is not JSON' };
  }
  return checkAvlMessage(json, now);
}
