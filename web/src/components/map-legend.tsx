import type { ExpressionSpecification } from 'maplibre-gl';
import { useT } from '../i18n.js';

/**
 * One set of colours for everything drawn on a map, whatever the page: the legend beside
 * a map and its layers both read from here, so a camera, a fire engine or an event
 * perimeter has the same colour on the city map, the command map and the event map.
 */
export const SITE_COLOURS: Record<string, string> = {
  'fire-station': '#d7301f',
  'police-station': '#2b59c3',
  hospital: '#e7298a',
  clinic: '#e7298a',
  school: '#ff9f1c',
  'town-hall': '#6a3d9a',
  'public-venue': '#8c564b',
  hotel: '#17becf',
  transport: '#7f7f7f',
  'place-of-worship': '#b15928',
  pharmacy: '#1b9e77',
  'emergency-equipment': '#d62728',
  shelter: '#2ca02c',
  building: '#9aa0a6',
};

export const DEVICE_COLOURS: Record<string, string> = {
  siren: '#c1121f',
  loudspeaker: '#7b2cbf',
  camera: '#003049',
  'alarm-panel': '#f77f00',
  'gas-sensor': '#2a9d8f',
  'panic-button': '#e63946',
  'water-level-sensor': '#0077b6',
};

export const UNIT_COLOURS: Record<string, string> = {
  'fire-engine': '#d92d20',
  ambulance: '#12b76a',
  'police-car': '#2e90fa',
  'private-guard': '#6941c6',
  drone: '#344054',
};

/** Major-event features (perimeter, zones, gates…) and guidance lines. */
export const EVENT_COLOURS: Record<string, string> = {
  perimeter: '#7a5af8',
  zone: '#2e90fa',
  gate: '#101828',
  'first-aid': '#12b76a',
  'evacuation-route': '#f79009',
  resource: '#667085',
  guidance: '#e31b54',
};

export const CROWD_COLOURS = { normal: '#12b76a', warning: '#f79009', critical: '#d92d20' } as const;

/** Incidents and alarms: urgent (priority 1–2) and the rest. */
export const URGENT = '#d92d20';
export const NOT_URGENT = '#f79009';
export const ROUTE_COLOUR = '#175cd3';
/** Road closures (routing) and the reach in 4, 8 and 12 minutes (isochrones). */
export const CLOSURE_COLOUR = '#d92d20';
export const ISOCHRONE_COLOURS = ['#12b76a', '#fdb022', '#f04438'] as const;
export const POINT_COLOUR = '#101828';
export const CLUSTER_COLOUR = '#344054';
export const FALLBACK = '#667085';
/** Citizen reports (Open311), wherever they are drawn. */
export const CITIZEN_REPORT_COLOUR = '#dd2590';
/** A report in the citizen app: still being handled, or closed. */
export const REPORT_STATE_COLOURS = { open: '#dc6803', closed: '#067647' } as const;
/** An alert's target area (writing, approving, the citizen app) and, in the citizen app, an alert that is only near the person. */
export const ALERT_AREA_COLOUR = '#d92d20';
export const ALERT_AREA_OUTLINE = '#b42318';
export const ALERT_NEARBY_COLOUR = '#f79009';
export const ALERT_NEARBY_OUTLINE = '#b54708';
/** An evacuation plan's hazard: where it is now (filled) and how far it spreads over the plan's horizon (outline). */
export const HAZARD_COLOUR = '#912018';
/** A person's places in the citizen app. */
export const PLACE_COLOURS = { last: '#1d4ed8', home: '#067647', work: '#7a2e0e' } as const;
/** Administrative boundaries (city, neighbourhoods) drawn as lines. */
export const BOUNDARY_COLOUR = '#1d3557';
/** The cockpit's areas and sites coloured by an indicator: best to worst value of those shown, and no value. */
export const KPI_SCALE = { best: 'hsl(120, 70%, 45%)', middle: 'hsl(60, 70%, 45%)', worst: 'hsl(0, 70%, 45%)', none: '#bfc5cc' } as const;
/** The scale's colour for a value at `good` (0 worst … 1 best). */
export const kpiColour = (good: number): string => `hsl(${Math.round(good * 120)}, 70%, 45%)`;

/** A MapLibre `match` on a property against one of the tables above. */
export function colourBy(property: string, table: Record<string, string>): ExpressionSpecification {
  return ['match', ['get', property], ...Object.entries(table).flat(), FALLBACK] as unknown as ExpressionSpecification;
}

export const priorityColour: ExpressionSpecification = ['case', ['<=', ['get', 'priority'], 2], URGENT, NOT_URGENT];

export interface LegendItem {
  colour: string;
  label: string;
  shape?: 'dot' | 'line' | 'area';
}

/** A compact legend drawn from the same colours as the layers. */
export function MapLegend({ items, testId }: { items: LegendItem[]; testId?: string }) {
  const t = useT();
  return (
    <ul className="map-legend" data-testid={testId ?? 'map-legend'}>
      {items.map((i) => (
        <li key={i.label} data-colour={i.colour}>
          <i className={`legend-${i.shape ?? 'dot'}`} style={{ background: i.colour }} aria-hidden="true" />
          {t(i.label)}
        </li>
      ))}
    </ul>
  );
}
