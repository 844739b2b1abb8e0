import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { VigilError } from '../../kernel/errors.js';
import type { Position } from '../../kernel/geo.js';
import { checkOsmCounts, defaultOsmLimits, type OsmData, type OsmLimits, type OsmWay, type OsmRelation, type ReadProgress, type Tags } from './osm-model.js';
import { readOsmPbf } from './osm-pbf.js';

export type { OsmData, OsmLimits, OsmMember, OsmRelation, OsmWay, ReadProgress, Tags } from './osm-model.js';
export { defaultOsmLimits } from './osm-model.js';

const MAX_TAGS = 1000;

/**
 * Reads an OpenStreetMap extract into memory: XML (.osm, gzip-compressed .osm.gz),
 * streamed, or PBF (.osm.pbf, see osm-pbf.ts). Malformed XML, out-of-range coordinates and elements without ids stop
 * the import with the line where it happened; nothing is half-imported because the
 * caller only records events after the whole file has been read.
 */
export async function readOsm(
  file: string,
  totalBytes: number,
  onProgress?: (p: ReadProgress) => void,
  limits: OsmLimits = defaultOsmLimits(),
): Promise<OsmData> {
  if (/\.pbf$/i.test(file)) return readOsmPbf(file, onProgress, limits);
  const data: OsmData = { nodes: new Map(), taggedNodes: [], ways: new Map(), relations: [], bounds: null };
  const parser = new SaxesParser({ xmlns: false, position: true });
  let current:
    { kind: 'node'; id: number; position: Position; tags: Tags } | { kind: 'way'; way: OsmWay } | { kind: 'relation'; relation: OsmRelation } | null = null;
  let tagCount = 0;
  const fail = (message: string): never => {
    throw new VigilError('bad_request', `${file}:${parser.line}: ${message}`);
  };
  const num = (v: string | undefined, what: string): number => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n)) fail(`${what} is missing or not a number`);
    return n;
  };

  parser.on('opentag', (tag) => {
    const a = tag.attributes as Record<string, string>;
    switch (tag.name) {
      case 'bounds':
        data.bounds = [num(a.minlon, 'minlon'), num(a.minlat, 'minlat'), num(a.maxlon, 'maxlon'), num(a.maxlat, 'maxlat')];
        break;
      case 'node': {
        const lat = num(a.lat, 'node lat');
        const lon = num(a.lon, 'node lon');
        if (lat < -90 || lat > 90 || lon < -180 || lon > 180) fail(`node ${a.id} is outside the world: ${lat}, ${lon}`);
        const id = num(a.id, 'node id');
        const position: Position = [lon, lat];
        data.nodes.set(id, position);
        if (data.nodes.size > limits.maxNodes) checkOsmCounts(data, limits, file, fail);
        current = tag.isSelfClosing ? null : { kind: 'node', id, position, tags: {} };
        tagCount = 0;
        break;
      }
      case 'way':
        current = { kind: 'way', way: { id: num(a.id, 'way id'), refs: [], tags: {} } };
        tagCount = 0;
        break;
      case 'relation':
        current = { kind: 'relation', relation: { id: num(a.id, 'relation id'), members: [], tags: {} } };
        tagCount = 0;
        break;
      case 'nd':
        if (current?.kind === 'way') current.way.refs.push(num(a.ref, 'nd ref'));
        break;
      case 'member':
        if (current?.kind === 'relation' && (a.type === 'node' || a.type === 'way' || a.type === 'relation')) {
          current.relation.members.push({ type: a.type, ref: num(a.ref, 'member ref'), role: a.role ?? '' });
        }
        break;
      case 'tag': {
        if (!current || a.k === undefined || a.v === undefined) break;
        if (++tagCount > MAX_TAGS) fail('more than 1000 tags on one element');
        const tags = current.kind === 'node' ? current.tags : current.kind === 'way' ? current.way.tags : current.relation.tags;
        tags[a.k] = a.v;
        break;
      }
    }
  });
  parser.on('closetag', (tag) => {
    if (!current) return;
    if (tag.name === 'node' && current.kind === 'node') {
      if (Object.keys(current.tags).length > 0) data.taggedNodes.push({ id: current.id, position: current.position, tags: current.tags });
      current = null;
    } else if (tag.name === 'way' && current.kind === 'way') {
      data.ways.set(current.way.id, current.way);
      if (data.ways.size > limits.maxWays) checkOsmCounts(data, limits, file, fail);
      current = null;
    } else if (tag.name === 'relation' && current.kind === 'relation') {
      data.relations.push(current.relation);
      if (data.relations.length > limits.maxRelations) checkOsmCounts(data, limits, file, fail);
      current = null;
    }
  });

  let parseError: unknown = null;
  parser.on('error', (e) => {
    parseError ??= e instanceof VigilError ? e : new VigilError('bad_request', `${file}: not valid OSM XML: ${e.message}`);
  });

  const raw = createReadStream(file);
  let bytes = 0;
  raw.on('data', (chunk) => {
    bytes += chunk.length;
    onProgress?.({ bytes, totalBytes });
  });
  const gunzip = /\.gz$/i.test(file) ? createGunzip() : null;
  const text = gunzip ? raw.pipe(gunzip) : raw;
  const decoder = new StringDecoder('utf8');
  let xmlBytes = 0;
  try {
    for await (const chunk of text) {
      xmlBytes += (chunk as Buffer).length;
      // Counted before parsing: a gzip bomb stops here, not when memory runs out.
      if (xmlBytes > limits.maxDecompressedBytes)
        throw new VigilError(
          'payload_too_large',
          `${file}: the extract is larger than ${limits.maxDecompressedBytes} bytes uncompressed (VIGIL_OSM_MAX_DECOMPRESSED_BYTES)`,
        );
      parser.write(decoder.write(chunk as Buffer));
      if (parseError) throw parseError;
    }
    parser.write(decoder.end());
    parser.close();
  } catch (error) {
    raw.destroy();
    gunzip?.destroy();
    if (error instanceof VigilError) throw error;
    throw new VigilError('bad_request', `${file}: cannot read the extract: ${(error as Error).message}`);
  }
  if (parseError) throw parseError;
  if (data.nodes.size === 0) throw new VigilError('bad_request', `${file}: the extract holds no nodes`);
  return data;
}
