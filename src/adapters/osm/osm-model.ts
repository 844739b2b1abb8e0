import type { Position } from '../../kernel/geo.js';

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
