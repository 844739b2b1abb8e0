import type { CapAlert } from './cap-model.js';

/**
 * What the CAP 1.2 schema cannot say, in one place for Vigil's own alerts and for other
 * agencies' documents. Each finding is an `error` where CAP's text makes it one (a
 * polygon is closed, a Private alert has addresses, references are "sender,identifier,sent")
 * and a `warning` where CAP allows it but it is almost surely a mistake (an expiry before
 * the alert takes effect, a restriction on a Public alert). Authoring refuses both: Vigil
 * holds its own alerts to the stricter rule. Import refuses errors and keeps warnings
 * with the alert, for the officer to see.
 */
export interface CapFinding {
  level: 'error' | 'warning';
  /** A stable name of the rule (for tests and tooling). */
  rule: string;
  /** In English, for API clients and logs; a reader's screen words `rule` with `params` instead. */
  message: string;
  /**
   * What the sentence names, for the client to word it in the reader's language: `info` (its number, from 1) and
   * `language` for a finding inside an info block, `area` (its areaDesc) inside an area, and the rule's own values.
   * Absent on findings recorded before it was kept.
   */
  params?: Record<string, string | number>;
}

type Params = Record<string, string | number>;

const POINT = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/;
const REFERENCE = /^[^\s,]+,[^\s,]+,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/;

function point(p: string): [number, number] | null {
  const m = POINT.exec(p);
  const lat = Number(m?.[1]);
  const lon = Number(m?.[2]);
  return m && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 ? [lat, lon] : null;
}

/** Twice the signed area of a ring (shoelace): zero for a polygon with no surface. */
function doubleArea(points: readonly [number, number][]): number {
  let s = 0;
  for (let k = 0; k + 1 < points.length; k++) s += points[k]![1] * points[k + 1]![0] - points[k + 1]![1] * points[k]![0];
  return s;
}

/** Every finding for a document; the empty list when it is sound. */
export function capFindings(cap: CapAlert): CapFinding[] {
  const out: CapFinding[] = [];
  const error = (rule: string, message: string, params: Params = {}): void => void out.push({ level: 'error', rule, message, params });
  const warning = (rule: string, message: string, params: Params = {}): void => void out.push({ level: 'warning', rule, message, params });

  // <references>: required by the meaning of Update and Cancel, and always in CAP's form.
  const refs = (cap.references ?? '').split(/\s+/).filter(Boolean);
  if ((cap.msgType === 'Update' || cap.msgType === 'Cancel' || cap.msgType === 'Ack' || cap.msgType === 'Error') && refs.length === 0)
    error('references-required', `an ${cap.msgType} names the message(s) it refers to in <references> ("sender,identifier,sent" each)`, {
      msgType: cap.msgType,
    });
  for (const r of refs)
    if (!REFERENCE.test(r)) error('references-form', `<references>: "${r.slice(0, 120)}" is not "sender,identifier,sent"`, { reference: r.slice(0, 120) });
  if (refs.some((r) => r === `${cap.sender},${cap.identifier},${cap.sent}`)) error('references-self', 'a message cannot reference itself');

  // <scope>, <restriction>, <addresses>.
  if (cap.scope === 'Restricted' && !cap.restriction) error('restriction-required', 'a Restricted alert says its restriction in <restriction>');
  if (cap.scope !== 'Restricted' && cap.restriction)
    warning('restriction-unused', `<restriction> is used only when <scope> is Restricted; this alert is ${cap.scope}`, { scope: cap.scope });
  if (cap.scope === 'Private' && !cap.addresses) error('addresses-required', 'a Private alert lists its recipients in <addresses>');

  const info = cap.info ?? [];
  if (cap.msgType !== 'Cancel' && cap.msgType !== 'Ack' && cap.msgType !== 'Error' && info.length === 0)
    warning('info-missing', `an ${cap.msgType} has no <info> block: nothing to show or send`, { msgType: cap.msgType });
  const languages = info.map((i) => (i.language ?? 'en-US').toLowerCase());
  if (new Set(languages).size !== languages.length)
    warning('one-info-per-language', `one info block per language: ${languages.join(', ')}`, { languages: languages.join(', ') });

  for (const [n, i] of info.entries()) {
    const where = `info ${n + 1} (${i.language ?? 'en-US'})`;
    const inInfo: Params = { info: n + 1, language: i.language ?? 'en-US' };
    if (i.category.length === 0) error('category-required', `${where}: at least one category`, inInfo);
    for (const area of i.area ?? []) {
      const at = `${where}, area "${area.areaDesc.slice(0, 80)}"`;
      const inArea: Params = { ...inInfo, area: area.areaDesc.slice(0, 80) };
      for (const polygon of area.polygon ?? []) {
        const raw = polygon.trim().split(/\s+/);
        const points = raw.map(point);
        const bad = raw.find((_, k) => points[k] === null);
        if (bad !== undefined) {
          error('polygon-points', `${at}: "${bad.slice(0, 60)}" is not "latitude,longitude" in WGS 84`, { ...inArea, point: bad.slice(0, 60) });
          continue;
        }
        const ps = points as [number, number][];
        if (ps.length < 4)
          error('polygon-size', `${at}: a polygon has at least 4 points (the first repeated last); this one has ${ps.length}`, {
            ...inArea,
            points: ps.length,
          });
        else if (ps[0]![0] !== ps[ps.length - 1]![0] || ps[0]![1] !== ps[ps.length - 1]![1])
          error('polygon-closed', `${at}: a polygon is closed (its last point is its first)`, inArea);
        else if (doubleArea(ps) === 0) warning('polygon-area', `${at}: the polygon has no area (its points are on one line)`, inArea);
      }
      for (const circle of area.circle ?? []) {
        const [centre, radius, ...rest] = circle.trim().split(/\s+/);
        if (!point(centre ?? '') || !(Number(radius) >= 0) || rest.length > 0)
          error('circle-form', `${at}: "${circle.slice(0, 60)}" is not a circle "latitude,longitude radius" (radius in km, not negative)`, {
            ...inArea,
            circle: circle.slice(0, 60),
          });
      }
      if (area.ceiling !== undefined && area.altitude === undefined) error('ceiling-needs-altitude', `${at}: <ceiling> is used only with <altitude>`, inArea);
      if (area.ceiling !== undefined && area.altitude !== undefined && area.ceiling < area.altitude)
        warning('ceiling-below-altitude', `${at}: the ceiling (${area.ceiling}) is below the altitude (${area.altitude})`, {
          ...inArea,
          ceiling: area.ceiling,
          altitude: area.altitude,
        });
    }
    const start = i.effective ?? i.onset ?? cap.sent;
    if (i.expires && Date.parse(i.expires) <= Date.parse(start))
      warning('expires-before-effective', `${where}: it expires (${i.expires}) before it takes effect (${start})`, {
        ...inInfo,
        expires: i.expires,
        effective: start,
      });
    if (i.onset && i.effective && Date.parse(i.onset) < Date.parse(i.effective))
      warning('onset-before-effective', `${where}: the event begins (${i.onset}) before the information takes effect (${i.effective})`, {
        ...inInfo,
        onset: i.onset,
        effective: i.effective,
      });
  }
  return out;
}
