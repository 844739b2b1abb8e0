import { useEffect, useMemo, useState } from 'react';
import type * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import { api } from '../api.js';
import { useT, useTime } from '../i18n.js';
import { LABEL_FONT_BOLD, exposeRendered, fitTo, raiseLabels } from './basemap.js';
import { UNIT_COLOURS, colourBy } from './map-legend.js';
import { errorText } from '../errors.js';

interface UnitRow {
  unitId: string;
  callSign: string;
  kind: string;
}
interface TrackFix {
  at: string;
  position: [number, number];
}
interface Track {
  unitId: string;
  callSign: string;
  kind: string;
  /** Times (ms) and positions, oldest first. */
  at: number[];
  positions: [number, number][];
}

const WINDOWS = [1, 6, 24] as const;
const SPEEDS = [10, 60, 300] as const;
const TICK_MS = 250;

/** Where a track is at time t: between its two fixes around t, or null before its first fix. */
export function positionAt(track: Pick<Track, 'at' | 'positions'>, t: number): [number, number] | null {
  const { at, positions } = track;
  if (at.length === 0 || t < at[0]!) return null;
  if (t >= at[at.length - 1]!) return positions[positions.length - 1]!;
  let lo = 0;
  let hi = at.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (at[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const f = (t - at[lo]!) / (at[hi]! - at[lo]! || 1);
  const a = positions[lo]!;
  const b = positions[hi]!;
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])];
}

async function loadTrack(u: UnitRow, from: Date, to: Date): Promise<Track> {
  const track: Track = { unitId: u.unitId, callSign: u.callSign, kind: u.kind, at: [], positions: [] };
  let afterSeq: number | null = 0;
  // A long history comes in pages; ten pages is far more than a day of fixes every few seconds.
  for (let page = 0; page < 10 && afterSeq !== null; page++) {
    const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), ...(afterSeq ? { afterSeq: String(afterSeq) } : {}) });
    const r: { fixes: TrackFix[]; nextAfterSeq: number | null } = await api(`/api/units/${encodeURIComponent(u.unitId)}/track?${q.toString()}`);
    for (const f of r.fixes) {
      track.at.push(Date.parse(f.at));
      track.positions.push(f.position);
    }
    afterSeq = r.nextAfterSeq;
  }
  return track;
}

/**
 * Plays back several units' tracks on the map beside it: each track as a line in its unit
 * kind's colour, and where every unit was at the time under the timeline's cursor (play,
 * pause, 10×/60×/300×). Drawn with two GeoJSON layers on the page's map.
 */
export function TrackPlayback({ map, ready }: { map: maplibregl.Map | null; ready: boolean }) {
  const t = useT();
  const time = useTime();
  const [units, setUnits] = useState<UnitRow[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [hours, setHours] = useState<(typeof WINDOWS)[number]>(1);
  const [tracks, setTracks] = useState<Track[]>([]);
  const [span, setSpan] = useState<[number, number] | null>(null);
  const [cursor, setCursor] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<(typeof SPEEDS)[number]>(60);
  const [error, setError] = useState<string | null>(null);
  const [none, setNone] = useState(false);

  useEffect(() => {
    api<{ units: UnitRow[] }>('/api/units').then(
      (r) => setUnits(r.units),
      () => setUnits([]),
    );
  }, []);

  // The map's layers for the tracks, added once the page's map is ready.
  useEffect(() => {
    if (!map || !ready || map.getSource('tracks')) return;
    map.addSource('tracks', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addSource('track-heads', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({
      id: 'tracks',
      type: 'line',
      source: 'tracks',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': colourBy('kind', UNIT_COLOURS), 'line-width': 3, 'line-opacity': 0.6 },
    });
    map.addLayer({
      id: 'track-heads',
      type: 'circle',
      source: 'track-heads',
      paint: { 'circle-color': colourBy('kind', UNIT_COLOURS), 'circle-radius': 7, 'circle-stroke-color': '#101828', 'circle-stroke-width': 2 },
    });
    map.addLayer({
      id: 'track-head-labels',
      type: 'symbol',
      source: 'track-heads',
      layout: { 'text-field': ['get', 'callSign'], 'text-font': [LABEL_FONT_BOLD], 'text-size': 11, 'text-anchor': 'left', 'text-offset': [0.9, 0] },
      paint: { 'text-color': '#101828', 'text-halo-color': '#fff', 'text-halo-width': 1.5 },
    });
    raiseLabels(map);
    exposeRendered(map, { tracks: ['tracks', 'track-heads'] });
  }, [map, ready]);

  const load = async (): Promise<void> => {
    setError(null);
    setPlaying(false);
    const to = new Date();
    const from = new Date(to.getTime() - hours * 3600_000);
    try {
      const loaded = await Promise.all(units.filter((u) => chosen.has(u.unitId)).map((u) => loadTrack(u, from, to)));
      const withFixes = loaded.filter((x) => x.at.length > 0);
      setTracks(withFixes);
      setNone(withFixes.length === 0);
      const first = Math.min(...withFixes.map((x) => x.at[0]!));
      const last = Math.max(...withFixes.map((x) => x.at[x.at.length - 1]!));
      setSpan(withFixes.length ? [first, last] : null);
      setCursor(withFixes.length ? first : 0);
      if (map && withFixes.length)
        fitTo(
          map,
          withFixes.map((x) => ({ coordinates: x.positions })),
          { padding: 60 },
        );
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  useEffect(() => {
    const src = map?.getSource('tracks') as GeoJSONSource | undefined;
    src?.setData({
      type: 'FeatureCollection',
      features: tracks
        .filter((x) => x.positions.length > 1)
        .map((x) => ({ type: 'Feature', geometry: { type: 'LineString', coordinates: x.positions }, properties: { kind: x.kind, callSign: x.callSign } })),
    });
  }, [map, ready, tracks]);

  const heads = useMemo(
    () =>
      tracks.flatMap((x) => {
        const p = positionAt(x, cursor);
        return p ? [{ callSign: x.callSign, kind: x.kind, position: p }] : [];
      }),
    [tracks, cursor],
  );
  useEffect(() => {
    const src = map?.getSource('track-heads') as GeoJSONSource | undefined;
    src?.setData({
      type: 'FeatureCollection',
      features: heads.map((h) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: h.position },
        properties: { kind: h.kind, callSign: h.callSign },
      })),
    });
  }, [map, ready, heads]);

  useEffect(() => {
    if (!playing || !span) return;
    const id = setInterval(() => {
      setCursor((c) => {
        const next = c + TICK_MS * speed;
        if (next >= span[1]) {
          setPlaying(false);
          return span[1];
        }
        return next;
      });
    }, TICK_MS);
    return () => clearInterval(id);
  }, [playing, span, speed]);

  if (units.length === 0) return null;
  return (
    <section className="track-playback" data-testid="track-playback">
      <h3>{t('Unit tracks')}</h3>
      <ul className="list legend">
        {units.map((u) => (
          <li key={u.unitId}>
            <label>
              <input
                type="checkbox"
                checked={chosen.has(u.unitId)}
                onChange={() => {
                  const c = new Set(chosen);
                  if (c.has(u.unitId)) c.delete(u.unitId);
                  else c.add(u.unitId);
                  setChosen(c);
                }}
              />
              <span className="swatch" style={{ background: UNIT_COLOURS[u.kind] ?? '#667085' }} /> {u.callSign}
            </label>
          </li>
        ))}
      </ul>
      <div className="track-player">
        <label>
          {t('Last')}{' '}
          <select value={hours} onChange={(e) => setHours(Number(e.target.value) as (typeof WINDOWS)[number])} aria-label={t('Track window')}>
            {WINDOWS.map((h) => (
              <option key={h} value={h}>
                {h} h
              </option>
            ))}
          </select>
        </label>
        <button onClick={() => void load()} disabled={chosen.size === 0} data-testid="load-tracks">
          {t('Show tracks')}
        </button>
      </div>
      {error && <p className="error small">{error}</p>}
      {none && <p className="muted small">{t('No position recorded in this window.')}</p>}
      {span && (
        <div className="track-player" data-testid="track-timeline" data-heads={heads.length}>
          <button onClick={() => setPlaying(!playing)} aria-pressed={playing} data-testid="play-tracks">
            {playing ? t('Pause') : t('Play')}
          </button>
          <input
            type="range"
            min={span[0]}
            max={span[1]}
            step={1000}
            value={cursor}
            onChange={(e) => setCursor(Number(e.target.value))}
            aria-label={t('Time')}
            data-testid="track-cursor"
          />
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value) as (typeof SPEEDS)[number])} aria-label={t('Playback speed')}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
          <span className="small" data-testid="track-time">
            {time(new Date(cursor).toISOString(), 'time')}
          </span>
        </div>
      )}
      {span === null && tracks.length === 0 && chosen.size === 0 && <p className="muted small">{t('Tick units to play back where they went.')}</p>}
    </section>
  );
}
