/**
 * CRC-16/ARC as SIA DC-09 uses it: reflected polynomial 0xA001, initial value 0,
 * no final XOR. Check value: "123456789" → 0xBB3D. Computed from the polynomial
 * (the table printed in DC-07 has a misprint at entry 101).
 */
const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  TABLE[i] = c;
}

export function crc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ data[i]!) & 0xff]!;
  return crc;
}

export const crcHex = (text: string): string => crc16(Buffer.from(text, 'latin1')).toString(16).toUpperCase().padStart(4, '0');
