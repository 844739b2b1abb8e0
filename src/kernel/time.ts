/**
 * Vigil stores every time in UTC (ISO 8601 with Z) and converts to the city's
 * time zone only for display. A Clock is injected wherever time matters so tests
 * and replays can control it.
 */
export interface Clock {
  now(): number; // epoch milliseconds
}

export const systemClock: Clock = { now: () => Date.now() };

export class ManualClock implements Clock {
  constructor(private t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

export const isoUtc = (ms: number): string => new Date(ms).toISOString();

/** Format a UTC instant in a given IANA time zone, e.g. for CLI output. */
export function formatInZone(ms: number, timeZone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(new Date(ms));
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}
