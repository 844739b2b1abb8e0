import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sendUdp } from '../../src/adapters/protocols/dc09/dc09-client.js';
import { decryptBody, parseKey } from '../../src/adapters/protocols/dc09/dc09-crypto.js';
import { dc09Timestamp, frameOf } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { ManualClock } from '../../src/kernel/time.js';
import { corpusAccounts, corpusFrame, loadCorpus, readReplyText, type CorpusCase } from '../support/dc09-corpus.js';
import { dc09Panel, withReceiverMode } from '../support/dc09-panel.js';

/**
 * Issue 14, conformance: every frame of the corpus (test/dc09-corpus) sent to a running
 * receiver over TCP (one connection, one frame after another) and over UDP (a datagram
 * each): the reply it gets, and the signals stored durably before that reply.
 */

const { accounts, cases } = loadCorpus();
const watched = corpusAccounts(cases);

interface StoredSignal {
  account: string | null;
  code: string;
  zone: string | null;
  user: string | null;
  area: string | null;
  text: string | null;
  kind: string;
  flags: string[];
}

async function start(dir: string, clock: ManualClock): Promise<RunningVigil> {
  const vigil = await serveVigil(
    {
      ...loadConfig({
        VIGIL_DC09_PORT: '0',
        // One source address replays refused frames on purpose: the per-source rate (tested in test/security) stays out of the way.
        VIGIL_DC09_FRAMES_PER_SOURCE: '100000',
        VIGIL_MQTT_EMBEDDED_PORT: 'off',
        VIGIL_LOG_LEVEL: 'silent',
        VIGIL_ROUTING_OSM: 'off',
      }),
      dataDir: dir,
      port: 0,
      host: '127.0.0.1',
    },
    { clock },
  );
  for (const [account, a] of accounts) {
    await vigil.capabilities.alarms.plans.configureAccount(
      {
        account,
        key: a.key ?? null,
        ...(a.keyFormat ? { keyFormat: a.keyFormat } : {}),
        clockOffsetMinutes: a.clockOffsetMinutes ?? 0,
        relayFor: a.relayFor ?? null,
      },
      'system',
    );
  }
  return vigil;
}

/** The signals stored since `afterSeq`, once every frame answered so far is recorded (the receiver thread records after its ACK). */
async function storedSince(vigil: RunningVigil, afterSeq: number): Promise<StoredSignal[]> {
  await vigil.capabilities.alarms.receiverSettled();
  return (await vigil.ctx.log.read({ afterSeq, typePrefixes: ['alarms.signal.received'] }))
    .map((e) => (e.data as { signal: StoredSignal }).signal)
    .filter((s) => watched.has(s.account));
}

function check(c: CorpusCase, transport: string, reply: string, stored: StoredSignal[]): void {
  const where = `${c.name} over ${transport}`;
  const { kind, body } = readReplyText(reply);
  assert.equal(kind, c.expect.reply, `${where}: reply ${JSON.stringify(reply)}`);
  if (c.expect.replyHead) assert.ok(body.startsWith(c.expect.replyHead), `${where}: reply ${JSON.stringify(body)} should start ${c.expect.replyHead}`);
  if (kind === 'NAK') assert.match(body, /^"NAK"0000R0L0A0\[\]_\d\d:\d\d:\d\d,\d\d-\d\d-\d{4}$/, where);
  const expected = c.expect.events ?? [];
  assert.equal(stored.length, expected.length, `${where}: stored ${JSON.stringify(stored)}`);
  expected.forEach((e, i) => {
    const s = stored[i]!;
    for (const [field, value] of Object.entries(e)) assert.deepEqual(s[field as keyof StoredSignal], value, `${where}: signal ${i} ${field}`);
    for (const flag of c.expect.flags ?? []) assert.ok(s.flags.includes(flag), `${where}: flag ${flag} in ${s.flags}`);
  });
}

// The receiver on its own thread and on the main thread: the same corpus, the same answers.
for (const mode of ['thread', 'main'] as const)
  describe(`DC-09 receiver mode ${mode}`, () => {
    // One running receiver for the tests of each mode (starting one takes most of the time).
    const dir = mkdtempSync(join(tmpdir(), 'vigil-dc09-corpus-'));
    const clock = new ManualClock(Date.UTC(2026, 11, 4, 10, 0, 0));
    let vigil: RunningVigil;
    before(async () => {
      vigil = await withReceiverMode(mode, () => start(dir, clock));
      assert.equal(vigil.capabilities.alarms.receiver.dc09Mode, mode);
    });
    after(async () => {
      await vigil?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test(`[${mode}] corpus: every frame over TCP and over UDP gets its expected reply, and exactly the expected signals are stored before it`, async () => {
      const rx = vigil.capabilities.alarms.receiver;
      const panel = dc09Panel(rx.tcpPort!);
      await panel.ready;
      try {
        for (const transport of ['tcp', 'udp'] as const) {
          for (const c of cases) {
            // A minute apart: substitution attempts are recorded once a minute per account, replays are keyed by time.
            clock.advance(61_000);
            const before = await vigil.ctx.log.lastSeq();
            const frame = corpusFrame(c, clock.now());
            const reply =
              transport === 'tcp'
                ? await panel.reply(frame)
                : (
                    await sendUdp('127.0.0.1', rx.udpPort!, frame).catch((error: Error) => {
                      throw new Error(`${c.name} over UDP: ${error.message}`);
                    })
                  ).raw;
            check(c, transport, transport === 'tcp' ? reply : `\n00000000${reply}\r`, await storedSince(vigil, before));
            if (c.expect.reply === '*ACK' && transport === 'tcp') {
              // The *ACK is encrypted with the key that decrypted the frame: its content is "]" and our time.
              const key = parseKey(c.encrypt!.key, c.encrypt!.as)!;
              assert.equal(decryptBody(/\[([0-9A-F]+)\r$/.exec(reply)![1]!, key), `]${dc09Timestamp(clock.now())}`, c.name);
            }
          }
        }
      } finally {
        panel.close();
      }
    });

    test(`[${mode}] corpus: a frame whose length runs past its CR is NAKed at once on a live connection, and the good frames behind it are answered`, async () => {
      const rx = vigil.capabilities.alarms.receiver;
      const panel = dc09Panel(rx.tcpPort!);
      await panel.ready;
      try {
        clock.advance(61_000);
        const long = cases.find((c) => c.name === 'length-too-long')!;
        const lengthErrors = async (): Promise<number> => Number(/vigil_dc09_frames_total\{outcome="nak-length"[^}]*\} (\d+)/.exec(await metrics())?.[1] ?? 0);
        const counted = await lengthErrors();
        // Alone in its segment: answered without any further byte.
        assert.match(await panel.reply(corpusFrame(long, clock.now())), /"NAK"0000R0L0A0\[\]_/);
        // Then in one segment with two good frames behind it: three replies, in order.
        const good = (seq: number) => frameOf(`"SIA-DCS"${String(seq).padStart(4, '0')}L0#C001[#C001|NBA00${seq}]${dc09Timestamp(clock.now())}`);
        const before = await vigil.ctx.log.lastSeq();
        const replies = await panel.send(Buffer.concat([corpusFrame(long, clock.now()), good(2), good(3)]), 3);
        assert.deepEqual(
          replies.map((r) => readReplyText(r).body.slice(0, 10)),
          ['"NAK"0000R', '"ACK"0002L', '"ACK"0003L'],
        );
        assert.deepEqual(
          (await storedSince(vigil, before)).map((s) => s.zone),
          ['002', '003'],
        );
        assert.equal(await lengthErrors(), counted + 2, 'counted (and logged) as length errors');
      } finally {
        panel.close();
      }
    });

    async function metrics(): Promise<string> {
      await vigil.capabilities.alarms.receiverSettled();
      const { token } = await vigil.capabilities.identity.service.login({ username: 'supervisor', password: 'vigil-demo' }, '127.0.0.1');
      return (await vigil.server.app.inject({ method: 'GET', url: '/metrics', headers: { cookie: `vigil_session=${token}` } })).body;
    }

    test(`[${mode}] corpus: a steward sets the accounts a dialler relays for over the API; anything but accounts or * is refused`, async () => {
      const { token } = await vigil.capabilities.identity.service.login({ username: 'supervisor', password: 'vigil-demo' }, '127.0.0.1');
      const headers = { cookie: `vigil_session=${token}`, 'content-type': 'application/json' };
      const put = (payload: object) => vigil.server.app.inject({ method: 'PUT', url: '/api/alarms/accounts/C0B1', headers, payload: JSON.stringify(payload) });
      const set = await put({ relayFor: ['c0a1', '*'] });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual(set.json().relayFor, ['C0A1', '*']);
      const listed = (await vigil.server.app.inject({ method: 'GET', url: '/api/alarms/accounts', headers })).json() as {
        accounts: { account: string; relayFor?: string[] }[];
      };
      assert.deepEqual(listed.accounts.find((a) => a.account === 'C0B1')?.relayFor, ['C0A1', '*']);
      assert.equal((await put({ relayFor: ['not an account'] })).statusCode, 400);
      assert.equal((await put({ relayFor: null })).statusCode, 200);
      assert.equal(vigil.capabilities.alarms.state.accounts.get('C0B1')?.relayFor, undefined, 'cleared');
    });
  });
