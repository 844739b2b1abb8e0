/**
 * A finding's priority: what the attacker already does (CISA KEV, ransomware use), how bad
 * it is (CVSS base score), how reachable the device is (exposure), and what a compromise
 * would silence (safety role: a siren or fire panel before a lobby camera). Documented in
 * docs/device-security.md; the weights are here and nowhere else.
 */
import type { AssetKind, Exposure, MatchBasis, Priority, SafetyRole } from './model.js';

export const PRIORITY_WEIGHTS = {
  /** CVSS base score when the record has none. */
  unknownCvss: 5,
  kev: 4,
  ransomware: 1,
  exposure: { 'internet-facing': 2, private: 0, isolated: -2 } satisfies Record<Exposure, number>,
  role: { 'life-safety': 2, 'alarm-path': 1.5, security: 1, other: 0 } satisfies Record<SafetyRole, number>,
  undecided: -1,
  /** Score thresholds, highest first. */
  thresholds: [
    ['P1', 13],
    ['P2', 9],
    ['P3', 6],
  ] as [Priority, number][],
};

export interface PriorityInput {
  cvss: number | null;
  kev: boolean;
  ransomware: boolean;
  exposure: Exposure;
  safetyRole: SafetyRole;
  basis: MatchBasis;
}

export function priorityOf(f: PriorityInput): { priority: Priority; score: number } {
  const score = scoreWith(baseScore(f.cvss, f.kev, f.ransomware), f.exposure, f.safetyRole, f.basis === 'undecided');
  return { priority: priorityOfScore(score), score };
}

/** The part of the score that does not depend on the device: severity and exploitation (kept per hit by the counters). */
export function baseScore(cvss: number | null, kev: boolean, ransomware: boolean): number {
  const w = PRIORITY_WEIGHTS;
  return (cvss ?? w.unknownCvss) + (kev ? w.kev : 0) + (kev && ransomware ? w.ransomware : 0);
}

/** The rounded score once the device's exposure and role are added (the same sum, in the same order, whoever asks). */
export function scoreWith(base: number, exposure: Exposure, safetyRole: SafetyRole, undecided: boolean): number {
  const w = PRIORITY_WEIGHTS;
  const score = base + w.exposure[exposure] + w.role[safetyRole] + (undecided ? w.undecided : 0);
  return Math.round(score * 10) / 10;
}

export function priorityOfScore(score: number): Priority {
  for (const [p, min] of PRIORITY_WEIGHTS.thresholds) if (score >= min) return p;
  return 'P4';
}

/** The role a kind of device plays, unless the inventory says otherwise. */
export function defaultSafetyRole(kind: AssetKind | string): SafetyRole {
  switch (kind) {
    case 'siren':
    case 'siren-controller':
    case 'loudspeaker':
    case 'fire-panel':
    case 'smoke-detector':
    case 'heat-detector':
    case 'gas-sensor':
    case 'water-level-sensor':
      return 'life-safety';
    case 'alarm-panel':
    case 'alarm-transmitter':
    case 'panic-button':
    case 'router':
    case 'gateway':
      return 'alarm-path';
    case 'camera':
    case 'video-recorder':
    case 'access-controller':
      return 'security';
    default:
      return 'other';
  }
}
