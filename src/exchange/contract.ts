/**
 * The public face of exchange: the link to a partner agency's hub (EDXL-DE over AMQP), situation
 * reports (EDXL-SitRep), resource messages (EDXL-RM) and hospital availability (EDXL-HAVE).
 * No runtime imports: the web UI bundles this file.
 */

export const LINK_STATES = ['off', 'connecting', 'connected', 'down'] as const;
export type LinkState = (typeof LINK_STATES)[number];

/** The link's health as operators see it (never the broker's credentials). */
export interface LinkHealth {
  state: LinkState;
  /** The broker as host:port, without credentials; null when no link is configured. */
  broker: string | null;
  agency: string;
  partner: string | null;
  /** The organisation standing for the partner here, by name; null when not found (the link then sends nothing). */
  partnerOrgName: string | null;
  format: 'json' | 'xml';
  connectedSince: string | null;
  lastError: string | null;
  reconnects: number;
  /** Messages waiting for the partner's acknowledgement (the outbox). */
  outbox: number;
  /** Of those, published and not yet confirmed by the broker. */
  inFlight: number;
  /** The oldest unacknowledged message's age, ms (0 when the outbox is empty). */
  oldestUnackedMs: number;
  sent: number;
  confirmed: number;
  acknowledged: number;
  retried: number;
  received: number;
  duplicates: number;
  rejected: number;
  /** The partner's error reports on messages Vigil sent. */
  refused: number;
  lastReceivedAt: string | null;
  lastAcknowledgedAt: string | null;
}

/** An incident that came from the partner: where from and what the partner says of it now. */
export interface ReceivedIncident {
  incidentId: string;
  reference: string;
  title: string;
  status: string;
  agency: string;
  remoteReference: string;
  partnerStatus: string;
  receivedAt: string;
  updatedAt: string;
  updates: number;
}

/** An incident sent to the partner and where its last message is. */
export interface SentIncident {
  incidentId: string;
  reference: string;
  title: string;
  messages: number;
  unacknowledged: number;
  lastAcknowledgedAt: string | null;
}

export const ED_STATUSES = ['Normal', 'Advisory', 'Closed', 'NotApplicable'] as const;
export type EdStatus = (typeof ED_STATUSES)[number];

/** A hospital's availability as last reported (EDXL-HAVE): city-wide data. */
export interface Hospital {
  hospitalId: string;
  name: string;
  /** [lon, lat] */
  position: [number, number] | null;
  edStatus: EdStatus;
  beds: { type: string; available: number; baseline: number | null }[];
  lastUpdate: string;
  receivedAt: string;
  /** Who sent the report (the actor), for the record. */
  source: string;
}

/** What other capabilities (the command map, destination choice for casualties) may read. */
export interface HospitalsReadPort {
  hospitals(): readonly Hospital[];
  /** Hospitals accepting ambulances (ED not closed) with at least one bed of the type available, nearest first. */
  withBeds(bedType: string, near: [number, number] | null): readonly Hospital[];
}

export const RM_TYPES = ['RequestResource', 'ResponseToRequestResource', 'CommitResource', 'ReleaseResource'] as const;
export type RmType = (typeof RM_TYPES)[number];

/** An EDXL-RM resource message between two organisations. */
export interface ResourceMessage {
  messageId: string;
  type: RmType;
  fromOrgId: string;
  toOrgId: string;
  fromOrgName: string;
  toOrgName: string;
  originatingMessageId: string | null;
  incidentId: string | null;
  resources: { elementId: string; typeName: string; quantity: number; response?: 'Accept' | 'Decline' | 'Provisional'; note?: string }[];
  sentAt: string;
  actor: string;
}

/** The latest situation report the partner sent about an incident, with where it came from. */
export interface PartnerSitRep {
  /** The partner agency (its id on the hub) and the distribution that carried it. */
  agency: string;
  distributionId: string;
  receivedAt: string;
  messageId: string;
  preparedBy: string;
  reportNumber: number;
  version: string;
  /** The end of the period it reports on. */
  to: string;
  title: string;
  status: string;
  priority: number;
  summary: string;
  resources: { callSign: string; kind: string; organisation: string; releasedAt: string | null }[];
  casualties: { immediate: number; delayed: number; minor: number; deceased: number; unknown: number } | null;
}

/** Event payloads of the exchange capability (type → data). */
export interface ExchangeEvents {
  /** The partner acknowledged these distributions (the outbox forgets them). */
  'exchange.outbound.acknowledged': { distributionIds: string[] };
  /** The partner refused a distribution with an EDXL-DE error report. */
  'exchange.outbound.refused': { distributionId: string; errors: string[] };
  /** A distribution from the partner was applied (the dedupe table: a redelivery is acknowledged, not applied again). */
  'exchange.inbound.applied': {
    distributionId: string;
    senderId: string;
    kind: string;
    remoteIncidentId: string | null;
    remoteReference: string | null;
    localIncidentId: string | null;
    version: number | null;
    partnerStatus: string | null;
  };
  /** A distribution from the partner that could not be read or applied; an error report went back. */
  'exchange.inbound.rejected': { distributionId: string | null; senderId: string | null; errors: string[] };
  'exchange.hospitals.reported': { hospitals: Omit<Hospital, 'receivedAt' | 'source'>[] };
  'exchange.rm.sent': ResourceMessage;
  /** A SitRep from the partner about an incident here (one of its own shared with us, or one of ours). */
  'exchange.sitrep.received': Omit<PartnerSitRep, 'receivedAt'> & { localIncidentId: string };
}
