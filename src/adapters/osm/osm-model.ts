import type { Position } from '../../kernel/geo.js';
import { tuning } from '../../kernel/tuning.js';

/** What an OpenStreetMap extract holds once read, whatever its format (XML or PBF). */
export type Tags = Record<string, string>;

export interface OsmWay {
  id: number;
  refs: number[];
  tags: Tags;
}

export interface OsmMember {
  type: 'node' | 'way' | 'relation';
  ref: number;
  role: string;
}

export interface OsmRelation {
  id: number;
  members: OsmMember[];
  tags: Tags;
}

/** A whole extract in memory: nodes as coordinates, tagged nodes kept apart. City extracts fit easily. */
export interface OsmData {
  nodes: Map<number, Position>;
  taggedNodes: { id: number; position: Position; tags: Tags }[];
  ways: Map<number, OsmWay>;
  relations: OsmRelation[];
  bounds: [number, number, number, number] | null;
}

export interface ReadProgress {
  bytes: number;
  totalBytes: number;
}

/**
 * What one extract may hold, so an upload cannot exhaust the node's memory: a
 * gzip or zlib bomb stops at the decompressed limit, a huge file at the counts.
 * Defaults fit a large city (Greater Paris is about 15 M nodes); VIGIL_OSM_MAX_*.
 */
export interface OsmLimits {
  maxDecompressedBytes: number;
  maxNodes: number;
  maxWays: number;
  maxRelations: number;
}

export function defaultOsmLimits(): OsmLimits {
  return {
    maxDecompressedBytes: tuning('VIGIL_OSM_MAX_DECOMPRESSED_BYTES')!,
    maxNodes: tuning('VIGIL_OSM_MAX_NODES')!,
    maxWays: tuning('VIGIL_OSM_MAX_WAYS')!,
    maxRelations: tuning('VIGIL_OSM_MAX_RELATIONS')!,
  };
}

/** Throws the clear error when `data` holds more elements than allowed. */
export function checkOsmCounts(data: OsmData, limits: OsmLimits, where: string, fail: (message: string) => never): void {
  if (data.nodes.size > limits.maxNodes) fail(`${where}: more than ${limits.maxNodes} nodes (VIGIL_OSM_MAX_NODES)`);
  if (data.ways.size > limits.maxWays) fail(`${where}: more than ${limits.maxWays} ways (VIGIL_OSM_MAX_WAYS)`);
  if (data.relations.length > limits.maxRelations) fail(`${where}: more than ${limits.maxRelations} relations (VIGIL_OSM_MAX_RELATIONS)`);
}
