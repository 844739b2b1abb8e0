import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc16, crcHex } from './crc.js';
import { decryptBody, encryptBody, parseKey } from './dc09-crypto.js';
import { Dc09Framer, MAX_FRAME_BYTES, type RawFrame } from './dc09-framer.js';
import { parseFrame, type AccountSettings, type ParseOptions } from './dc09-message.js';
import { ackFrame, dc09Timestamp, frameOf, nakFrame, signalFrame } from './dc09-reply.js';

const NOW = Date.UTC(2026, 10, 23, 6, 0, 0);
const KEY_HEX = '000102030405060708090A0B0C0D0E0F';
const key = parseKey(KEY_HEX)!;
const settings = new Map<string, AccountSettings>([
  ['1234', { key: null, clockOffsetMinutes: 0 }],
  ['AB12', { key, clockOffsetMinutes: 0 }],
  ['5678', { key: null, clockOffsetMinutes: 60 }],
]);
const options: ParseOptions = { now: NOW, settingsFor: (a) => (a ? (settings.get(a) ?? null) : null) };

const one = (bytes: Buffer): RawFrame => {
  const r = new Dc09Framer().push(bytes);
  assert.equal(r.frames.length, 1, `expected one frame in ${JSON.stringify(bytes.toString('latin1'))}`);
  return r.frames[0]!;
};
const parse = (bytes: Buffer) => parseFrame(one(bytes), options);

test('CRC-16/ARC check value', () => {
  assert.equal(crc16(Buffer.from('123456789')), 0xbb3d);
  assert.equal(crcHex('123456789'), 'BB3D');
});

test('a plain SIA-DCS frame is read: account, area, zone, code, x-data, timestamp', () => {
  const frame = frameOf(`"SIA-DCS"0042R1L0#1234[#1234|Nri1/BA012/BA013][X7.4246][Y43.7384][IKitchen door]${dc09Timestamp(NOW - 5000)}`);
  const r = parse(frame);
  assert.ok(r.ok, JSON.stringify(r));
  const m = r.message;
  assert.equal(m.id, 'SIA-DCS');
  assert.equal(m.seq, '0042');
  assert.equal(m.receiver, '1');
  assert.equal(m.account, '1234');
  assert.deepEqual(
    m.events.map((e) => e.protocol === 'sia' && [e.code, e.number, e.area]),
    [
      ['BA', '012', '1'],
      ['BA', '013', '1'],
    ],
  );
  assert.deepEqual(m.xdata, [
    { type: 'X', value: '7.4246' },
    { type: 'Y', value: '43.7384' },
    { type: 'I', value: 'Kitchen door' },
  ]);
  assert.equal(m.timestamp!.getTime(), NOW - 5000);
  assert.deepEqual(m.quirks, []);
});

test('Contact ID and NULL frames', () => {
  const cid = parse(frameOf(`"ADM-CID"0001L0#1234[#1234|1130 01 015]${dc09Timestamp(NOW)}`));
  assert.ok(cid.ok);
  assert.deepEqual(cid.message.events, [{ protocol: 'cid', qualifier: 1, code: '130', partition: '01', zoneOrUser: '015' }]);
  const restore = parse(frameOf('"ADM-CID"0002L0#1234[#1234|313001015]'));
  assert.ok(restore.ok && restore.message.events[0]!.protocol === 'cid' && restore.message.events[0]!.qualifier === 3);
  const link = parse(frameOf('"NULL"0003L0#1234[]'));
  assert.ok(link.ok);
  assert.deepEqual(link.message.events, []);
});

test('encrypted frames: decrypted with the account key, *ACK encrypted back, time window enforced', () => {
  const frame = signalFrame({ id: 'SIA-DCS', seq: 7, account: 'AB12', data: 'Nri2/FA001', key, now: NOW - 10_000 });
  assert.match(frame.toString('latin1'), /"\*SIA-DCS"0007L0#AB12\[[0-9A-F]+\r$/);
  const r = parse(frame);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(
    r.message.events.map((e) => e.protocol === 'sia' && e.code),
    ['FA'],
  );
  const ack = ackFrame(r.message, NOW, key).toString('latin1');
  assert.match(ack, /^\n[0-9A-F]{4}0[0-9A-F]{3}"\*ACK"0007L0#AB12\[[0-9A-F]{32,}\r$/);
  const ackBody = ack.slice(ack.indexOf('[') + 1, -1);
  assert.equal(decryptBody(ackBody, key), `]${dc09Timestamp(NOW)}`);
  // 41 s old, 21 s ahead: refused with NAK.
  for (const skew of [-41_000, 21_000]) {
    const late = parse(signalFrame({ id: 'SIA-DCS', seq: 8, account: 'AB12', data: 'Nri2/FA001', key, now: NOW + skew }));
    assert.ok(!late.ok && late.failure.reply === 'NAK' && late.failure.problem === 'time');
  }
  const nak = nakFrame(NOW).toString('latin1');
  assert.match(nak, /"NAK"0000R0L0A0\[\]_06:00:00,11-23-2026\r$/);
});

test('real-panel quirks are accepted and named', () => {
  const body = `"SIA-DCS"0010L0#1234[#1234|NBA001]`;
  // Binary 2-byte CRC.
  const crc = crc16(Buffer.from(body, 'latin1'));
  const binary = Buffer.concat([
    Buffer.from([0x0a, crc >> 8, crc & 0xff]),
    Buffer.from(`0${body.length.toString(16).toUpperCase().padStart(3, '0')}${body}\r`, 'latin1'),
  ]);
  const b = parse(binary);
  assert.ok(b.ok && b.message.quirks.includes('binary-crc'), JSON.stringify(b));
  // Length in decimal (34 bytes written "034", which as hex would be 52).
  const decimal = Buffer.from(`\n${crcHex(body)}0${String(body.length).padStart(3, '0')}${body}\r`, 'latin1');
  const d = parse(decimal);
  assert.ok(d.ok && d.message.quirks.includes('decimal-length'), JSON.stringify(d));
  // Empty L and no account at all.
  const bare = parse(frameOf('"SIA-DCS"0011L[NBA001]'));
  assert.ok(bare.ok && bare.message.account === null && bare.message.quirks.includes('empty-prefix') && bare.message.quirks.includes('no-account'));
  // Lowercase hex ciphertext.
  const enc = signalFrame({ id: 'SIA-DCS', seq: 12, account: 'AB12', data: 'NBA001', key, now: NOW }).toString('latin1');
  const bodyLower = enc.slice(9, -1).replace(/\[([0-9A-F]+)$/, (_, h: string) => `[${h.toLowerCase()}`);
  const lower = parse(frameOf(bodyLower));
  assert.ok(lower.ok && lower.message.quirks.includes('lowercase-hex'), JSON.stringify(lower));
  // Local time: account 5678 sends UTC+1.
  const local = parse(frameOf(`"SIA-DCS"0013L0#5678[#5678|NBA001]${dc09Timestamp(NOW + 3_600_000)}`));
  assert.ok(local.ok && local.message.timestamp!.getTime() === NOW && local.message.quirks.includes('local-time'));
});

test('wrong key, wrong CRC, unknown id: the right refusal, never an exception', () => {
  const other = parseKey('ffffffffffffffffffffffffffffffff')!;
  const wrong = parse(signalFrame({ id: 'SIA-DCS', seq: 1, account: 'AB12', data: 'NBA001', key: other, now: NOW }));
  assert.ok(!wrong.ok && wrong.failure.reply === 'DUH' && wrong.failure.problem === 'key');
  const noKey = parse(signalFrame({ id: 'SIA-DCS', seq: 1, account: '9999', data: 'NBA001', key, now: NOW }));
  assert.ok(!noKey.ok && noKey.failure.problem === 'key');
  const bad = Buffer.from(frameOf('"SIA-DCS"0001L0#1234[#1234|NBA001]'));
  bad[1] = bad[1] === 0x41 ? 0x42 : 0x41;
  const crc = parse(bad);
  assert.ok(!crc.ok && crc.failure.reply === 'NAK' && crc.failure.problem === 'crc');
  const unknown = parse(frameOf('"XYZ-NEW"0001L0#1234[]'));
  assert.ok(!unknown.ok && unknown.failure.reply === 'DUH');
});

test('framing: several frames in one segment, one frame split byte by byte, junk between', () => {
  const frames = [1, 2, 3].map((n) => frameOf(`"SIA-DCS"000${n}L0#1234[#1234|NBA00${n}]`));
  const all = Buffer.concat([Buffer.from('noise'), frames[0]!, frames[1]!, Buffer.from('\r\n\r'), frames[2]!]);
  const framer = new Dc09Framer();
  const together = framer.push(all);
  assert.equal(together.frames.length, 3);
  const split = new Dc09Framer();
  const got: RawFrame[] = [];
  for (const byte of all) got.push(...split.push(Buffer.from([byte])).frames);
  assert.deepEqual(
    got.map((f) => f.body.toString()),
    together.frames.map((f) => f.body.toString()),
  );
  assert.equal(split.pending, 0);
});

test('property: any frame the sender builds is parsed back, however the stream is cut', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ seq: fc.nat(9999), zone: fc.nat(999), code: fc.constantFrom('BA', 'FA', 'PA', 'HA', 'TA', 'RP', 'OP', 'CL'), encrypt: fc.boolean() }),
        { minLength: 1, maxLength: 8 },
      ),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
      (signals, cuts) => {
        const stream = Buffer.concat(
          signals.map((s) =>
            signalFrame({
              id: 'SIA-DCS',
              seq: s.seq,
              account: s.encrypt ? 'AB12' : '1234',
              data: `N${s.code}${String(s.zone).padStart(3, '0')}`,
              key: s.encrypt ? key : null,
              now: NOW,
            }),
          ),
        );
        const framer = new Dc09Framer();
        const parsed = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length]!;
          for (const f of framer.push(stream.subarray(at, at + n)).frames) parsed.push(parseFrame(f, options));
          at += n;
        }
        assert.equal(parsed.length, signals.length);
        parsed.forEach((p, i) => {
          assert.ok(p.ok, JSON.stringify(p));
          const e = p.message.events[0]!;
          assert.ok(e.protocol === 'sia' && e.code === signals[i]!.code && Number(e.number) === signals[i]!.zone);
          assert.equal(p.message.encrypted, signals[i]!.encrypt);
        });
      },
    ),
    { numRuns: 300 },
  );
});

test('fuzz: arbitrary and mutated bytes never throw, never buffer without bound', () => {
  const good = Buffer.concat([
    frameOf('"SIA-DCS"0001L0#1234[#1234|Nri1/BA012][X7.4]'),
    signalFrame({ id: 'SIA-DCS', seq: 2, account: 'AB12', data: 'NFA001', key, now: NOW }),
  ]);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.nat(255)), { maxLength: 8 }).map((flips) => {
          const b = Buffer.from(good);
          for (const [i, v] of flips) b[i] = v;
          return new Uint8Array(b);
        }),
      ),
      (bytes) => {
        const framer = new Dc09Framer();
        for (const f of framer.push(Buffer.from(bytes)).frames) {
          const r = parseFrame(f, options);
          if (!r.ok) assert.ok(['NAK', 'DUH'].includes(r.failure.reply));
        }
        assert.ok(framer.pending <= MAX_FRAME_BYTES + 16);
      },
    ),
    { numRuns: 2000 },
  );
});

test('keys are accepted as hex or ASCII', () => {
  assert.equal(parseKey(KEY_HEX)!.length, 16);
  assert.equal(parseKey('0123456789abcdef0123456789ABCDEF0123456789abcdef')!.length, 24);
  assert.equal(parseKey('ThisIsAnAsciiKey')!.toString(), 'ThisIsAnAsciiKey');
  assert.equal(parseKey('short'), null);
  const content = '#1234|NBA001]_06:00:00,11-23-2026';
  assert.equal(decryptBody(encryptBody(content, parseKey('ThisIsAnAsciiKey', 'ascii')!), parseKey('ThisIsAnAsciiKey', 'ascii')!), content);
});
