import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { VigilError } from '../../kernel/errors.js';
import { checkOsmCounts, defaultOsmLimits, type OsmData, type OsmLimits, type OsmMember, type Tags } from './osm-model.js';
import { ProtobufError, ProtobufReader, readSint, readVarint } from './protobuf-reader.js';

const MAX_HEADER_BYTES = 64 * 1024;
const MAX_BLOB_BYTES = 32 * 1024 * 1024; // the format's own limit
const SUPPORTED_FEATURES = new Set(['OsmSchema-V0.6', 'DenseNodes']);
const MEMBER_TYPES = ['node', 'way', 'relation'] as const;

/**
 * Reads an OSM PBF extract (https://wiki.openstreetmap.org/wiki/PBF_Format): a
 * sequence of length-prefixed BlobHeader/Blob pairs, each blob a zlib-compressed
 * PrimitiveBlock of string table, nodes (plain or dense, delta-coded), ways and
 * relations. Written by hand: it is a small format and a codec Vigil owns.
 */
export async function readOsmPbf(
  file: string,
  onProgress?: (p: { bytes: number; totalBytes: number }) => void,
  limits: OsmLimits = defaultOsmLimits(),
): Promise<OsmData> {
  const buf = await readFile(file);
  let inflated = 0;
  const data: OsmData = { nodes: new Map(), taggedNodes: [], ways: new Map(), relations: [], bounds: null };
  let pos = 0;
  let blobIndex = 0;
  try {
    while (pos < buf.length) {
      if (pos + 4 > buf.length) throw new ProtobufError('truncated blob header length');
      const headerLen = buf.readUInt32BE(pos);
      pos += 4;
      if (headerLen > MAX_HEADER_BYTES || pos + headerLen > buf.length) throw new ProtobufError(`bad blob header length ${headerLen}`);
      const header = new ProtobufReader(buf, pos, pos + headerLen);
      pos += headerLen;
      let type = '';
      let dataSize = -1;
      while (!header.done) {
        const [field, wire] = header.key();
        if (field === 1 && wire === 2) type = header.string();
        else if (field === 3 && wire === 0) dataSize = header.varint();
        else header.skip(wire);
      }
      if (dataSize < 0 || dataSize > MAX_BLOB_BYTES || pos + dataSize > buf.length) throw new ProtobufError(`bad blob size ${dataSize}`);
      const block = blobContent(new ProtobufReader(buf, pos, pos + dataSize));
      inflated += block.length;
      if (inflated > limits.maxDecompressedBytes)
        throw new VigilError(
          'payload_too_large',
          `${file}: the extract is larger than ${limits.maxDecompressedBytes} bytes uncompressed (VIGIL_OSM_MAX_DECOMPRESSED_BYTES)`,
        );
      pos += dataSize;
      if (type === 'OSMHeader') readHeader(new ProtobufReader(block), data);
      else if (type === 'OSMData') readPrimitiveBlock(new ProtobufReader(block), data);
      checkOsmCounts(data, limits, file, (message) => {
        throw new VigilError('payload_too_large', message);
      });
      blobIndex++;
      onProgress?.({ bytes: pos, totalBytes: buf.length });
    }
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('bad_request', `${file}: not a valid OSM PBF file (blob ${blobIndex}): ${(error as Error).message}`);
  }
  if (data.nodes.size === 0) throw new VigilError('bad_request', `${file}: the extract holds no nodes`);
  return data;
}

function blobContent(r: ProtobufReader): Uint8Array {
  let raw: [number, number] | null = null;
  let zlib: [number, number] | null = null;
  let rawSize = 0;
  while (!r.done) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) raw = r.bytes();
    else if (field === 2 && wire === 0) rawSize = r.varint();
    else if (field === 3 && wire === 2) zlib = r.bytes();
    else if ((field === 4 || field === 5 || field === 6 || field === 7) && wire === 2)
      throw new ProtobufError('only raw and zlib blobs are supported (not lzma, bzip2, lz4 or zstd)');
    else r.skip(wire);
  }
  if (raw) return r.buf.subarray(raw[0], raw[1]);
  if (!zlib) throw new ProtobufError('blob without data');
  if (rawSize > MAX_BLOB_BYTES) throw new ProtobufError(`blob declares ${rawSize} bytes uncompressed`);
  try {
    return inflateSync(r.buf.subarray(zlib[0], zlib[1]), { maxOutputLength: MAX_BLOB_BYTES });
  } catch (error) {
    throw new ProtobufError(`zlib: ${(error as Error).message}`);
  }
}

function readHeader(r: ProtobufReader, data: OsmData): void {
  while (!r.done) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) {
      const b = r.sub();
      const box = [0, 0, 0, 0]; // left, right, top, bottom in nanodegrees
      while (!b.done) {
        const [f, w] = b.key();
        if (f >= 1 && f <= 4 && w === 0) box[f - 1] = b.sint();
        else b.skip(w);
      }
      data.bounds = [box[0]! / 1e9, box[3]! / 1e9, box[1]! / 1e9, box[2]! / 1e9];
    } else if (field === 4 && wire === 2) {
      const feature = r.string();
      if (!SUPPORTED_FEATURES.has(feature)) throw new ProtobufError(`requires unsupported feature ${feature}`);
    } else r.skip(wire);
  }
}

function readPrimitiveBlock(r: ProtobufReader, data: OsmData): void {
  const strings: string[] = [];
  const groups: ProtobufReader[] = [];
  let granularity = 100;
  let latOffset = 0;
  let lonOffset = 0;
  while (!r.done) {
    const [field, wire] = r.key();
    if (field === 1 && wire === 2) {
      const st = r.sub();
      while (!st.done) {
        const [f, w] = st.key();
        if (f === 1 && w === 2) strings.push(st.string());
        else st.skip(w);
      }
    } else if (field === 2 && wire === 2) groups.push(r.sub());
    else if (field === 17 && wire === 0) granularity = r.varint();
    else if (field === 19 && wire === 0) latOffset = r.int();
    else if (field === 20 && wire === 0) lonOffset = r.int();
    else r.skip(wire);
  }
  const str = (i: number): string => {
    const s = strings[i];
    if (s === undefined) throw new ProtobufError(`string index ${i} outside the table`);
    return s;
  };
  const coord = (offset: number, v: number): number => (offset + granularity * v) / 1e9;
  const addNode = (id: number, lat: number, lon: number, tags: Tags | null): void => {
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) throw new ProtobufError(`node ${id} is outside the world: ${lat}, ${lon}`);
    const position: [number, number] = [lon, lat];
    data.nodes.set(id, position);
    if (tags && Object.keys(tags).length > 0) data.taggedNodes.push({ id, position, tags });
  };
  const tagsOf = (keys: number[], vals: number[]): Tags => {
    if (keys.length !== vals.length) throw new ProtobufError('keys and values differ in length');
    const tags: Tags = {};
    for (let i = 0; i < keys.length; i++) tags[str(keys[i]!)] = str(vals[i]!);
    return tags;
  };

  for (const g of groups) {
    while (!g.done) {
      const [field, wire] = g.key();
      if (field === 1 && wire === 2) {
        const n = g.sub();
        let id = 0,
          lat = 0,
          lon = 0;
        let keys: number[] = [],
          vals: number[] = [];
        while (!n.done) {
          const [f, w] = n.key();
          if (f === 1) id = n.sint();
          else if (f === 2) keys = n.packed(w, readVarint);
          else if (f === 3) vals = n.packed(w, readVarint);
          else if (f === 8) lat = n.sint();
          else if (f === 9) lon = n.sint();
          else n.skip(w);
        }
        addNode(id, coord(latOffset, lat), coord(lonOffset, lon), tagsOf(keys, vals));
      } else if (field === 2 && wire === 2) {
        const d = g.sub();
        let ids: number[] = [],
          lats: number[] = [],
          lons: number[] = [],
          kv: number[] = [];
        while (!d.done) {
          const [f, w] = d.key();
          if (f === 1) ids = d.packed(w, readSint);
          else if (f === 8) lats = d.packed(w, readSint);
          else if (f === 9) lons = d.packed(w, readSint);
          else if (f === 10) kv = d.packed(w, readVarint);
          else d.skip(w);
        }
        if (lats.length !== ids.length || lons.length !== ids.length) throw new ProtobufError('dense nodes: ids, lats and lons differ in length');
        let id = 0,
          lat = 0,
          lon = 0,
          k = 0;
        for (let i = 0; i < ids.length; i++) {
          id += ids[i]!;
          lat += lats[i]!;
          lon += lons[i]!;
          let tags: Tags | null = null;
          // keys_vals: key, value, key, value, …, 0 per node (absent when no node has tags).
          while (k < kv.length && kv[k] !== 0) {
            if (k + 1 >= kv.length) throw new ProtobufError('dense nodes: key without value');
            (tags ??= {})[str(kv[k]!)] = str(kv[k + 1]!);
            k += 2;
          }
          k++;
          addNode(id, coord(latOffset, lat), coord(lonOffset, lon), tags);
        }
      } else if (field === 3 && wire === 2) {
        const w = g.sub();
        let id = 0;
        let keys: number[] = [],
          vals: number[] = [],
          refs: number[] = [];
        while (!w.done) {
          const [f, wt] = w.key();
          if (f === 1) id = w.int();
          else if (f === 2) keys = w.packed(wt, readVarint);
          else if (f === 3) vals = w.packed(wt, readVarint);
          else if (f === 8) refs = w.packed(wt, readSint);
          else w.skip(wt);
        }
        let ref = 0;
        data.ways.set(id, { id, refs: refs.map((d) => (ref += d)), tags: tagsOf(keys, vals) });
      } else if (field === 4 && wire === 2) {
        const rel = g.sub();
        let id = 0;
        let keys: number[] = [],
          vals: number[] = [],
          roles: number[] = [],
          memids: number[] = [],
          types: number[] = [];
        while (!rel.done) {
          const [f, wt] = rel.key();
          if (f === 1) id = rel.int();
          else if (f === 2) keys = rel.packed(wt, readVarint);
          else if (f === 3) vals = rel.packed(wt, readVarint);
          else if (f === 8) roles = rel.packed(wt, readVarint);
          else if (f === 9) memids = rel.packed(wt, readSint);
          else if (f === 10) types = rel.packed(wt, readVarint);
          else rel.skip(wt);
        }
        if (roles.length !== memids.length || types.length !== memids.length) throw new ProtobufError(`relation ${id}: member arrays differ in length`);
        let ref = 0;
        const members: OsmMember[] = memids.map((d, i) => {
          const type = MEMBER_TYPES[types[i]!];
          if (!type) throw new ProtobufError(`relation ${id}: unknown member type ${types[i]}`);
          return { type, ref: (ref += d), role: str(roles[i]!) };
        });
        data.relations.push({ id, members, tags: tagsOf(keys, vals) });
      } else g.skip(wire);
    }
  }
}
