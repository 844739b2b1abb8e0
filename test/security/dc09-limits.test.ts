import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { Dc09Framer, MAX_FRAME_BYTES } from '../../src/adapters/protocols/dc09/dc09-framer.js';
import { frameOf, nakFrame, signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { Dc09Server, type Dc09ServerOptions } from '../../src/adapters/protocols/dc09/dc09-server.js';
import { SourceLimits } from '../../src/adapters/protocols/dc09/source-limits.js';

/**
 * Issue 13, item 2: junk, floods and slow storage cost the DC-09 listener bounded work
 * and memory. Work is asserted by counting (bytes scanned, frames framed, handlers
 * running), never by time.
 */

const CR = 0x0d;

/** Counts the bytes Buffer#indexOf examines while looking for CR (the old framer's hot spot). */
function countCrSearch<T>(run: () => T): { result: T; scanned: number } {
  const original = Buffer.prototype.indexOf;
  let scanned = 0;
  Buffer.prototype.indexOf = function (this: Buffer, value: unknown, byteOffset?: unknown, encoding?: unknown) {
    const at = original.call(this, value as number, byteOffset as number, encoding as BufferEncoding);
    if (value === CR) {
      const from = typeof byteOffset === 'number' ? byteOffset : 0;
      scanned += (at < 0 ? this.length : at + 1) - from;
    }
    return at;
  } as typeof original.prototype;
  try {
    return { result: run(), scanned };
  } finally {
    Buffer.prototype.indexOf = original;
  }
}

/** 64 KiB of header-shaped candidates (LF, hex CRC, 0LLL, quote) and no frame in them. */
function junkChunk(withCrAtEnd: boolean): Buffer {
  const unit = Buffer.from('\n1234' + '03FF' + '"SIA-DCS"', 'latin1');
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i += unit.length) unit.copy(chunk, i);
  if (withCrAtEnd) chunk[chunk.length - 1] = CR;
  return chunk;
}

test('framer: a 64 KiB junk chunk costs work linear in its size, not per candidate', () => {
  for (const withCr of [false, true]) {
    const chunk = junkChunk(withCr);
    const framer = new Dc09Framer();
    const { result, scanned } = countCrSearch(() => framer.push(chunk));
    assert.equal(result.frames.length, 0);
    assert.ok(scanned <= 2 * chunk.length, `CR search examined ${scanned} bytes for a ${chunk.length}-byte chunk (CR at end: ${withCr})`);
    assert.ok(framer.pending <= MAX_FRAME_BYTES + 16);
  }
});

test('framer: frames after junk are still found, and the CR search stays linear for any mix of candidates (property)', () => {
  const pieces = fc.constantFrom('\n', '\r', '\n12340', '\nAB', '03FF', '0010', '"', 'SIA-DCS', '\n\x01\x020', 'x');
  fc.assert(
    fc.property(
      fc.array(pieces, { maxLength: 4000, size: 'medium' }),
      fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 5 }),
      (parts, cuts) => {
        const good = frameOf('"SIA-DCS"0001L0#1234[#1234|NBA001]');
        // A CR ends any open candidate so the good frame's header is not swallowed as its body.
        const stream = Buffer.concat([Buffer.from(parts.join(''), 'latin1'), Buffer.alloc(MAX_FRAME_BYTES + 32, 'z'), Buffer.from('\r'), good]);
        const framer = new Dc09Framer();
        const found = [];
        for (let at = 0, i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length]!;
          found.push(...framer.push(stream.subarray(at, at + n)).frames);
          at += n;
        }
        assert.equal(found.at(-1)?.body.toString('latin1'), good.subarray(9, -1).toString('latin1'));
        assert.ok(framer.crBytesScanned <= 2 * stream.length + 64, `${framer.crBytesScanned} scanned for ${stream.length}`);
      },
    ),
    { numRuns: 200 },
  );
});

/** A gate the handlers wait on: storage that does not answer yet. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

async function serve(options: Partial<Dc09ServerOptions> & Pick<Dc09ServerOptions, 'onFrame'>): Promise<{ server: Dc09Server; tcp: number; udp: number }> {
  const server = new Dc09Server({ host: '127.0.0.1', tcpPort: 0, udpPort: 0, maxConnections: 100, idleTimeoutMs: 60_000, ...options });
  const { tcpPort, udpPort } = await server.start();
  return { server, tcp: tcpPort!, udp: udpPort! };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), `never happened: ${what}`);
}

const ackOf = (seq: number): Buffer => frameOf(`"ACK"${String(seq).padStart(4, '0')}L0#1234[]`);

test('TCP backpressure: a connection stops being read while its frames wait; every frame is answered once storage catches up', async () => {
  const storage = gate();
  const original = Dc09Framer.prototype.push;
  let framed = 0;
  Dc09Framer.prototype.push = function (this: Dc09Framer, chunk: Buffer) {
    const r = original.call(this, chunk);
    framed += r.frames.length;
    return r;
  };
  const { server, tcp } = await serve({
    onFrame: async (frame) => {
      await storage.opened;
      return ackOf(Number(/"SIA-DCS"(\d{4})/.exec(frame.body.toString('latin1'))![1]));
    },
  });
  let socket: Socket | null = null;
  try {
    const total = 6000;
    const stream = Buffer.concat(
      Array.from({ length: total }, (_, i) => signalFrame({ id: 'SIA-DCS', seq: i, account: '1234', data: 'NBA001', now: Date.now() })),
    );
    let replies = 0;
    const client = connect({ port: tcp, host: '127.0.0.1' });
    socket = client;
    const replyFramer = new Dc09Framer();
    client.on('data', (d) => (replies += replyFramer.push(d).frames.length));
    await new Promise<void>((r) => client.once('connect', () => r()));
    client.write(stream);
    await until(() => framed > 0, 'the first frames were read');
    // Give the listener every chance to read on: with backpressure it does not.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 300));
    const framedWhileBlocked = framed;
    assert.ok(framedWhileBlocked < total / 2, `${framedWhileBlocked} of ${total} frames read and queued while storage was blocked`);
    storage.open();
    await until(() => replies === total, `all ${total} frames answered (got ${replies})`);
    assert.ok(server.figures.paused >= 1 && server.figures.resumed >= 1);
  } finally {
    Dc09Framer.prototype.push = original;
    socket?.destroy();
    await server.stop();
  }
});

test('UDP: datagrams wait in a bounded queue for a fixed number of handlers; the excess is dropped and counted', async () => {
  const storage = gate();
  let started = 0;
  let running = 0;
  let mostRunning = 0;
  const { server, udp } = await serve({
    udpQueueLimit: 10,
    udpConcurrency: 2,
    onFrame: async () => {
      started++;
      running++;
      mostRunning = Math.max(mostRunning, running);
      await storage.opened;
      running--;
      return ackOf(1);
    },
  });
  const socket = createSocket('udp4');
  try {
    const datagram = signalFrame({ id: 'SIA-DCS', seq: 1, account: '1234', data: 'NBA001', now: Date.now() });
    for (let i = 0; i < 100; i++) socket.send(datagram, udp, '127.0.0.1');
    await until(() => started + server.figures.dropped['udp-queue'] >= 12 && server.figures.dropped['udp-queue'] > 0, 'datagrams arrived');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(mostRunning, 2, 'two handlers at a time');
    assert.ok(server.figures.dropped['udp-queue'] >= 100 - 12 - 10, `dropped ${server.figures.dropped['udp-queue']}`);
    storage.open();
    await until(() => running === 0 && started <= 12 && started >= 2, 'the queue drained');
  } finally {
    socket.close();
    await server.stop();
  }
});

test('per source address: TCP frames over the rate wait (the connection is not read meanwhile); connections over the share are closed', async () => {
  let handled = 0;
  const {
    server,
    tcp,
    udp: udpPort,
  } = await serve({
    limits: { framesPerSecond: 10, burst: 20, connectionsPerSource: 2 },
    now: () => 1_000_000, // frozen: no refill during the test
    onFrame: async () => {
      handled++;
      return ackOf(1);
    },
  });
  const sockets: Socket[] = [];
  try {
    const open = async (): Promise<Socket> => {
      const s = connect({ port: tcp, host: '127.0.0.1' });
      sockets.push(s);
      s.on('error', () => {});
      await new Promise<void>((r) => s.once('connect', () => r()));
      return s;
    };
    const first = await open();
    first.write(Buffer.concat(Array.from({ length: 100 }, (_, i) => signalFrame({ id: 'SIA-DCS', seq: i, account: '1234', data: 'NBA001', now: Date.now() }))));
    await until(() => handled === 20 && server.figures.dropped.rate === 1, 'the burst handled, the next frame held');
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(handled, 20, 'the burst, then nothing while the clock stands still');
    await open();
    const third = await open();
    await new Promise<void>((r) => (third.destroyed ? r() : third.once('close', () => r())));
    assert.equal(server.figures.dropped.connections, 1);
    // UDP from the same address: the bucket is empty, datagrams are dropped unparsed.
    const udp = createSocket('udp4');
    udp.send(signalFrame({ id: 'SIA-DCS', seq: 1, account: '1234', data: 'NBA001', now: Date.now() }), udpPort, '127.0.0.1');
    await until(() => server.figures.dropped.rate === 2, 'the datagram dropped');
    udp.close();
    assert.equal(handled, 20);
  } finally {
    for (const s of sockets) s.destroy();
    await server.stop();
  }
});

test('per source address: junk costs its source — after 64 KiB of it, the next frame from that address waits for the bucket to refill', async () => {
  let handled = 0;
  let now = 1_000_000;
  const { server, tcp } = await serve({
    limits: { framesPerSecond: 10, burst: 20, connectionsPerSource: 10 },
    now: () => now,
    onFrame: async () => {
      handled++;
      return ackOf(1);
    },
  });
  const sockets: Socket[] = [];
  try {
    const s = connect({ port: tcp, host: '127.0.0.1' });
    sockets.push(s);
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write(junkChunk(false));
    await until(() => server.figures.dropped.rate >= 1, 'the source charged for its junk');
    const t = connect({ port: tcp, host: '127.0.0.1' });
    sockets.push(t);
    await new Promise<void>((r) => t.once('connect', () => r()));
    t.write(signalFrame({ id: 'SIA-DCS', seq: 1, account: '1234', data: 'NBA001', now: Date.now() }));
    await until(() => server.figures.dropped.rate >= 2, 'the good frame held for its token');
    assert.equal(handled, 0, 'the same address owes for its junk, whatever the connection');
    now += 3000; // the bucket refills (10 a second from a debt of one burst)
    await until(() => handled === 1, 'the frame handled once paid for');
  } finally {
    for (const s of sockets) s.destroy();
    await server.stop();
  }
});

const nakOf = (seq: number): Buffer => frameOf(`"NAK"${String(seq).padStart(4, '0')}R0L0#1234[]`);

/** A TCP connection from a loopback address of its own (a source address the limits tell apart). */
async function connectFrom(port: number, localAddress: string): Promise<Socket> {
  const s = connect({ port, host: '127.0.0.1', localAddress });
  s.on('error', () => {});
  s.resume(); // read (a paused socket never sees its end)
  await new Promise<void>((r) => s.once('connect', () => r()));
  return s;
}

const closed = (s: Socket): Promise<void> => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

test('SourceLimits: strikes leak, so an address with a bad frame now and then is never quarantined; beyond the limit it is, for its time', () => {
  let now = 1_000_000;
  const limits = new SourceLimits({ framesPerSecond: 10, burst: 20, connectionsPerSource: 10, quarantineStrikes: 60, quarantineMs: 5_000 }, () => now);
  // One strike a second leaks as fast as it comes (60 a minute): never quarantined.
  for (let i = 0; i < 600; i++, now += 1000) assert.equal(limits.strike('10.0.0.1', 1), null);
  assert.equal(limits.quarantined('10.0.0.1'), false);
  assert.equal(limits.strike('10.0.0.2', 59), null);
  assert.equal(limits.strike('10.0.0.2', 1), now + 5_000);
  assert.equal(limits.quarantined('10.0.0.2'), true);
  assert.equal(limits.quarantined('10.0.0.1'), false);
  now += 5_001;
  assert.equal(limits.quarantined('10.0.0.2'), false, 'the quarantine ends');
  assert.equal(new SourceLimits({ framesPerSecond: 10, burst: 20, connectionsPerSource: 10 }).strike('10.0.0.3', 1e9), null, 'no limit: no quarantine');
});

test('quarantine: an address sending refused frames beyond the limit is cut off and refused at accept; a good panel on another address is still answered', async () => {
  const quarantined: string[] = [];
  const { server, tcp } = await serve({
    limits: { framesPerSecond: 1000, burst: 2000, connectionsPerSource: 10, quarantineStrikes: 20, quarantineMs: 60_000 },
    // Account 0BAD is refused (a NAK), any other acknowledged.
    onFrame: (frame) => (frame.body.toString('latin1').includes('#0BAD[') ? nakOf(1) : ackOf(1)),
    onQuarantined: (address) => quarantined.push(address),
  });
  const sockets: Socket[] = [];
  const replies = (s: Socket): Buffer[] => {
    const got: Buffer[] = [];
    const framer = new Dc09Framer();
    s.on('data', (d) => got.push(...framer.push(d).frames.map((f) => f.body)));
    return got;
  };
  const frame = (account: string, seq: number): Buffer => signalFrame({ id: 'SIA-DCS', seq, account, data: 'NBA001', now: Date.now() });
  try {
    // One refused frame does not quarantine its address: the good panel behind it is answered after.
    const shared = await connectFrom(tcp, '127.0.3.1');
    sockets.push(shared);
    const sharedReplies = replies(shared);
    shared.write(frame('0BAD', 1));
    await until(() => sharedReplies.length === 1, 'the refusal');
    shared.write(frame('1234', 2));
    await until(() => sharedReplies.length === 2, 'the good frame answered');
    assert.match(sharedReplies[1]!.toString('latin1'), /^"ACK"/);
    assert.deepEqual(quarantined, []);

    // Refused frames beyond the limit: the address is quarantined and its connection held, never read again.
    const bad = await connectFrom(tcp, '127.0.3.2');
    sockets.push(bad);
    const badReplies = replies(bad);
    bad.write(Buffer.concat(Array.from({ length: 40 }, (_, i) => frame('0BAD', i + 1))));
    await until(() => quarantined.length === 1, 'the address quarantined');
    assert.deepEqual(quarantined, ['127.0.3.2']);
    await until(() => badReplies.length >= 20, 'the refusals up to the limit answered');
    // A good frame on the held connection: it would be ACKed if it were read.
    bad.write(frame('1234', 50));
    // A new connection from it is closed at accept, counted, never read.
    const again = await connectFrom(tcp, '127.0.3.2');
    sockets.push(again);
    again.write(frame('1234', 3));
    await closed(again);
    await until(() => server.figures.dropped.quarantine === 1, 'the connection refused at accept counted');
    // The good panel on another address is still answered.
    shared.write(frame('1234', 4));
    await until(() => sharedReplies.length === 3, 'the good panel answered');
    assert.match(sharedReplies[2]!.toString('latin1'), /^"ACK"/);
    assert.deepEqual(quarantined, ['127.0.3.2'], 'reported once');
    assert.ok(badReplies.length < 40, 'the held connection is not read: not every refused frame answered');
    assert.ok(
      badReplies.every((r) => r.toString('latin1').startsWith('"NAK"')),
      'the good frame sent on the held connection is never read, so never ACKed',
    );
    assert.equal(bad.destroyed, false, 'held open (a closed one would come back with a fresh window of junk)');
  } finally {
    for (const s of sockets) s.destroy();
    await server.stop();
  }
});

test('UDP on its own thread: a legitimate datagram is answered; a quarantined address’s datagrams are dropped there, unread', async () => {
  let handled = 0;
  const quarantined: string[] = [];
  const { server, tcp, udp } = await serve({
    limits: { framesPerSecond: 1000, burst: 2000, connectionsPerSource: 10, quarantineStrikes: 20, quarantineMs: 60_000 },
    udpThread: { nice: 0, clock: null },
    onQuarantined: (address) => quarantined.push(address),
    onFrame: (frame) => {
      handled++;
      return frame.body.toString('latin1').includes('#0BAD[') ? nakOf(1) : ackOf(1);
    },
  });
  const sockets: ReturnType<typeof createSocket>[] = [];
  const udpFrom = async (address: string): Promise<{ send: (b: Buffer) => void; got: string[] }> => {
    const s = createSocket('udp4');
    sockets.push(s);
    await new Promise<void>((r) => s.bind(0, address, () => r()));
    const got: string[] = [];
    s.on('message', (m) => got.push(m.toString('latin1')));
    return { send: (b) => s.send(b, udp, '127.0.0.1'), got };
  };
  const frame = (account: string, seq: number): Buffer => signalFrame({ id: 'SIA-DCS', seq, account, data: 'NBA001', now: Date.now() });
  let bad: Socket | null = null;
  try {
    assert.notEqual(server.udpThreadInfo, null, 'the UDP listener runs on a thread of its own');
    const panel = await udpFrom('127.0.3.3');
    panel.send(frame('1234', 1));
    await until(() => panel.got.length === 1, 'the panel’s datagram answered');
    assert.match(panel.got[0]!, /"ACK"/);
    // 127.0.3.4 is quarantined for refused frames over TCP; its datagrams then never reach the handler.
    bad = await connectFrom(tcp, '127.0.3.4');
    bad.write(Buffer.concat(Array.from({ length: 40 }, (_, i) => frame('0BAD', i + 1))));
    await until(() => quarantined.length === 1, 'the address quarantined');
    const before = handled;
    const attacker = await udpFrom('127.0.3.4');
    for (let i = 0; i < 5; i++) attacker.send(frame('1234', 10 + i));
    await until(() => server.figures.dropped.quarantine === 5, 'the datagrams dropped on the UDP thread, counted');
    assert.equal(handled, before, 'none handled');
    assert.deepEqual(attacker.got, []);
    panel.send(frame('1234', 2));
    await until(() => panel.got.length === 2, 'the panel still answered');
  } finally {
    bad?.destroy();
    for (const s of sockets) s.close();
    await server.stop();
  }
});

test('onAcked: each ACK written reports the time from its frame read to the ACK, the wait for storage included; a NAK is not an ACK (TCP and UDP)', async () => {
  const acked: number[] = [];
  const { server, tcp, udp } = await serve({
    onFrame: async (frame) => {
      const seq = Number(/"SIA-DCS"(\d{4})/.exec(frame.body.toString('latin1'))![1]);
      // Storage takes 60 ms for the ACKed frames.
      if (seq % 2 === 1) await new Promise((r) => setTimeout(r, 60));
      return seq % 2 === 1 ? ackOf(seq) : nakFrame(Date.now());
    },
    onAcked: (ms) => acked.push(ms),
  });
  const client = connect({ port: tcp, host: '127.0.0.1' });
  const udpClient = createSocket('udp4');
  try {
    let replies = 0;
    const replyFramer = new Dc09Framer();
    client.on('data', (d) => (replies += replyFramer.push(d).frames.length));
    await new Promise<void>((r) => client.once('connect', () => r()));
    client.write(Buffer.concat([1, 2, 3].map((seq) => signalFrame({ id: 'SIA-DCS', seq, account: '1234', data: 'NBA001', now: Date.now() }))));
    await until(() => replies === 3, 'the three frames answered');
    assert.equal(acked.length, 2, 'two ACKs timed, the NAK not');
    udpClient.send(signalFrame({ id: 'SIA-DCS', seq: 5, account: '1234', data: 'NBA001', now: Date.now() }), udp, '127.0.0.1');
    await until(() => acked.length === 3, 'the datagram ACKed and timed');
    // A lower bound only (the wait for storage is in it), never a speed: timers fire no earlier than asked.
    for (const ms of acked) assert.ok(ms >= 55, `an ACK timed at ${ms} ms, less than its 60 ms wait for storage`);
  } finally {
    client.destroy();
    udpClient.close();
    await server.stop();
  }
});
