// The reference for bench:alert's targeting: the same points and the same CAP polygons
// in PostGIS (Debian's postgresql-15-postgis-3) on the local PostgreSQL, a GiST index,
// `count(*) … ST_Intersects`. Runs in a database of its own, dropped afterwards.
import pg from 'pg';

export interface PostgisTiming {
  ms: number;
  recipients: number;
}

const BATCH = 200_000;

/** CAP polygon text ("lat,lon lat,lon …") as WKT (lon lat order). */
export function capPolygonToWkt(polygon: string): string {
  const pairs = polygon
    .trim()
    .split(/\s+/)
    .map((p) => p.split(',').map(Number) as [number, number]);
  return `POLYGON((${pairs.map(([lat, lon]) => `${lon} ${lat}`).join(', ')}))`;
}

/**
 * Loads `lon`/`lat` (index = id) into PostGIS and times each polygon query, best of
 * `runs` after one warm-up (the mean, as bench:alert times Vigil's grid). Returns null, with the reason printed, when PostgreSQL or
 * the PostGIS extension is not available.
 */
export async function postgisTargeting(
  url: string,
  lon: Float64Array,
  lat: Float64Array,
  queries: [string, string][],
  runs = 3,
): Promise<Record<string, PostgisTiming> | null> {
  const database = `vigil_bench_postgis_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (error) {
    console.log(`PostGIS reference skipped: PostgreSQL not reachable at ${url} (${(error as Error).message})`);
    return null;
  }
  await admin.query(`CREATE DATABASE ${database}`);
  const target = new URL(url);
  target.pathname = `/${database}`;
  const db = new pg.Client({ connectionString: target.toString() });
  try {
    await db.connect();
    try {
      await db.query('CREATE EXTENSION postgis');
    } catch (error) {
      console.log(`PostGIS reference skipped: ${(error as Error).message} (apt-get install postgresql-15-postgis-3)`);
      return null;
    }
    await db.query('CREATE UNLOGGED TABLE subscriber_location (id integer PRIMARY KEY, geom geometry(Point, 4326) NOT NULL)');
    let t0 = performance.now();
    for (let start = 0; start < lon.length; start += BATCH) {
      const end = Math.min(start + BATCH, lon.length);
      const ids = Array.from({ length: end - start }, (_, k) => start + k);
      await db.query(
        'INSERT INTO subscriber_location (id, geom) SELECT i, ST_SetSRID(ST_MakePoint(x, y), 4326) FROM unnest($1::int[], $2::float8[], $3::float8[]) AS t(i, x, y)',
        [ids, Array.from(lon.subarray(start, end)), Array.from(lat.subarray(start, end))],
      );
    }
    const loadMs = performance.now() - t0;
    t0 = performance.now();
    await db.query('CREATE INDEX subscriber_location_geom ON subscriber_location USING gist (geom)');
    await db.query('VACUUM ANALYZE subscriber_location');
    const indexMs = performance.now() - t0;
    console.log(`PostGIS: ${lon.length} points loaded in ${Math.round(loadMs)} ms, GiST index + analyze in ${Math.round(indexMs)} ms`);
    const timings: Record<string, PostgisTiming> = {};
    for (const [name, polygon] of queries) {
      const sql = 'SELECT count(*)::int AS n FROM subscriber_location WHERE ST_Intersects(geom, ST_GeomFromText($1, 4326))';
      const wkt = capPolygonToWkt(polygon);
      let n = (await db.query<{ n: number }>(sql, [wkt])).rows[0]!.n; // warm
      t0 = performance.now();
      for (let r = 0; r < runs; r++) n = (await db.query<{ n: number }>(sql, [wkt])).rows[0]!.n;
      timings[name] = { ms: +((performance.now() - t0) / runs).toFixed(1), recipients: n };
      console.log(`PostGIS ${name}: ${n} points in ${timings[name]!.ms} ms (mean of ${runs})`);
    }
    return timings;
  } finally {
    await db.end().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => {});
    await admin.end();
  }
}
