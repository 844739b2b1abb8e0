import type { Tags } from '../adapters/osm/osm-reader.js';

/** How a traveller may use the roads: which ways, in which direction, how fast. */
export type ProfileName = 'car' | 'foot';
export const PROFILES: readonly ProfileName[] = ['car', 'foot'];

export interface WayRule {
  /** Speed in km/h along the way (free flow). */
  speedKmh: number;
  forward: boolean;
  backward: boolean;
}

/** Free-flow speeds by highway class (km/h), the usual urban defaults when no maxspeed is tagged. */
const CAR_SPEEDS: Record<string, number> = {
  motorway: 100,
  motorway_link: 60,
  trunk: 80,
  trunk_link: 50,
  primary: 50,
  primary_link: 40,
  secondary: 45,
  secondary_link: 35,
  tertiary: 40,
  tertiary_link: 30,
  unclassified: 30,
  residential: 30,
  living_street: 10,
  service: 15,
  road: 25,
};

const FOOT_WAYS = new Set([
  'footway',
  'path',
  'steps',
  'pedestrian',
  'living_street',
  'residential',
  'service',
  'unclassified',
  'tertiary',
  'tertiary_link',
  'secondary',
  'secondary_link',
  'primary',
  'primary_link',
  'track',
  'road',
  'cycleway',
  'bridleway',
  'corridor',
]);
const FOOT_KMH = 5;
/** Steps are climbed at about half walking pace. */
const STEPS_KMH = 2.5;

const DENIED = new Set(['no', 'private']);

/** maxspeed: "50", "50 km/h", "30 mph"; anything else (e.g. "FR:urban", "signals") falls back to the class speed. */
export function parseMaxspeed(value: string | undefined): number | null {
  if (!value) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(km\/h|kmh|kph|mph)?\s*$/i.exec(value);
  if (!m) return null;
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 'mph' ? 1.609344 : 1);
  return n > 0 && n <= 300 ? n : null;
}

function onewayOf(tags: Tags): 1 | -1 | 0 {
  const o = tags.oneway;
  if (o === 'yes' || o === 'true' || o === '1') return 1;
  if (o === '-1' || o === 'reverse') return -1;
  if (o === 'no' || o === 'false' || o === '0') return 0;
  // Roundabouts and motorways are one-way unless tagged otherwise.
  if (tags.junction === 'roundabout' || tags.junction === 'circular' || tags.highway === 'motorway' || tags.highway === 'motorway_link') return 1;
  return 0;
}

export function carRule(tags: Tags): WayRule | null {
  const hw = tags.highway;
  if (!hw) return null;
  const classSpeed = CAR_SPEEDS[hw];
  if (classSpeed === undefined) return null;
  const access = tags.motor_vehicle ?? tags.motorcar ?? tags.vehicle ?? tags.access;
  if (access && DENIED.has(access)) return null;
  if (tags.area === 'yes') return null;
  const oneway = onewayOf(tags);
  // Tagged limits are a ceiling; traffic is rarely at the limit in a city, so take 90 % of it.
  const limit = parseMaxspeed(tags.maxspeed);
  const speedKmh = limit !== null ? limit * 0.9 : classSpeed;
  return { speedKmh, forward: oneway !== -1, backward: oneway !== 1 };
}

export function footRule(tags: Tags): WayRule | null {
  const hw = tags.highway;
  if (!hw || !FOOT_WAYS.has(hw)) return null;
  const access = tags.foot ?? tags.access;
  if (access && DENIED.has(access) && tags.foot !== 'yes' && tags.foot !== 'designated') return null;
  if (tags.foot === 'no') return null;
  // Walkers may go both ways on one-way streets (oneway applies to vehicles), except oneway:foot.
  const oneway = tags['oneway:foot'] === 'yes' ? 1 : 0;
  return { speedKmh: hw === 'steps' ? STEPS_KMH : FOOT_KMH, forward: true, backward: oneway !== 1 };
}

export function ruleOf(profile: ProfileName, tags: Tags): WayRule | null {
  return profile === 'car' ? carRule(tags) : footRule(tags);
}
