import type { Capability, UnitKind } from '../units/contract.js';

/**
 * The documented incident types: default priority and what the units sent must be
 * able to do. `requires` is a list of groups; a unit qualifies when it has at least
 * one capability of every group (e.g. a medical call needs basic or advanced life support).
 */
export const INCIDENT_TYPES = {
  fire: { label: 'Fire', priority: 1, requires: [['fire-suppression']], suggests: ['fire-engine'] },
  medical: { label: 'Medical emergency', priority: 2, requires: [['basic-life-support', 'advanced-life-support']], suggests: ['ambulance'] },
  'traffic-accident': {
    label: 'Road traffic accident',
    priority: 2,
    requires: [['rescue', 'basic-life-support', 'advanced-life-support', 'traffic-control']],
    suggests: ['ambulance', 'police-car', 'fire-engine'],
  },
  'technical-rescue': { label: 'Technical rescue (trapped persons, lift, collapse)', priority: 1, requires: [['rescue']], suggests: ['fire-engine'] },
  'water-rescue': { label: 'Water rescue', priority: 1, requires: [['water-rescue']], suggests: ['fire-engine'] },
  hazmat: { label: 'Hazardous materials', priority: 1, requires: [['hazmat']], suggests: ['fire-engine'] },
  'gas-leak': { label: 'Gas leak', priority: 2, requires: [['hazmat', 'fire-suppression']], suggests: ['fire-engine'] },
  crime: { label: 'Crime in progress', priority: 2, requires: [['law-enforcement']], suggests: ['police-car'] },
  intrusion: { label: 'Intrusion alarm', priority: 3, requires: [['alarm-response', 'law-enforcement']], suggests: ['private-guard', 'police-car'] },
  'public-disorder': { label: 'Public disorder', priority: 3, requires: [['law-enforcement']], suggests: ['police-car'] },
  'suspicious-object': { label: 'Suspicious object', priority: 2, requires: [['law-enforcement']], suggests: ['police-car'] },
  'alarm-verification': {
    label: 'Alarm verification',
    priority: 4,
    requires: [['alarm-response', 'aerial-view', 'law-enforcement']],
    suggests: ['private-guard', 'drone'],
  },
  flood: { label: 'Flooding', priority: 3, requires: [['rescue', 'water-rescue']], suggests: ['fire-engine'] },
  other: { label: 'Other', priority: 4, requires: [], suggests: [] },
} as const satisfies Record<string, { label: string; priority: number; requires: readonly (readonly Capability[])[]; suggests: readonly UnitKind[] }>;

export type IncidentType = keyof typeof INCIDENT_TYPES;
export const INCIDENT_TYPE_IDS = Object.keys(INCIDENT_TYPES) as IncidentType[];

export function qualifies(type: IncidentType, capabilities: readonly Capability[]): boolean {
  return INCIDENT_TYPES[type].requires.every((group: readonly Capability[]) => group.some((c) => capabilities.includes(c)));
}

/** What an alarm of a kind becomes when an operator escalates it. */
export const TYPE_OF_ALARM_KIND: Record<string, IncidentType> = {
  fire: 'fire',
  heat: 'fire',
  gas: 'gas-leak',
  water: 'flood',
  medical: 'medical',
  panic: 'crime',
  'hold-up': 'crime',
  duress: 'crime',
  burglary: 'intrusion',
  tamper: 'alarm-verification',
};
