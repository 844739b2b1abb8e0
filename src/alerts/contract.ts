/**
 * The alerts capability's public face for other capabilities and the web UI: its event map,
 * the alert input and record types, CAP codes, templates, channels and area helpers.
 * Types, constants and pure functions only (the web bundles it).
 */
export type { AlertInput } from './alerts-service.js';
export type { AlertEvents } from './events.js';
export { capTime, SEVERITIES, URGENCIES, type CapInfo, type CapSeverity, type CapUrgency } from './cap/cap-model.js';
export { outerRing, ringToCapPolygon } from './targeting/area-geometry.js';
export { ALERT_TEMPLATES, type AlertTemplate } from './templates.js';
export { CHANNELS, type AlertRecord, type AlertTrigger, type Channel } from './model.js';
