import type { CapCategory, CapCertainty, CapResponseType, CapSeverity, CapUrgency } from './cap/cap-model.js';

/** A starting point per hazard: CAP codes and what to tell people, in the city's languages. */
export interface AlertTemplate {
  id: string;
  name: string;
  category: CapCategory[];
  responseType: CapResponseType[];
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  /** Hours until it expires unless updated. */
  expiresHours: number;
  texts: Record<string, { event: string; headline: string; description: string; instruction: string }>;
}

export const ALERT_TEMPLATES: readonly AlertTemplate[] = [
  {
    id: 'flood',
    name: 'Flash flood',
    category: ['Met'],
    responseType: ['Shelter', 'Avoid'],
    urgency: 'Immediate',
    severity: 'Severe',
    certainty: 'Observed',
    expiresHours: 6,
    texts: {
      'fr-MC': {
        event: 'Inondation',
        headline: 'Inondation soudaine',
        description: 'Montée rapide des eaux dans le secteur.',
        instruction: 'Montez aux étages, ne prenez pas votre véhicule, évitez les parkings souterrains.',
      },
      'en-GB': {
        event: 'Flood',
        headline: 'Flash flood',
        description: 'Water is rising fast in the area.',
        instruction: 'Go upstairs, do not drive, keep out of underground car parks.',
      },
    },
  },
  {
    id: 'fire-smoke',
    name: 'Fire with toxic smoke',
    category: ['Fire', 'CBRNE'],
    responseType: ['Shelter'],
    urgency: 'Immediate',
    severity: 'Severe',
    certainty: 'Observed',
    expiresHours: 4,
    texts: {
      'fr-MC': {
        event: 'Incendie',
        headline: 'Incendie : fumées dangereuses',
        description: 'Un incendie dégage des fumées toxiques.',
        instruction: 'Restez à l’intérieur, fermez portes et fenêtres, coupez la ventilation.',
      },
      'en-GB': {
        event: 'Fire',
        headline: 'Fire: dangerous smoke',
        description: 'A fire is giving off toxic smoke.',
        instruction: 'Stay indoors, close doors and windows, switch off ventilation.',
      },
    },
  },
  {
    id: 'gas-leak',
    name: 'Gas leak',
    category: ['Safety', 'Infra'],
    responseType: ['Evacuate', 'Avoid'],
    urgency: 'Immediate',
    severity: 'Severe',
    certainty: 'Observed',
    expiresHours: 3,
    texts: {
      'fr-MC': {
        event: 'Fuite de gaz',
        headline: 'Fuite de gaz : évacuez',
        description: 'Fuite de gaz importante dans le secteur.',
        instruction: 'Quittez la zone à pied, n’utilisez ni flamme ni interrupteur, suivez les consignes des secours.',
      },
      'en-GB': {
        event: 'Gas leak',
        headline: 'Gas leak: leave the area',
        description: 'A major gas leak in the area.',
        instruction: 'Leave on foot, no flames or switches, follow the emergency services.',
      },
    },
  },
  {
    id: 'heatwave',
    name: 'Heatwave',
    category: ['Met', 'Health'],
    responseType: ['Prepare', 'Monitor'],
    urgency: 'Expected',
    severity: 'Moderate',
    certainty: 'Likely',
    expiresHours: 72,
    texts: {
      'fr-MC': {
        event: 'Canicule',
        headline: 'Épisode de canicule',
        description: 'Fortes chaleurs attendues jour et nuit.',
        instruction: 'Buvez souvent, restez au frais, prenez des nouvelles des personnes isolées.',
      },
      'en-GB': {
        event: 'Heatwave',
        headline: 'Heatwave',
        description: 'High temperatures expected day and night.',
        instruction: 'Drink often, stay cool, check on people living alone.',
      },
    },
  },
  {
    id: 'tsunami',
    name: 'Tsunami',
    category: ['Geo'],
    responseType: ['Evacuate'],
    urgency: 'Immediate',
    severity: 'Extreme',
    certainty: 'Likely',
    expiresHours: 6,
    texts: {
      'fr-MC': {
        event: 'Tsunami',
        headline: 'Alerte tsunami : quittez le littoral',
        description: 'Une vague dangereuse peut atteindre la côte.',
        instruction: 'Éloignez-vous immédiatement du bord de mer, montez en hauteur à pied.',
      },
      'en-GB': {
        event: 'Tsunami',
        headline: 'Tsunami warning: leave the shore',
        description: 'A dangerous wave may reach the coast.',
        instruction: 'Move away from the sea now, go to high ground on foot.',
      },
    },
  },
];
