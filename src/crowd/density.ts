import { HYSTERESIS, type Level } from './model.js';

export interface Thresholds {
  warningDensity: number;
  criticalDensity: number;
}

const RANK: Record<Level, number> = { normal: 0, warning: 1, critical: 2 };
const BY_RANK: Level[] = ['normal', 'warning', 'critical'];

export function densityOf(occupancy: number, areaM2: number): number {
  return areaM2 > 0 ? occupancy / areaM2 : 0;
}

/** The level a density reaches on its own (no history). */
export function rawLevel(density: number, t: Thresholds): Level {
  return density >= t.criticalDensity ? 'critical' : density >= t.warningDensity ? 'warning' : 'normal';
}

/**
 * The next level with hysteresis: a level is entered at its threshold and kept until
 * density falls `HYSTERESIS` below it, so a count oscillating at a threshold does not
 * raise and restore an alarm every window.
 */
export function nextLevel(current: Level, density: number, t: Thresholds): Level {
  if (!Number.isFinite(density) || density < 0) return current;
  const up = rawLevel(density, t);
  if (RANK[up] >= RANK[current]) return up;
  const keep = 1 - HYSTERESIS;
  if (current === 'critical' && density >= t.criticalDensity * keep) return 'critical';
  if (RANK[current] >= 1 && density >= t.warningDensity * keep) return 'warning';
  return BY_RANK[Math.min(RANK[current], RANK[up])]!;
}

/** Change of density per minute over the recent windows (positive: filling up). */
export function trendPerMin(history: readonly [number, number][], now: number, spanMs = 5 * 60_000): number {
  const recent = history.filter(([at]) => at >= now - spanMs);
  if (recent.length < 2) return 0;
  const [t0, d0] = recent[0]!,
    [t1, d1] = recent[recent.length - 1]!;
  // At least a minute: a jump between two windows a second apart is not extrapolated to a huge rate.
  return t1 > t0 ? ((d1 - d0) * 60_000) / Math.max(60_000, t1 - t0) : 0;
}
