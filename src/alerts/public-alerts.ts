import type { CapInfo } from './cap/cap-model.js';
import type { GuidanceSource } from './evacuation-guidance.js';
import { exerciseMark, type AlertRecord } from './model.js';
import { inArea, targetAreaOf, type LonLat, type TargetArea } from './targeting/area-geometry.js';

/** One public alert in force as the citizen page shows it: texts per language, the area as GeoJSON, whether it covers the person. */
export interface PublicAlertView {
  alertId: string;
  identifier: string;
  sent: string;
  status: string;
  msgType: string;
  /** "EXERCISE" / "TEST" when the alert is not real; null for an actual alert. */
  exercise: string | null;
  /** The latest expiry of its info blocks; null when it has none. */
  expires: string | null;
  /** Whether the place asked about lies in the alert's area; null when no place was given. */
  covers: boolean | null;
  info: PublicInfo[];
  area: { type: 'MultiPolygon'; coordinates: LonLat[][][] };
  /** Evacuation guidance for this alert from the place asked about (a foot route to an assembly point), or the assembly points without a place; null when it asks for no evacuation. */
  guidance: string | null;
  /** The same per language of the alert's info blocks. */
  guidanceByLanguage: Record<string, string | null>;
  capUrl: string;
}

export type PublicInfo = Pick<
  CapInfo,
  | 'language'
  | 'event'
  | 'headline'
  | 'description'
  | 'instruction'
  | 'severity'
  | 'urgency'
  | 'certainty'
  | 'responseType'
  | 'expires'
  | 'web'
  | 'contact'
  | 'senderName'
> & { areaDesc: string };

const SEVERITY_RANK: Record<string, number> = { Extreme: 0, Severe: 1, Moderate: 2, Minor: 3, Unknown: 4 };

/** The alerts in force, those covering `at` first, then the most severe, then the newest. */
export function publicAlerts(alerts: readonly AlertRecord[], at: LonLat | null, guidance: GuidanceSource): PublicAlertView[] {
  const rank = (v: PublicAlertView): number => Math.min(...v.info.map((i) => SEVERITY_RANK[i.severity] ?? 4));
  const views = alerts.map((a) => {
    const v = publicAlertView(a, at, guidance);
    return { v, key: [Number(v.covers !== true), rank(v), -Date.parse(v.sent)] as const };
  });
  return views.sort((x, y) => x.key[0] - y.key[0] || x.key[1] - y.key[1] || x.key[2] - y.key[2]).map((x) => x.v);
}

export function publicAlertView(a: AlertRecord, at: LonLat | null, guidance: GuidanceSource): PublicAlertView {
  const { view, area } = placeFree(a);
  // Where to go from this place, in each of the alert's languages (a place-free summary without one).
  const languages = view.info.map((i) => i.language ?? 'en-US');
  const guidanceByLanguage = Object.fromEntries(languages.map((l) => [l, guidance(a, at, l)]));
  return { ...view, covers: at ? inArea(at, area) : null, guidance: guidanceByLanguage[languages[0] ?? ''] ?? null, guidanceByLanguage };
}

type PlaceFree = { view: Omit<PublicAlertView, 'covers' | 'guidance' | 'guidanceByLanguage'>; area: TargetArea };
/** What does not depend on the place asked about, made once per CAP document (an issued alert's document does not change). */
const placeFreeCache = new WeakMap<AlertRecord['cap'], PlaceFree>();

function placeFree(a: AlertRecord): PlaceFree {
  const cached = placeFreeCache.get(a.cap);
  if (cached && cached.view.alertId === a.alertId) return cached;
  const infos = a.cap.info ?? [];
  // Each language's info block usually repeats the same areas: each drawn once.
  const areas = [...new Map(infos.flatMap((i) => i.area ?? []).map((x) => [JSON.stringify([x.polygon, x.circle]), x])).values()];
  const area = targetAreaOf(areas);
  const made: PlaceFree = {
    area,
    view: {
      alertId: a.alertId,
      identifier: a.cap.identifier,
      sent: a.cap.sent,
      status: a.cap.status,
      msgType: a.cap.msgType,
      exercise: exerciseMark(a.cap),
      expires:
        infos
          .map((i) => i.expires)
          .filter((e): e is string => Boolean(e))
          .sort((x, y) => Date.parse(x) - Date.parse(y))
          .at(-1) ?? null,
      info: infos.map((i) => ({
        language: i.language ?? 'en-US',
        event: i.event,
        headline: i.headline,
        description: i.description,
        instruction: i.instruction,
        severity: i.severity,
        urgency: i.urgency,
        certainty: i.certainty,
        responseType: i.responseType,
        expires: i.expires,
        web: i.web,
        contact: i.contact,
        senderName: i.senderName,
        areaDesc: (i.area ?? []).map((x) => x.areaDesc).join(', '),
      })),
      area: { type: 'MultiPolygon', coordinates: areaPolygons(area) },
      capUrl: `/api/alerts/public/${encodeURIComponent(a.alertId)}/cap.xml`,
    },
  };
  placeFreeCache.set(a.cap, made);
  return made;
}

/** CAP polygons as closed GeoJSON rings, circles as 48-sided polygons (a map draws polygons, not circles in metres). */
function areaPolygons(area: TargetArea): LonLat[][][] {
  const rings = area.rings.map((r): LonLat[] => {
    const first = r[0];
    const last = r.at(-1);
    return first && last && (first[0] !== last[0] || first[1] !== last[1]) ? [...r, first] : r;
  });
  const circles = area.circles.map(({ centre: [lon, lat], radiusM }): LonLat[] => {
    const dLat = radiusM / 111_320;
    const dLon = radiusM / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
    const ring = Array.from({ length: 48 }, (_, k): LonLat => [lon + dLon * Math.cos((2 * Math.PI * k) / 48), lat + dLat * Math.sin((2 * Math.PI * k) / 48)]);
    return [...ring, ring[0]!];
  });
  return [...rings, ...circles].map((r) => [r]);
}
