/**
 * A tiny OSM PBF file whose content the tests know exactly: three dense nodes (one tagged a police
 * post), a building way and a multipolygon relation, behind a header blob. Built with a small
 * protobuf writer; the data blob is raw, or zlib-compressed with `zlib`.
 */
import { deflateSync } from 'node:zlib';

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const zz = (n: number): number => (n >= 0 ? 2 * n : -2 * n - 1);
const field = (no: number, wire: number): number[] => varint(no * 8 + wire);
const bytesField = (no: number, b: number[]): number[] => [...field(no, 2), ...varint(b.length), ...b];
const packed = (no: number, values: number[]): number[] => bytesField(no, values.flatMap(varint));
const str = (s: string): number[] => [...Buffer.from(s)];
const deltas = (xs: number[]): number[] => xs.map((x, i) => x - (i ? xs[i - 1]! : 0));

export function tinyPbf(options: { zlib?: boolean } = {}): Buffer {
  const strings = ['', 'amenity', 'police', 'name', 'Poste', 'building', 'yes', 'outer', 'type', 'multipolygon'];
  const ids = [1, 2, 3];
  const lats = [437300000, 437400000, 437400000]; // 1e-7 degrees (granularity 100 nanodegrees)
  const lons = [74200000, 74200000, 74300000];
  const dense = [
    ...packed(1, deltas(ids).map(zz)),
    ...packed(8, deltas(lats).map(zz)),
    ...packed(9, deltas(lons).map(zz)),
    ...packed(10, [0, 1, 2, 3, 4, 0, 0]),
  ];
  const way = [...field(1, 0), ...varint(10), ...packed(2, [5]), ...packed(3, [6]), ...packed(8, deltas([1, 2, 3, 1]).map(zz))];
  const relation = [...field(1, 0), ...varint(20), ...packed(2, [8]), ...packed(3, [9]), ...packed(8, [7]), ...packed(9, [zz(10)]), ...packed(10, [1])];
  const group = [...bytesField(2, dense), ...bytesField(3, way), ...bytesField(4, relation)];
  const block = [
    ...bytesField(
      1,
      strings.flatMap((s) => bytesField(1, str(s))),
    ),
    ...bytesField(2, group),
  ];
  const header = [...bytesField(4, str('OsmSchema-V0.6')), ...bytesField(4, str('DenseNodes'))];
  const blob = (type: string, content: number[], zlib: boolean): number[] => {
    const b = zlib
      ? [...bytesField(3, [...deflateSync(Buffer.from(content))]), ...field(2, 0), ...varint(content.length)]
      : [...bytesField(1, content), ...field(2, 0), ...varint(content.length)];
    const h = [...bytesField(1, str(type)), ...field(3, 0), ...varint(b.length)];
    const len = Buffer.alloc(4);
    len.writeUInt32BE(h.length);
    return [...len, ...h, ...b];
  };
  return Buffer.from([...blob('OSMHeader', header, false), ...blob('OSMData', block, options.zlib ?? false)]);
}
