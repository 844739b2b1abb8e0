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
  const w = PRIORITY_WEIGHTS;
  const score =
    (f.cvss ?? w.unknownCvss) +
    (f.kev ? w.kev : 0) +
    (f.kev && f.ransomware ? w.ransomware : 0) +
    w.exposure[f.exposure] +
    w.role[f.safetyRole] +
    (f.basis === 'undecided' ? w.undecided : 0);
  const rounded = Math.round(score * 10) / 10;
  for (const [p, min] of w.thresholds) if (rounded >= min) return { priority: p, score: rounded };
  return { priority: 'P4', score: rounded };
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
