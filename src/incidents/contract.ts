/** The public face of incidents: the model, the incident types and the event map. */
export * from './model.js';
export type { IncidentEvents } from './events.js';
export { INCIDENT_TYPES, INCIDENT_TYPE_IDS, TYPE_OF_ALARM_KIND, type IncidentType } from './incident-types.js';
