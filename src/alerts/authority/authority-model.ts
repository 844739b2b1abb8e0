import type { CapCategory } from '../cap/cap-model.js';
import type { Channel } from '../model.js';

/**
 * Where an alerting authority may warn: a named area of the imported city (its
 * boundary is the city's, looked up when an alert is checked), or a polygon drawn
 * for the grant. Names are kept so a grant reads the same after a new import.
 */
export type AuthorityArea = { kind: 'city-area'; areaId: string; name: string } | { kind: 'polygon'; name: string; ring: [number, number][] };

/**
 * The right the platform organisation gives an organisation to warn the public,
 * after the way national gateways name alerting authorities (IPAWS: an authority's
 * COG may issue certain event codes over certain areas). One grant per organisation;
 * granting again replaces it.
 */
export interface AlertAuthority {
  grantId: string;
  orgId: string;
  areas: AuthorityArea[];
  categories: CapCategory[];
  /** CAP eventCode values the authority may use (e.g. SAME codes); empty: any event. */
  eventCodes: string[];
  channels: Channel[];
  note: string;
  grantedBy: string;
  grantedAt: string;
}

/** Event payloads of alerting authorities (type → data). */
export interface AuthorityEvents {
  'alerts.authority.granted': Omit<AlertAuthority, 'grantedBy' | 'grantedAt'>;
  'alerts.authority.revoked': { grantId: string; orgId: string };
}
