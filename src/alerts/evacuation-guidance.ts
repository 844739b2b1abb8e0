import type { LonLat } from './targeting/area-geometry.js';
import type { AlertRecord } from './model.js';

/**
 * Evacuation guidance for an alert at a place, in a language ("Walk north-west along
 * … to assembly point …, 600 m, about 8 min"), or null when the alert asks for no
 * evacuation or no route is known there. The routing capability supplies it
 * (src/routing/alert-evacuation.ts); the alerts capability only carries it into
 * messages and the public pages.
 */
export type GuidanceSource = ((alert: AlertRecord, at: LonLat | null, language: string) => string | null) & {
  /**
   * Makes the alert's guidance ready without holding the main thread (routing plans
   * in its worker pool); called before the synchronous lookups of a dispatch or a
   * public page. Without it, the source works out guidance when first asked.
   */
  prepare?: (alert: AlertRecord) => Promise<void>;
};

/** Prepares the guidance of those alerts that ask to evacuate; a failure leaves the lookup to say what it knows (null). */
export async function prepareGuidance(source: GuidanceSource, alerts: readonly AlertRecord[]): Promise<void> {
  const prepare = source.prepare;
  if (!prepare) return;
  await Promise.all(alerts.filter(asksToEvacuate).map((a) => prepare(a).catch(() => {})));
}

export const noGuidance: GuidanceSource = () => null;

/** Alerts whose instruction is to leave: CAP responseType Evacuate in any info block. */
export function asksToEvacuate(alert: AlertRecord): boolean {
  return alert.cap.msgType !== 'Cancel' && (alert.cap.info ?? []).some((i) => i.responseType?.includes('Evacuate'));
}

/** CAP <parameter> naming how fast the hazard spreads (metres per minute), for plans that keep walkers ahead of it. */
export const SPREAD_PARAMETER = 'hazardSpreadMPerMin';
