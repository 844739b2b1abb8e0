import type { Resolution, SignalKind } from '../../src/alarms/contract.js';

/**
 * Words for the values the API sends as slugs (English keys, translated by the locale files;
 * a test checks each has its French).
 */

/** What happened, in words (the API takes the slug). No default: the operator chooses. */
export const RESOLUTION_LABELS: Record<Resolution, string> = {
  genuine: 'Genuine alarm',
  'false-user-error': 'False alarm: user error',
  'false-device-fault': 'False alarm: device fault',
  'false-environment': 'False alarm: environment (weather, animals, works)',
  test: 'Test',
  duplicate: 'Duplicate of another alarm',
};

export const ALARM_KIND_LABELS: Record<SignalKind, string> = {
  fire: 'Fire',
  burglary: 'Intrusion',
  panic: 'Panic',
  'hold-up': 'Hold-up',
  duress: 'Duress',
  medical: 'Medical',
  tamper: 'Tamper',
  technical: 'Technical',
  gas: 'Gas',
  water: 'Water',
  heat: 'Heat',
  trouble: 'Trouble',
  test: 'Test',
  open: 'Opening',
  close: 'Closing',
  bypass: 'Bypass',
  supervisory: 'Supervisory',
  access: 'Access',
  'path-fault': 'Transmission path fault',
  schedule: 'Schedule',
  crowd: 'Crowd density',
  other: 'Other',
};

export const ALARM_STATUS_LABELS: Record<string, string> = {
  new: 'New',
  claimed: 'Taken',
  acknowledged: 'Acknowledged',
  closed: 'Closed',
};

/** Areas of activity of the audit trail (event type prefixes). */
export const ACTIVITY_LABELS: Record<string, string> = {
  'alarms.': 'Alarms',
  'alerts.': 'Public alerts',
  'incidents.': 'Incidents',
  'units.': 'Units',
  'identity.': 'Accounts and sign-ins',
  'city.': 'City model',
  'crowd.': 'Crowd',
  'majorevents.': 'Major events',
  'privacy.': 'Privacy',
  'audit.': 'Audit trail',
};
