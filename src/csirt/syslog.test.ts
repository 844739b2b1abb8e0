import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatSyslog5424, parseSyslog, SyslogFramer, type SyslogMessage } from './syslog.js';
import { patternValues, stixIndicators } from './exchange.js';
import { hostOf, networkOf } from './rules.js';

const NOW = Date.UTC(2026, 11, 4, 10, 0, 0);

test('syslog: RFC 5424 with structured data, RFC 3164 lines as appliances send them, no PRI, and refusals', () => {
  const m = parseSyslog(
    '<34>1 2026-12-04T09:14:15.003Z fw-port.example.net sshd 8710 ID47 [auth@32473 src="203.0.113.9" user="root"][x@1 a="q\\"b\\]"] \uFEFFFailed password',
    NOW,
  );
  assert.ok(m.ok);
  assert.equal(m.message.facility, 4);
  assert.equal(m.message.severity, 2);
  assert.equal(m.message.hostname, 'fw-port.example.net');
  assert.equal(m.message.appName, 'sshd');
  assert.equal(m.message.procId, '8710');
  // Parameters keyed by what the sender wrote: no prototype.
  assert.deepEqual({ ...m.message.structured['auth@32473'] }, { src: '203.0.113.9', user: 'root' });
  assert.equal(Object.getPrototypeOf(m.message.structured['auth@32473']), null);
  assert.equal(m.message.structured['x@1']!.a, 'q"b]');
  assert.equal(m.message.message, 'Failed password');
  assert.equal(m.message.timestamp, '2026-12-04T09:14:15.003Z');

  const bsd = parseSyslog('<13>Dec  4 09:14:15 siren-ctl-7 kernel[12]: IN=eth0 SRC=198.51.100.7 DST=10.0.0.2\n', NOW);
  assert.ok(bsd.ok);
  assert.equal(bsd.message.version, 0);
  assert.equal(bsd.message.hostname, 'siren-ctl-7');
  assert.equal(bsd.message.appName, 'kernel');
  assert.equal(bsd.message.procId, '12');
  assert.equal(bsd.message.timestamp, '2026-12-04T09:14:15.000Z');
  assert.match(bsd.message.message, /^IN=eth0/);

  // A December line read in early January belongs to last year.
  const jan = parseSyslog('<13>Dec 31 23:59:59 h app: x', Date.UTC(2027, 0, 1, 0, 0, 10));
  assert.ok(jan.ok);
  assert.equal(jan.message.timestamp, '2026-12-31T23:59:59.000Z');

  const bare = parseSyslog('just text', NOW);
  assert.ok(bare.ok);
  assert.equal(bare.message.severity, 5);
  assert.equal(bare.message.facility, 1);

  for (const bad of ['', '<999>1 - - - - - -', '<34>1 2026-13-04T09:14:15Z h a p m -', '<34>1 - h a p m [bad', '<34>1 - h'])
    assert.equal(parseSyslog(bad, NOW).ok, false, bad);
  assert.equal(parseSyslog('<34>1 - - - - - - ' + 'x'.repeat(9000), NOW).ok, false);

  // SD-IDs are data: "__proto__" is kept as an element, and no object's prototype changes.
  const proto = parseSyslog('<34>1 - h a p m [__proto__ polluted="yes"][constructor x="1"] hi', NOW);
  assert.ok(proto.ok);
  assert.deepEqual(Object.keys(proto.message.structured), ['__proto__', 'constructor']);
  assert.equal(proto.message.structured['__proto__']!.polluted, 'yes');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

const printable = (max: number) =>
  fc
    .string({ minLength: 1, maxLength: max, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:@'.split('')) })
    .filter((s) => s !== '-');
const message5424 = fc.record({
  severity: fc.integer({ min: 0, max: 7 }),
  facility: fc.integer({ min: 0, max: 23 }),
  timestamp: fc.option(
    fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }).map((t) => new Date(t).toISOString()),
    { nil: null },
  ),
  hostname: fc.option(printable(60), { nil: null }),
  appName: fc.option(printable(48), { nil: null }),
  procId: fc.option(printable(20), { nil: null }),
  msgId: fc.option(printable(32), { nil: null }),
  structured: fc.dictionary(
    printable(20).filter((s) => !s.includes('=')),
    fc.dictionary(
      printable(16).filter((s) => !s.includes('=')),
      fc.string({ maxLength: 30 }),
      { maxKeys: 4 },
    ),
    { maxKeys: 3 },
  ),
  message: fc.string({ maxLength: 200 }).filter((s) => !/[\r\n\0]$/.test(s) && !s.startsWith('\uFEFF')),
}) satisfies fc.Arbitrary<Omit<SyslogMessage, 'version'>>;

test('syslog (property): an RFC 5424 message written by formatSyslog5424 parses back to the same fields', () => {
  fc.assert(
    fc.property(message5424, (m) => {
      const r = parseSyslog(formatSyslog5424(m), NOW, 65_536);
      assert.ok(r.ok, r.ok ? '' : r.problem);
      const structured = Object.fromEntries(Object.entries(m.structured).map(([k, v]) => [k, { ...v }]));
      assert.deepEqual({ ...r.message, structured: JSON.parse(JSON.stringify(r.message.structured)) }, { ...m, version: 1, structured });
    }),
    { numRuns: 500 },
  );
});

test('syslog (property): the parser never throws on any bytes, and the framer returns whole messages however the stream is cut', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const r = parseSyslog(Buffer.from(bytes), NOW);
      assert.equal(typeof r.ok, 'boolean');
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(
      fc.array(message5424, { minLength: 1, maxLength: 8 }),
      fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }),
      (messages, counted, cuts) => {
        const texts = messages.map((m) => formatSyslog5424({ ...m, message: m.message.replace(/\n/g, ' ') }));
        const stream = Buffer.concat(texts.map((t, i) => (counted[i] ? Buffer.from(`${Buffer.byteLength(t)} ${t}`) : Buffer.from(`${t}\n`))));
        const framer = new SyslogFramer(65_536);
        const out: string[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length]!;
          const r = framer.push(stream.subarray(at, at + n));
          assert.equal(r.problem, null);
          out.push(...r.messages.map((b) => b.toString()));
          at += n;
        }
        assert.deepEqual(out, texts);
      },
    ),
    { numRuns: 300 },
  );
});

test('syslog framer: an octet count over the limit, or a line that never ends, gives up the stream', () => {
  assert.match(new SyslogFramer(100).push(Buffer.from('500 <13>x')).problem ?? '', /over the limit/);
  assert.match(new SyslogFramer(100).push(Buffer.from('<13>' + 'x'.repeat(200))).problem ?? '', /line over/);
  assert.match(new SyslogFramer(100).push(Buffer.from('12x <13>x')).problem ?? '', /space/);
});

test('exchange: STIX patterns read back the comparisons; a bundle without indicators gives none; addresses and networks', () => {
  assert.deepEqual(patternValues("[ipv4-addr:value = '203.0.113.9'] OR [domain-name:value = 'evil.example']"), [
    { type: 'ipv4', value: '203.0.113.9' },
    { type: 'domain', value: 'evil.example' },
  ]);
  assert.deepEqual(patternValues("[file:hashes.'SHA-256' = 'ab\\'c']"), [{ type: 'sha256', value: "ab'c" }]);
  assert.deepEqual(patternValues("[ipv4-addr:value = '1.2.3.4' AND network-traffic:dst_port = 22]"), []);
  assert.throws(() => stixIndicators({ type: 'x' }, 's'), /not a STIX/);
  assert.deepEqual(stixIndicators({ type: 'bundle', objects: [{ type: 'malware', id: 'malware--1' }] }, 's'), []);
  assert.equal(hostOf('10.1.2.3:5000'), '10.1.2.3');
  assert.equal(hostOf('[::1]:5000'), '::1');
  assert.equal(hostOf('::ffff:127.0.0.1'), '::ffff:127.0.0.1');
  assert.equal(networkOf('192.0.2.77'), '192.0.2.0/24');
});
