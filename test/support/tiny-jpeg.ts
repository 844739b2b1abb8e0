/**
 * A real 8 × 8 JPEG (Chromium's canvas encoder) and a builder that adds what phones
 * write into photos: an EXIF block with the camera and the GPS position, and a
 * comment. For the photo-stripping tests, the fuzz seed and the browser test.
 */
export const TINY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAL/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABQb/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCAAKlf/9k=',
  'base64',
);

/** Degrees as three EXIF rationals (degrees, minutes, seconds × 1000). */
function rationals(value: number): Buffer {
  const abs = Math.abs(value);
  const d = Math.floor(abs);
  const m = Math.floor((abs - d) * 60);
  const s = Math.round(((abs - d) * 60 - m) * 60 * 1000);
  const b = Buffer.alloc(24);
  [d, 1, m, 1, s, 1000].forEach((v, i) => b.writeUInt32BE(v, i * 4));
  return b;
}

/** The TIFF block of an EXIF APP1 (big-endian): IFD0 with the camera make and the GPS pointer; the GPS IFD. */
export function exifTiff(lat: number, lon: number): Buffer {
  const make = Buffer.from('VigilCam\0', 'latin1');
  // Layout: header 8 | IFD0 (2 entries) 2+24+4 = 30 | GPS IFD (4 entries) 2+48+4 = 54 | make 9 | lat 24 | lon 24
  const ifd0 = 8;
  const gpsIfd = ifd0 + 30;
  const makeAt = gpsIfd + 54;
  const latAt = makeAt + make.length;
  const lonAt = latAt + 24;
  const b = Buffer.alloc(lonAt + 24);
  b.write('MM', 0, 'latin1');
  b.writeUInt16BE(42, 2);
  b.writeUInt32BE(ifd0, 4);
  const entry = (at: number, tag: number, type: number, count: number, value: (o: number) => void): void => {
    b.writeUInt16BE(tag, at);
    b.writeUInt16BE(type, at + 2);
    b.writeUInt32BE(count, at + 4);
    value(at + 8);
  };
  b.writeUInt16BE(2, ifd0);
  entry(ifd0 + 2, 0x010f, 2, make.length, (o) => b.writeUInt32BE(makeAt, o));
  entry(ifd0 + 14, 0x8825, 4, 1, (o) => b.writeUInt32BE(gpsIfd, o));
  b.writeUInt32BE(0, ifd0 + 26);
  b.writeUInt16BE(4, gpsIfd);
  entry(gpsIfd + 2, 1, 2, 2, (o) => b.write(lat < 0 ? 'S' : 'N', o, 'latin1'));
  entry(gpsIfd + 14, 2, 5, 3, (o) => b.writeUInt32BE(latAt, o));
  entry(gpsIfd + 26, 3, 2, 2, (o) => b.write(lon < 0 ? 'W' : 'E', o, 'latin1'));
  entry(gpsIfd + 38, 4, 5, 3, (o) => b.writeUInt32BE(lonAt, o));
  b.writeUInt32BE(0, gpsIfd + 50);
  make.copy(b, makeAt);
  rationals(lat).copy(b, latAt);
  rationals(lon).copy(b, lonAt);
  return b;
}

const segment = (marker: number, payload: Buffer): Buffer => {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
};

/** TINY_JPEG with an EXIF block (camera, GPS position) and a comment, as a phone would write it. */
export function jpegWithExif(lat: number, lon: number, comment = 'taken at home'): Buffer {
  const app0End = 2 + 2 + TINY_JPEG.readUInt16BE(4);
  return Buffer.concat([
    TINY_JPEG.subarray(0, app0End),
    segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(lat, lon)])),
    segment(0xfe, Buffer.from(comment, 'utf8')),
    TINY_JPEG.subarray(app0End),
  ]);
}
