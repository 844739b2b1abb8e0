/**
 * The public face of the city model for other capabilities and the web UI: the model
 * (areas, sites, zones, devices), its event map, the read port other capabilities are
 * given, and the pure area locator.
 */
import type { Area, CityInfo, Device, Site, Zone } from './model.js';

export * from './model.js';
export { neighbourhoodAt, neighbourhoodLocator } from './area-locator.js';
export { ENGLISH_LABEL_WORDS, partsOf, placeParam, sitePlace, wordLabel, type GeneratedLabel, type LabelParam, type LabelWords } from './generated-label.js';

/** What other capabilities may read of the city (the city projection implements it). */
export interface CityReadPort {
  readonly city: CityInfo | null;
  readonly areas: ReadonlyMap<string, Area>;
  readonly sites: ReadonlyMap<string, Site>;
  readonly zones: ReadonlyMap<string, Zone>;
  readonly devices: ReadonlyMap<string, Device>;
  /** Alarm panels by their receiver account number. */
  readonly devicesByAccount: ReadonlyMap<string, Device>;
  readonly population: { estimateId: string; total: number; source: string; method: string } | null;
  /** Residents of an area (null when no estimate was made). */
  populationOf(areaId: string): number | null;
}
