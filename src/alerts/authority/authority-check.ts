import type { Area } from '../../city/contract.js';
import { geometryContains, type Position } from '../../kernel/geo.js';
import type { CapAlert } from '../cap/cap-model.js';
import type { Channel } from '../model.js';
import { inRing, targetAreaOf, type LonLat } from '../targeting/area-geometry.js';
import type { AlertAuthority } from './authority-model.js';

/** How far outside a granted boundary an alert's vertex may lie: CAP rounds coordinates, and boundaries are drawn by hand. */
const BOUNDARY_TOLERANCE_M = 30;

type Region = { name: string; contains: (p: LonLat) => boolean } | { name: string; wholeCity: true };

/**
 * Why an alert falls outside an authority, or null when it is within it: every
 * channel, every category (and event code, when the grant lists them) and every
 * point of its areas must be granted. Vertices of polygons and the centre and rim of
 * circles are tested against the granted areas; an area without geometry must be
 * named like a granted area, unless the grant covers the whole city.
 */
export function outsideAuthority(
  alert: { cap: CapAlert; channels: readonly Channel[] },
  grant: AlertAuthority,
  cityAreas: ReadonlyMap<string, Area>,
): string | null {
  const channels = alert.channels.filter((c) => !grant.channels.includes(c));
  if (channels.length) return `channel ${channels.join(', ')} is not granted (granted: ${grant.channels.join(', ') || 'none'})`;
  for (const info of alert.cap.info ?? []) {
    const categories = info.category.filter((c) => !grant.categories.includes(c));
    if (categories.length) return `category ${categories.join(', ')} is not granted (granted: ${grant.categories.join(', ') || 'none'})`;
    if (grant.eventCodes.length > 0) {
      const codes = (info.eventCode ?? []).map((v) => v.value);
      if (!codes.some((c) => grant.eventCodes.includes(c)))
        return `event "${info.event}" carries no granted event code (granted: ${grant.eventCodes.join(', ')}; given: ${codes.join(', ') || 'none'})`;
    }
  }
  const regions = regionsOf(grant, cityAreas);
  if (regions.some((r) => 'wholeCity' in r)) return null;
  const granted = regions.map((r) => r.name).join(', ') || 'none';
  const shaped = regions.filter((r): r is Extract<Region, { contains: unknown }> => 'contains' in r);
  const areas = (alert.cap.info ?? []).flatMap((i) => i.area ?? []);
  if (areas.length === 0) return `an alert without an area reaches the whole city, which is not granted (granted areas: ${granted})`;
  for (const area of areas) {
    const target = targetAreaOf([area]);
    const points: LonLat[] = [...target.rings.flat(), ...target.circles.flatMap((c) => circlePoints(c.centre, c.radiusM))];
    if (points.length === 0) {
      const named = regions.some((r) => r.name.toLowerCase() === area.areaDesc.trim().toLowerCase());
      if (!named) return `area "${area.areaDesc}" has no geometry and is not a granted area (granted areas: ${granted})`;
      continue;
    }
    const stray = points.find((p) => !shaped.some((r) => r.contains(p)));
    if (stray) return `area "${area.areaDesc}" reaches outside the granted areas (${granted}) at ${stray[1].toFixed(5)},${stray[0].toFixed(5)}`;
  }
  return null;
}

function regionsOf(grant: AlertAuthority, cityAreas: ReadonlyMap<string, Area>): Region[] {
  return grant.areas.map((a): Region => {
    if (a.kind === 'polygon') return { name: a.name, contains: (p) => inRing(p, a.ring) || nearRings(p, [a.ring]) };
    const area = cityAreas.get(a.areaId);
    if (area?.level === 'city') return { name: a.name, wholeCity: true };
    const geometry = area?.geometry;
    // An area gone from the city (a new import) or known only as a place covers no point.
    if (!geometry) return { name: a.name, contains: () => false };
    return { name: a.name, contains: (p) => geometryContains(geometry, p as Position) || nearRings(p, geometry.coordinates.flat()) };
  });
}

/** The centre and eight points on the rim. */
function circlePoints(centre: LonLat, radiusM: number): LonLat[] {
  const dLat = radiusM / 111_320;
  const dLon = radiusM / (111_320 * Math.max(0.01, Math.cos((centre[1] * Math.PI) / 180)));
  const rim = Array.from({ length: 8 }, (_, k): LonLat => {
    const t = (k * Math.PI) / 4;
    return [centre[0] + dLon * Math.cos(t), centre[1] + dLat * Math.sin(t)];
  });
  return [centre, ...rim];
}

/** Within the tolerance of a ring's edge (local equirectangular metres: fine at a city's scale). */
function nearRings(p: LonLat, rings: readonly (readonly Position[])[]): boolean {
  const kx = 111_320 * Math.cos((p[1] * Math.PI) / 180);
  const ky = 110_540;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = [(ring[i]![0] - p[0]) * kx, (ring[i]![1] - p[1]) * ky];
      const [bx, by] = [(ring[i + 1]![0] - p[0]) * kx, (ring[i + 1]![1] - p[1]) * ky];
      const [dx, dy] = [bx - ax, by - ay];
      const len2 = dx * dx + dy * dy;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
      if (Math.hypot(ax + t * dx, ay + t * dy) <= BOUNDARY_TOLERANCE_M) return true;
    }
  }
  return false;
}
