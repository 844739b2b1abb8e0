import type { PeopleCount } from './model.js';

/** Largest count one counter may report (a stadium section; anything above is a broken device). */
export const MAX_COUNT = 1_000_000;
/** Readings dated more than this in the future are refused (device clock far ahead). */
export const MAX_FUTURE_MS = 60_000;

/** JSON schema of one reading over HTTP (checked again by `checkPeopleCount`). */
export const PEOPLE_COUNT_SCHEMA = {
  type: 'object',
  required: ['counterId'],
  additionalProperties: false,
  properties: {
    counterId: { type: 'string', minLength: 1, maxLength: 100 },
    count: { type: 'integer', minimum: 0, maximum: MAX_COUNT },
    in: { type: 'integer', minimum: 0, maximum: MAX_COUNT },
    out: { type: 'integer', minimum: 0, maximum: MAX_COUNT },
    at: { type: 'string', format: 'date-time', maxLength: 40 },
  },
} as const;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT;

/**
 * A people count, whatever carried it (MQTT `people-count`, camera webhook, HTTP):
 * an occupancy `count`, or line crossings `in`/`out` — never both, never neither.
 */
export function checkPeopleCount(
  m: { counterId: unknown; count?: unknown; in?: unknown; out?: unknown; at?: unknown },
  now: number,
): { ok: true; reading: PeopleCount } | { ok: false; problem: string } {
  if (typeof m.counterId !== 'string' || m.counterId.length === 0 || m.counterId.length > 100) return { ok: false, problem: 'a reading names its counter' };
  const hasCount = m.count !== undefined,
    hasLine = m.in !== undefined || m.out !== undefined;
  if (hasCount === hasLine) return { ok: false, problem: 'a reading has either a count (occupancy) or in/out (line crossings)' };
  if (hasCount && !isCount(m.count)) return { ok: false, problem: `count is a whole number 0–${MAX_COUNT}` };
  if (m.in !== undefined && !isCount(m.in)) return { ok: false, problem: `in is a whole number 0–${MAX_COUNT}` };
  if (m.out !== undefined && !isCount(m.out)) return { ok: false, problem: `out is a whole number 0–${MAX_COUNT}` };
  let at = now;
  if (m.at !== undefined) {
    at = typeof m.at === 'string' ? Date.parse(m.at) : Number.NaN;
    if (!Number.isFinite(at)) return { ok: false, problem: 'at is an ISO 8601 time' };
    if (at > now + MAX_FUTURE_MS) return { ok: false, problem: 'at is in the future' };
  }
  const reading: PeopleCount = hasCount
    ? { counterId: m.counterId, at, count: m.count as number }
    : { counterId: m.counterId, at, in: (m.in as number | undefined) ?? 0, out: (m.out as number | undefined) ?? 0 };
  return { ok: true, reading };
}
