/**
 * The alerts capability's public face: what other capabilities and the web UI may use
 * of it. Types, constants and pure functions only — cheap to import, also in the browser.
 */
import type { AlertRecord } from './model.js';
import type { Subscriber } from './subscribers/subscribers-state.js';
import type { AlertEvents } from './events.js';
import type { DeliveryEvents } from './delivery/delivery-state.js';
import type { CellBroadcastEvents } from './channels/cell-broadcast/cell-broadcast-state.js';
import type { AmbientEvents } from './channels/sirens/ambient-noise.js';
import type { SirenAckEvents, SirenAckStatus } from './channels/sirens/siren-acks.js';
import type { WebhookEvents } from './channels/webhooks/webhooks-state.js';
import type { SubscriberEvents } from './subscribers/subscribers-state.js';
import type { AuthorityEvents } from './authority/authority-model.js';

declare module '../platform/reactions.js' {
  interface ReactionTypes {
    /** An alert was issued, durably: its delivery starts (not awaited by whoever issued it). */
    'alerts.issued': { input: AlertRecord; output: void };
  }
}

// --- Events (type → data) ---
export type { AlertEvents, DeliveryEvents, CellBroadcastEvents, AmbientEvents, WebhookEvents, SubscriberEvents, SirenAckEvents, SirenAckStatus };
/** Every event the alerts capability records (early warning's excepted), type → data. */
export type AlertsEventMap = AlertEvents &
  AuthorityEvents &
  DeliveryEvents &
  CellBroadcastEvents &
  AmbientEvents &
  WebhookEvents &
  SubscriberEvents &
  SirenAckEvents;

// --- Alerting authorities (who may warn the public, where, about what, on which channels) ---
export type { AlertAuthority, AuthorityArea, AuthorityEvents } from './authority/authority-model.js';

// --- Alerts and CAP ---
export { ALERT_STATES, CHANNELS, exerciseMark, needsApproval } from './model.js';
export type { AlertRecord, AlertState, AlertTrigger, Channel } from './model.js';
export type { AlertReach, ChannelReach } from './targeting/reach.js';
export { CAP_NS, CATEGORIES, CERTAINTIES, MSG_TYPES, RESPONSE_TYPES, SCOPES, SEVERITIES, STATUSES, URGENCIES, capReference, capTime } from './cap/cap-model.js';
export type {
  CapAlert,
  CapArea,
  CapCategory,
  CapCertainty,
  CapInfo,
  CapMsgType,
  CapResource,
  CapResponseType,
  CapScope,
  CapSeverity,
  CapStatus,
  CapUrgency,
  CapValuePair,
} from './cap/cap-model.js';
export { ALERT_TEMPLATES } from './templates.js';
export type { AlertTemplate } from './templates.js';
export type { AlertInput } from './alerts-service.js';

// --- Message texts (the authoring preview shows what each channel will send) ---
export { channelTexts } from './messages/channel-text.js';
export type { ChannelTexts } from './messages/channel-text.js';

// --- Targeting ---
export { areaBounds, inArea, outerRing, ringToCapPolygon, targetAreaOf } from './targeting/area-geometry.js';
export type { LonLat, TargetArea } from './targeting/area-geometry.js';

// --- Delivery, reach and answers ---
export type { ChannelProgress, ChannelStatus } from './delivery/delivery-state.js';
export type { AlertReport } from './delivery/alert-report.js';
export type { RecipientRow } from './delivery/recipients-page.js';
export { RECIPIENT_STATES, forEachInRuns, toRuns } from './delivery/recipient-track.js';
export type { AreaRef, RecipientState } from './delivery/recipient-track.js';
export type { Answer } from './delivery/acknowledgements.js';
export type { CbsMessageRecord } from './channels/cell-broadcast/cell-broadcast-state.js';
export type { CbcRequest, CbcResponse } from './channels/cell-broadcast/cell-broadcast.js';
export { decodeCbsContents } from './messages/cbs-pages.js';
export type { AmbientMeasurement, WarningLevel } from './channels/sirens/ambient-noise.js';
export { WEBHOOK_EVENTS, WEBHOOK_FORMATS } from './channels/webhooks/webhooks-state.js';
export type { WebhookEndpoint, WebhookEvent, WebhookFormat } from './channels/webhooks/webhooks-state.js';

// --- The public page and evacuation guidance (routing provides the guidance) ---
export type { PublicAlertView, PublicInfo } from './public-alerts.js';
export { SPREAD_PARAMETER, asksToEvacuate, noGuidance } from './evacuation-guidance.js';
export type { GuidanceSource } from './evacuation-guidance.js';

// --- Subscribers ---
export type { Subscriber, SubscriberLocation } from './subscribers/subscribers-state.js';
export type { SubscribeInput } from './subscribers/subscribers-service.js';

// --- Read ports other capabilities may hold ---
/** The alerts known, by id (incidents link public alerts and check the caller may see them). */
export interface AlertsReadPort {
  readonly alerts: ReadonlyMap<string, AlertRecord>;
}
/** The subscribers and their places (the cockpit's warning coverage). Personal data: read, never shown to other organisations. */
export interface SubscribersReadPort {
  readonly subscribers: ReadonlyMap<string, Subscriber>;
}
