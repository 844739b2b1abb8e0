import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smsc, type Received } from '../../../test/support/smsc.js';
import { SmsAdapter } from './sms-adapter.js';

/** Concatenated parts put back together in order, per recipient. */
function reassemble(parts: Received[]): string {
  return [...parts].sort((a, b) => (a.udh?.[4] ?? 0) - (b.udh?.[4] ?? 0)).map((p) => p.text).join('');
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
    assert.deepEqual(results.map((r) => r.ok), [true, true, true]);
    const to = (n: string) => center.received.filter((r) => r.to === n);
    // One GSM-7 message, data_coding 0, no UDH.
    assert.deepEqual(to('37760000001').map((r) => [r.dataCoding, r.esmClass & 0x40, r.text]), [[0, 0, short]]);
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
