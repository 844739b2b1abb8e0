import type { LonLat } from './targeting/area-geometry.js';
import type { AlertRecord } from './model.js';

/**
 * Evacuation guidance for an alert at a place, in a language ("Walk north-west along
 * … to assembly point …, 600 m, about 8 min"), or null when the alert asks for no
 * evacuation or no route is known there. The routing capability supplies it
 * (src/routing/alert-evacuation.ts); the alerts capability only carries it into
 * messages and the public pages.
 */
export type GuidanceSource = (alert: AlertRecord, at: LonLat | null, language: string) => string | null;

export const noGuidance: GuidanceSource = () => null;

/** Alerts whose instruction is to leave: CAP responseType Evacuate in any info block. */
export function asksToEvacuate(alert: AlertRecord): boolean {
  return alert.cap.msgType !== 'Cancel' && (alert.cap.info ?? []).some((i) => i.responseType?.includes('Evacuate'));
}

/** CAP <parameter> naming how fast the hazard spreads (metres per minute), for plans that keep walkers ahead of it. */
export const SPREAD_PARAMETER = 'hazardSpreadMPerMin';
