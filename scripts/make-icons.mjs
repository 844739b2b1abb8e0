#!/usr/bin/env node
// Draws the citizen app's icons (web/public/icons/*.png): Vigil's ◉ in white on the
// night-blue bar colour, inside the maskable safe zone (a centred circle of 80 %).
// Run once when the design changes; the PNGs are committed. PNG written by hand (zlib).
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const crc32 = (buf) => {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};

function icon(size) {
  const bg = [0x10, 0x18, 0x28];
  const fg = [0xff, 0xff, 0xff];
  const accent = [0xf9, 0x70, 0x66];
  const raw = Buffer.alloc(size * (1 + size * 3));
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    raw[y * (1 + size * 3)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      // 4×4 supersampling for smooth edges.
      let ring = 0;
      let dot = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const r = Math.hypot(x + (sx + 0.5) / 4 - c, y + (sy + 0.5) / 4 - c) / size;
          if (r >= 0.26 && r <= 0.33) ring++;
          if (r <= 0.14) dot++;
        }
      const px = bg.map((b, i) => Math.round(b + ((fg[i] - b) * ring) / 16 + ((accent[i] - b) * dot) / 16));
      raw.set(px, y * (1 + size * 3) + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync('web/public/icons', { recursive: true });
for (const size of [192, 512]) writeFileSync(`web/public/icons/icon-${size}.png`, icon(size));
