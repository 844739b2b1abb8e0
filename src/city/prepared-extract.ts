import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import type { OsmLimits } from '../adapters/osm/osm-reader.js';
import type { ParsedExtract } from './city-import-worker.js';

/**
 * A city extract parsed ahead of time: `scripts/build-server.mjs` parses the bundled demo extract
 * once when it precompiles the server (at `npm install` / `npm start`) and writes the result beside
 * the built city module, named by the extract's SHA-256 and stamped with the limits it was read
 * under. An import of the same bytes under the same limits takes it instead of parsing again
 * (the demo city's first start); any other file, or a run from the sources, parses as before.
 */
export interface PreparedExtract {
  sha256: string;
  limits: OsmLimits;
  parsed: Omit<ParsedExtract, 'threadId'>;
}

export const preparedExtractUrl = (sha256: string): URL => new URL(`./prepared/${sha256}.json`, import.meta.url);

/** The prepared parse of these bytes under these limits, or null (none, other limits, unreadable). */
export async function readPreparedExtract(sha256: string, limits: OsmLimits): Promise<Omit<ParsedExtract, 'threadId'> | null> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
  try {
    const prepared = JSON.parse(await readFile(preparedExtractUrl(sha256), 'utf8')) as PreparedExtract;
    return prepared.sha256 === sha256 && isDeepStrictEqual(prepared.limits, limits) ? prepared.parsed : null;
  } catch {
    return null;
  }
}
