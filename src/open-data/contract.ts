/**
 * The public face of open data: the datasets Vigil publishes and how the catalogue
 * describes them. Cheap to import (no `node:` module, no npm package).
 */

export const OPEN_DATA_DATASETS = ['public-alerts', 'citizen-reports', 'indicators', 'areas', 'public-facilities', 'consultation-results'] as const;
export type OpenDataDatasetId = (typeof OPEN_DATA_DATASETS)[number];

/** One download of a dataset. */
export interface OpenDataDistribution {
  /** 'geojson', 'csv', 'json', 'ngsi-ld', 'cap-atom'. */
  format: string;
  title: string;
  mediaType: string;
  /** EU Publications Office file-type authority code (GEOJSON, CSV, JSON, JSON_LD, ATOM). */
  fileType: string;
  /** Absolute URL. */
  url: string;
}

/** A dataset as the catalogue (DCAT-AP) and the human page describe it. */
export interface OpenDataDataset {
  id: OpenDataDatasetId;
  title: { en: string; fr: string };
  description: { en: string; fr: string };
  keywords: string[];
  /** EU Publications Office frequency authority code: CONT, DAILY, MONTHLY, ANNUAL, IRREG. */
  frequency: 'CONT' | 'DAILY' | 'MONTHLY' | 'ANNUAL' | 'IRREG';
  /** EU data theme codes (JUST: justice, legal system and public safety; REGI: regions and cities; GOVE: government). */
  themes: string[];
  distributions: OpenDataDistribution[];
}

/** Site categories published as public facilities; every other site (homes, monitored premises, hotels) stays out. */
export const PUBLIC_FACILITY_CATEGORIES = [
  'fire-station',
  'police-station',
  'hospital',
  'clinic',
  'school',
  'town-hall',
  'public-venue',
  'transport',
  'pharmacy',
  'emergency-equipment',
  'shelter',
] as const;
