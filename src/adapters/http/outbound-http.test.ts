import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { backoff, post, postOnce, retryAfterMs } from './outbound-http.js';

// The waits between attempts do not hold a process open (unref): something else must, as a server does in Vigil.
const keepAlive = setInterval(() => {}, 1_000);
after(() => clearInterval(keepAlive));

interface Hit {
  attempt: number;
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A peer on loopback; `answer` decides each request's answer from its 1-based number. */
async function peer(answer: (n: number, res: ServerResponse) => void): Promise<{ url: string; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ attempt: hits.length + 1, at: performance.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(hits.length, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test('outbound HTTP: 5xx and 429 are retried with the waits given, then the answer is read', async () => {
  const p = await peer((n, res) => (n === 1 ? res.writeHead(503).end('busy') : n === 2 ? res.writeHead(429).end() : res.writeHead(200).end('{"ok":true}')));
  try {
    const result = await post(p.url, '{"a":1}', { headers: (n) => ({ 'content-type': 'application/json', 'x-attempt': String(n) }), backoffMs: [30, 60, 90] });
    assert.deepEqual(result, { ok: true, value: { status: 200, text: '{"ok":true}' }, attempts: 3 });
    assert.deepEqual(
      p.hits.map((h) => [h.headers['x-attempt'], h.headers['content-type'], h.body]),
      [
        ['1', 'application/json', '{"a":1}'],
        ['2', 'application/json', '{"a":1}'],
        ['3', 'application/json', '{"a":1}'],
      ],
    );
    assert.ok(p.hits[1]!.at - p.hits[0]!.at >= 25, 'first wait');
    assert.ok(p.hits[2]!.at - p.hits[1]!.at >= 55, 'second wait, longer');
  } finally {
    await p.close();
  }
});

test('outbound HTTP: the last failure is reported with its status once the attempts are used up; a 4xx is final at once', async () => {
  const p = await peer((_n, res) => res.writeHead(502).end('bad gateway'));
  const q = await peer((_n, res) => res.writeHead(404).end());
  try {
    const failed = await post(p.url, 'x', { backoffMs: [5, 5] });
    assert.equal(failed.ok, false);
    assert.equal(failed.attempts, 3);
    assert.equal(p.hits.length, 3);
    assert.deepEqual(failed.ok ? null : [failed.error, failed.status, failed.retry], ['HTTP 502: bad gateway', 502, true]);
    const final = await post(q.url, 'x', { backoffMs: [5, 5] });
    assert.deepEqual(final.ok ? null : [final.error, final.status, final.retry, final.attempts], ['HTTP 404', 404, false, 1]);
    // A caller for whom every failure may pass (plan notifications) says so.
    const q2 = await post(q.url, 'x', { backoffMs: [5], retryStatus: () => true });
    assert.equal(q2.attempts, 2);
  } finally {
    await p.close();
    await q.close();
  }
});

test('outbound HTTP: Retry-After is honoured when longer than the backoff, up to a cap', async () => {
  assert.equal(retryAfterMs('2'), 2000);
  assert.ok((retryAfterMs(new Date(Date.now() + 60_000).toUTCString()) ?? 0) > 55_000, 'an HTTP-date');
  assert.equal(retryAfterMs('soon'), undefined);
  const p = await peer((n, res) => (n === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(204).end()));
  const q = await peer((n, res) => (n === 1 ? res.writeHead(503, { 'retry-after': '3600' }).end() : res.writeHead(204).end()));
  try {
    const honoured = await post(p.url, 'x', { backoffMs: [10] });
    assert.equal(honoured.ok, true);
    assert.ok(p.hits[1]!.at - p.hits[0]!.at >= 950, `waited ${p.hits[1]!.at - p.hits[0]!.at} ms for Retry-After: 1`);
    const capped = await post(q.url, 'x', { backoffMs: [10], maxRetryAfterMs: 150 });
    assert.equal(capped.ok, true);
    const waited = q.hits[1]!.at - q.hits[0]!.at;
    assert.ok(waited >= 140 && waited < 2000, `an hour asked, the cap waited: ${waited} ms`);
  } finally {
    await p.close();
    await q.close();
  }
});

test('outbound HTTP: redirects are not followed; a 3xx is a failure with its status', async () => {
  const elsewhere = await peer((_n, res) => res.writeHead(200).end());
  const p = await peer((_n, res) => res.writeHead(302, { location: elsewhere.url }).end());
  try {
    const result = await post(p.url, 'x', { backoffMs: [5, 5] });
    assert.deepEqual(result.ok ? null : [result.status, result.retry, result.attempts], [302, false, 1]);
    assert.match(result.ok ? '' : result.error, /^HTTP 302/);
    assert.equal(elsewhere.hits.length, 0, 'nothing reached the redirect target');
  } finally {
    await p.close();
    await elsewhere.close();
  }
});

test('outbound HTTP: each attempt has its timeout; a network error is retried; stopping ends the waits', async () => {
  const silent = await peer(() => {});
  try {
    const t0 = performance.now();
    const result = await post(silent.url, 'x', { timeoutMs: 100, backoffMs: [10] });
    assert.deepEqual(result.ok ? null : [result.error, result.retry, result.attempts], ['no answer within 100 ms', true, 2]);
    assert.equal(silent.hits.length, 2);
    assert.ok(performance.now() - t0 < 2000);
  } finally {
    await silent.close();
  }
  // Nothing listens there any more: connection refused, retried.
  const refused = await post(silent.url, 'x', { backoffMs: [5] });
  assert.deepEqual(refused.ok ? null : [refused.retry, refused.attempts], [true, 2]);
  assert.match(refused.ok ? '' : refused.error, /ECONNREFUSED/);
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 50);
  const t0 = performance.now();
  const stopped = await post(silent.url, 'x', { backoffMs: [60_000], signal: stop.signal });
  assert.deepEqual(stopped.ok ? null : [stopped.error, stopped.attempts], ['stopped', 1]);
  assert.ok(performance.now() - t0 < 5_000, 'the wait ended when stopping');
});

test('outbound HTTP: `read` checks the answer; an unreadable answer fails the attempt and is retried as it says', async () => {
  const p = await peer((n, res) => res.writeHead(200).end(n === 1 ? 'garbled' : '{"accepted":["c1"]}'));
  try {
    const result = await post(p.url, 'x', {
      backoffMs: [5],
      read: (a) => {
        try {
          return { ok: true, value: JSON.parse(a.text) as { accepted: string[] } };
        } catch {
          return { ok: false, error: 'not JSON', retry: true };
        }
      },
    });
    assert.deepEqual(result, { ok: true, value: { accepted: ['c1'] }, attempts: 2 });
  } finally {
    await p.close();
  }
});

test('outbound HTTP: the SSRF guard refuses loopback, private, link-local and IPv6 loopback peers, by literal or by name', async () => {
  const p = await peer((_n, res) => res.writeHead(204).end());
  try {
    const port = new URL(p.url).port;
    for (const host of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '[::1]', '192.168.1.1', '[::ffff:127.0.0.1]']) {
      const result = await post(`http://${host}:${port}/hook`, 'x', { publicOnly: true, backoffMs: [5, 5], timeoutMs: 1_000 });
      assert.equal(result.ok, false, host);
      assert.deepEqual(result.ok ? null : [result.retry, result.attempts], [false, 1], host);
      assert.match(result.ok ? '' : result.error, /a private or local address/, host);
    }
    const byName = await postOnce(`http://localhost:${port}/hook`, 'x', {}, { publicOnly: true, timeoutMs: 1_000 });
    assert.equal(byName.ok, false);
    assert.match(byName.ok ? '' : byName.error, /localhost resolves to (127\.0\.0\.1|::1), a private or local address/);
    assert.equal(byName.ok ? null : byName.retry, false);
    assert.equal(p.hits.length, 0, 'nothing reached the local peer');
    // Without the guard (an installation that allows private peers, and tests) the same peer is reached.
    assert.deepEqual(await postOnce(p.url, 'x', {}), { ok: true, value: { status: 204, text: '' } });
  } finally {
    await p.close();
  }
});

test('outbound HTTP: backoff(attempts, base) is exponential', () => {
  assert.deepEqual(backoff(4, 1000), [1000, 4000, 16000]);
  assert.deepEqual(backoff(3, 100, 2), [100, 200]);
  assert.deepEqual(backoff(1, 100), []);
});

test('the outbound guard refuses every special-purpose block of the IANA registries, the IPv6 translation prefixes included', async () => {
  const { isPublicAddress } = await import('./outbound-guard.js');
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '192.0.0.8',
    '192.0.2.1',
    '198.51.100.7',
    '203.0.113.9',
    '198.18.0.1',
    '192.88.99.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    'fe80::1',
    'fc00::1',
    'fd12::1',
    'ff02::1',
    'fec0::1',
    '64:ff9b::7f00:1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b:1::1',
    '2002:7f00:1::1',
    '2002:a00:1::',
    '2001::1',
    '2001:db8::1',
    '2001:2::1',
    '3fff::1',
    '100::1',
    '5f00::1',
    '4000::1',
  ])
    assert.equal(isPublicAddress(a), false, a);
  for (const a of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4007:80e::200e', '192.0.0.9'])
    assert.equal(isPublicAddress(a), true, a);
});

test('the outbound guard refuses a NAT64 or 6to4 literal before connecting', async () => {
  for (const url of ['http://[64:ff9b::7f00:1]/', 'http://[2002:7f00:1::]/', 'http://[::ffff:7f00:1]/']) {
    const result = await postOnce(url, '{}', {}, { publicOnly: true, timeoutMs: 1000 });
    assert.equal(result.ok, false, url);
    assert.ok(!result.ok && /private or local/.test(result.error) && !result.retry, url);
  }
});

test('outbound HTTP: onRetry is told each failed attempt that will be tried again, with its status and wait; not the last one', async () => {
  const p = await peer((n, res) =>
    n === 1 ? res.writeHead(503).end('busy') : n === 2 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(502).end(),
  );
  const told: { attempt: number; status?: number; waitMs: number }[] = [];
  try {
    const result = await post(p.url, '{}', {
      backoffMs: [20, 20],
      maxRetryAfterMs: 50,
      onRetry: ({ attempt, status, waitMs }) => told.push({ attempt, ...(status !== undefined ? { status } : {}), waitMs }),
    });
    assert.deepEqual([result.ok, result.attempts], [false, 3]);
    assert.deepEqual(told, [
      { attempt: 1, status: 503, waitMs: 20 },
      { attempt: 2, status: 429, waitMs: 50 },
    ]);
  } finally {
    await p.close();
  }
});
