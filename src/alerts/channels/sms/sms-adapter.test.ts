import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { testPki } from '../../../../test/support/tls-certs.js';
import { loadConfig } from '../../../kernel/config.js';
import { smsc, type Received } from '../../../../test/support/smsc.js';
import { SmsAdapter } from './sms-adapter.js';
import type { SmsReceipt } from './sms-receipt.js';
import { until } from '../../../../test/support/until.js';

/** Concatenated parts put back together in order, per recipient. */
function reassemble(parts: Received[]): string {
  return [...parts]
    .sort((a, b) => (a.udh?.[4] ?? 0) - (b.udh?.[4] ?? 0))
    .map((p) => p.text)
    .join('');
}

const message = (address: string, text: string) => ({ recipientId: address, address, subject: '', text, headers: {} });

test('SMS over SMPP 3.4: GSM-7 and UCS-2, single and concatenated, decoded by a real SMSC as sent', async () => {
  const center = await smsc();
  const adapter = new SmsAdapter(center.url, 'MC-ALERT');
  try {
    const short = 'Crue à Fontvieille : montez aux étages. €';
    const long = 'EXERCISE - Inondation soudaine (Fontvieille) Montez aux étages, ne prenez pas votre véhicule. '.repeat(4).trim();
    const unicode = 'Fenêtres fermées, restez à l’intérieur. '.repeat(4).trim();
    const results = await adapter.send([message('+37760000001', short), message('+37760000002', long), message('+37760000003', unicode)]);
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true],
    );
    const to = (n: string) => center.received.filter((r) => r.to === n);
    // One GSM-7 message, data_coding 0, no UDH.
    assert.deepEqual(
      to('37760000001').map((r) => [r.dataCoding, r.esmClass & 0x40, r.text]),
      [[0, 0, short]],
    );
    // Concatenated GSM-7: 153-septet parts with UDH 00 03 ref n i.
    const longParts = to('37760000002');
    assert.equal(longParts.length, Math.ceil(long.length / 153));
    for (const p of longParts) {
      assert.equal(p.esmClass & 0x40, 0x40);
      assert.deepEqual([...p.udh!.subarray(0, 2)], [0x00, 0x03]);
      assert.equal(p.udh![3], longParts.length);
    }
    assert.equal(new Set(longParts.map((p) => p.udh![2])).size, 1, 'one reference for all parts');
    assert.equal(reassemble(longParts), long);
    // UCS-2 (ê and ’ are not GSM): data_coding 8, 67-character parts.
    const uParts = to('37760000003');
    assert.ok(uParts.every((p) => p.dataCoding === 8));
    assert.equal(uParts.length, Math.ceil(unicode.length / 67));
    assert.equal(reassemble(uParts), unicode);
  } finally {
    await adapter.close();
    await center.close();
  }
});

test('SMPP: a throttled submit is reported as retryable, a refused bind as an unreachable SMSC', async () => {
  const center = await smsc((to, n) => to === '37760000009' && n === 1);
  const adapter = new SmsAdapter(center.url, '+37799999999');
  const wrong = new SmsAdapter(center.url.replace('s3cret', 'nope'), 'ALERT');
  try {
    const [first] = await adapter.send([message('+37760000009', 'test')]);
    assert.deepEqual(first, { ok: false, error: 'SMSC refused part 1/1: command_status 0x00000058', retry: true });
    const [second] = await adapter.send([message('+37760000009', 'test')]);
    assert.equal(second!.ok, true);
    const [refused] = await wrong.send([message('+37760000010', 'test')]);
    assert.equal(refused!.ok, false);
    assert.match((refused as { error: string }).error, /SMSC unreachable: SMSC refused the bind \(command_status 0xe\)/);
  } finally {
    await adapter.close();
    await wrong.close();
    await center.close();
  }
});

/** Collects what the adapter hands on from the SMSC, answering each at once. */
function inbound() {
  const receipts: SmsReceipt[] = [];
  const replies: { from: string; text: string }[] = [];
  return {
    receipts,
    replies,
    handlers: {
      receipt: (r: SmsReceipt, done: () => void) => {
        receipts.push(r);
        done();
      },
      mobileOriginated: (m: { from: string; text: string }, done: () => void) => {
        replies.push(m);
        done();
      },
    },
  };
}

test('SMPP receipts: every part asks for one; DELIVRD and UNDELIV come back for the message ids submit_sm_resp gave, with or without TLVs', async () => {
  for (const textOnlyReceipts of [false, true]) {
    const center = await smsc(undefined, { textOnlyReceipts, receipt: (to, part) => (to === '37760000002' && part === 2 ? 'UNDELIV' : 'DELIVRD') });
    const adapter = new SmsAdapter(center.url, 'MC-ALERT');
    const got = inbound();
    adapter.listen(got.handlers);
    try {
      const long = 'Crue soudaine à Fontvieille : montez aux étages, ne prenez pas votre véhicule. '.repeat(5);
      const results = await adapter.send([message('+37760000001', 'court'), message('+37760000002', long)]);
      assert.ok(center.received.every((r) => r.registeredDelivery === 1));
      const ids = results.map((r) => (r.ok ? r.messageIds! : []));
      assert.deepEqual(
        ids[0],
        center.received.filter((r) => r.to === '37760000001').map((r) => r.messageId),
      );
      assert.equal(ids[1]!.length, 3);
      await until(() => got.receipts.length === 4, 'four receipts');
      const outcome = Object.fromEntries(got.receipts.map((r) => [r.messageId, r.outcome]));
      assert.deepEqual(outcome, { [ids[0]![0]!]: 'delivered', [ids[1]![0]!]: 'delivered', [ids[1]![1]!]: 'failed', [ids[1]![2]!]: 'delivered' });
      await until(() => center.receiptsAnswered.length === 4, 'every receipt answered');
    } finally {
      await adapter.close();
      await center.close();
    }
  }
});

test('SMPP retry of a concatenated SMS: only the part that was refused is sent again, with the same UDH reference', async () => {
  // Part 2 of the message to …05 is throttled the first time.
  let refused = 0;
  const center = await smsc((to, _n, part) => to === '37760000005' && part === 2 && refused++ === 0);
  const adapter = new SmsAdapter(center.url, 'MC-ALERT');
  try {
    const long = 'EXERCISE - Inondation soudaine (Fontvieille) Montez aux étages, ne prenez pas votre véhicule. '.repeat(4).trim();
    const m = message('+37760000005', long);
    const [first] = await adapter.send([m]);
    assert.deepEqual(first, { ok: false, error: 'SMSC refused part 2/3: command_status 0x00000058', retry: true });
    assert.deepEqual(
      center.received.map((r) => r.udh![4]),
      [1, 3],
      'parts 1 and 3 went through',
    );
    const [second] = await adapter.send([m]);
    assert.equal(second!.ok, true);
    const parts = center.received.filter((r) => r.to === '37760000005');
    assert.deepEqual(
      parts.map((r) => r.udh![4]),
      [1, 3, 2],
      'only part 2 sent again',
    );
    assert.equal(new Set(parts.map((r) => r.udh![2])).size, 1, 'one reference for every part, the resent one too');
    assert.equal(reassemble(parts), long);
    assert.deepEqual((second as { messageIds: string[] }).messageIds, [parts[0]!.messageId, parts[2]!.messageId, parts[1]!.messageId], 'ids in part order');
  } finally {
    await adapter.close();
    await center.close();
  }
});

test('SMPP replies: the bind is kept from listen on (and restored), mobile-originated texts come through decoded', async () => {
  const center = await smsc();
  const adapter = new SmsAdapter(center.url, 'MC-ALERT');
  const got = inbound();
  try {
    adapter.listen(got.handlers);
    await until(() => center.bound() === 1, 'the bind without any message sent');
    assert.equal(await center.mo('+37760000007', 'Sauf'), 0);
    assert.equal(await center.mo('37760000008', 'AIDÉ, rez-de-chaussée inondé'), 0, 'UCS-2');
    assert.deepEqual(got.replies, [
      { from: '37760000007', text: 'Sauf' },
      { from: '37760000008', text: 'AIDÉ, rez-de-chaussée inondé' },
    ]);
    // The SMSC drops the session: the adapter binds again by itself.
    await center.dropSessions();
    await until(() => center.bound() === 1, 'the bind restored');
    assert.equal(await center.mo('+37760000007', 'SOS'), 0);
    assert.equal(got.replies.at(-1)!.text, 'SOS');
  } finally {
    await adapter.close();
    await center.close();
  }
});

test('SMPP over TLS (smpps://): binds and sends once the SMSC’s certificate checks out against VIGIL_SMPP_CA_FILE; an SMSC it does not trust gets no password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-smpps-'));
  const pki = testPki(dir);
  const center = await smsc(undefined, { tls: { cert: pki.serverCert, key: pki.serverKey } });
  assert.match(center.url, /^smpps:\/\//);
  const adapter = new SmsAdapter(center.url, 'MC-ALERT', { ca: pki.ca });
  const untrusting = new SmsAdapter(center.url, 'MC-ALERT');
  const clear = new SmsAdapter(center.url.replace('smpps:', 'smpp:'), 'MC-ALERT');
  try {
    assert.equal(adapter.tls, true);
    const [sent] = await adapter.send([message('+37760000011', 'par TLS')]);
    assert.equal(sent!.ok, true, JSON.stringify(sent));
    assert.equal(center.received.at(-1)!.text, 'par TLS');
    const [refused] = await untrusting.send([message('+37760000012', 'test')]);
    assert.equal(refused!.ok, false);
    assert.match((refused as { error: string }).error, /SMSC unreachable: .*(self[- ]signed|certificate|issuer)/i);
    // Plain SMPP to the TLS port is not bound: nothing reaches the SMSC in clear.
    const [plain] = await clear.send([message('+37760000013', 'test')]);
    assert.equal(plain!.ok, false);
    assert.equal(center.received.length, 1);
  } finally {
    await Promise.all([adapter.close(), untrusting.close(), clear.close()]);
    await center.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('VIGIL_SMPP_URL accepts smpps:// and VIGIL_SMPP_CA_FILE; another scheme is refused at start', () => {
  const config = loadConfig({ VIGIL_SMPP_URL: 'smpps://vigil:pw@smsc.example:3550', VIGIL_SMPP_CA_FILE: 'ca.pem' });
  assert.equal(config.smppUrl, 'smpps://vigil:pw@smsc.example:3550');
  assert.ok(config.smppCaFile?.endsWith('/ca.pem'));
  assert.throws(() => loadConfig({ VIGIL_SMPP_URL: 'https://smsc.example' }), /VIGIL_SMPP_URL must use smpp: or smpps: or ssmpp:/);
});
