/**
 * Vigil stores every time in UTC (ISO 8601 with Z) and converts to the city's
 * time zone only for display. A Clock is injected wherever time matters so tests
 * and replays can control it.
 */
export interface Clock {
  now(): number; // epoch milliseconds
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock another thread can read as it is set: its time lives in shared memory (a Float64Array of one). */
export interface SharedClock extends Clock {
  shared(): SharedArrayBuffer;
}

export const isSharedClock = (clock: Clock): clock is SharedClock => typeof (clock as Partial<SharedClock>).shared === 'function';

/** Reads a SharedClock's time in another thread. */
export const clockFromShared = (memory: SharedArrayBuffer): Clock => {
  const cell = new Float64Array(memory);
  return { now: () => cell[0]! };
};

/** Tests' clock. Its time is in shared memory, so the DC-09 receiver thread reads the same time the test set. */
export class ManualClock implements SharedClock {
  private readonly cell = new Float64Array(new SharedArrayBuffer(8));
  constructor(t = Date.UTC(2026, 0, 1)) {
    this.cell[0] = t;
  }
  now(): number {
    return this.cell[0]!;
  }
  advance(ms: number): void {
    this.cell[0] = this.cell[0]! + ms;
  }
  set(ms: number): void {
    this.cell[0] = ms;
  }
  shared(): SharedArrayBuffer {
    return this.cell.buffer as SharedArrayBuffer;
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

export interface ZonedParts {
  /** 'YYYY-MM-DD' in the zone. */
  date: string;
  /** 0 = Sunday … 6 = Saturday, in the zone. */
  weekday: number;
  minutesOfDay: number;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date, weekday and time of day of an instant in an IANA zone. */
export function zonedParts(ms: number, timeZone: string): ZonedParts {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    partsFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday!);
  return { date: `${p.year}-${p.month}-${p.day}`, weekday, minutesOfDay: Number(p.hour) * 60 + Number(p.minute) };
}
