import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { newId } from '../../kernel/ids.js';
import { SecretBox } from '../../kernel/secrets.js';
import { ackToken, ackTokens, readAckToken, recipientBlock } from './acknowledgements.js';

const box = new SecretBox(randomBytes(32));
const alertId = newId('alt');
const ids = Array.from({ length: 300 }, () => newId('sub'));
const first = ids[0]!;
/** A link as versions before v2 made it (HMAC-SHA256, 22 characters). */
const v1 = (secrets: SecretBox, a: string, r: string): string => `${a}.${r}.${secrets.mac('alert-ack', `${a}.${r}`)}`;

test('the links of a batch are v2 tokens made in one call, the same as one by one, and each verifies for its alert and recipient only', () => {
  const tokens = ackTokens(box, alertId)(ids);
  assert.equal(tokens.length, ids.length);
  assert.equal(new Set(tokens).size, ids.length);
  tokens.forEach((token, i) => {
    assert.match(token, new RegExp(`^${alertId}\\.${ids[i]}\\.2[A-Za-z0-9_-]{20}$`));
    assert.equal(token, ackToken(box, alertId, ids[i]!));
    assert.deepEqual(readAckToken(box, token), { alertId, recipientId: ids[i] });
  });
  // Batches of other sizes, one function reused: the same tokens.
  const sign = ackTokens(box, alertId);
  assert.deepEqual([...sign(ids.slice(0, 7)), ...sign(ids.slice(7, 250)), ...sign(ids.slice(250))], tokens);
  assert.deepEqual(sign([]), []);
});

test('links sent before v2 (HMAC) still verify; ids v2 cannot encode get one', () => {
  for (const r of ids.slice(0, 20)) assert.deepEqual(readAckToken(box, v1(box, alertId, r)), { alertId, recipientId: r });
  for (const r of ['sub1', 'sub_someone_else', `sub_${'0'.repeat(27)}`, 'sub_01jeb3qz0k0000000000abcdef', 'é']) {
    const [token] = ackTokens(box, alertId)([r]);
    assert.equal(token, v1(box, alertId, r), r);
    assert.deepEqual(readAckToken(box, token!), { alertId, recipientId: r });
  }
});

test('forged and altered links answer for nobody', () => {
  const token = ackToken(box, alertId, ids[0]!);
  const [, , tag] = token.split('.') as [string, string, string];
  const other = newId('alt');
  const refused = [
    `${alertId}.${ids[1]}.${tag}`, // another recipient's tag
    `${other}.${ids[0]}.${tag}`, // another alert
    ackToken(new SecretBox(randomBytes(32)), alertId, ids[0]!), // another installation key
    `${alertId}.${ids[0]}.2${'A'.repeat(20)}`,
    `${alertId}.${ids[0]}.${'A'.repeat(22)}`,
    `${alertId}.${ids[0]}.${tag.slice(0, -1)}`,
    `${alertId}.${ids[0]}.${tag}A`,
    `${alertId}.${ids[0]}.${tag.slice(1)}`, // v2 without its version: read as v1
    `${alertId}.${ids[0]}.${tag}.x`,
    `${alertId}.${first.toLowerCase()}.${tag}`, // another spelling of the same ULID is another id
    `${alertId}.sub1.2${tag.slice(1)}`, // a v2 tag for an id v2 cannot encode
    '',
    '..',
  ];
  // Every single-character change of the tag.
  for (let i = 1; i < tag.length; i++) {
    const c = tag[i] === 'A' ? 'B' : 'A';
    refused.push(`${alertId}.${ids[0]}.${tag.slice(0, i)}${c}${tag.slice(i + 1)}`);
  }
  for (const t of refused) assert.equal(readAckToken(box, t), null, t);
});

test('a subscriber id is one 16-byte block, and no two ids share one', () => {
  const block = new Uint8Array(16);
  const seen = new Set<string>();
  for (const r of [...ids, 'sub_00000000000000000000000000', 'sub_7ZZZZZZZZZZZZZZZZZZZZZZZZZ']) {
    assert.ok(recipientBlock(r, block, 0), r);
    seen.add(Buffer.from(block).toString('hex'));
  }
  assert.equal(seen.size, ids.length + 2);
  recipientBlock('sub_00000000000000000000000000', block, 0);
  assert.equal(Buffer.from(block).toString('hex'), '0'.repeat(32));
  recipientBlock('sub_7ZZZZZZZZZZZZZZZZZZZZZZZZZ', block, 0);
  assert.equal(Buffer.from(block).toString('hex'), 'f'.repeat(32));
  // 01 then 24 zeros and a 1: the lowest bit.
  recipientBlock(`sub_${'0'.repeat(25)}1`, block, 0);
  assert.equal(Buffer.from(block).toString('hex'), `${'0'.repeat(31)}1`);
  for (const r of [
    'sub_8ZZZZZZZZZZZZZZZZZZZZZZZZZ',
    `sub_${'0'.repeat(25)}U`,
    `sub_${'0'.repeat(25)}a`,
    `usr_${'0'.repeat(26)}`,
    `sub_${'0'.repeat(25)}`,
    `sub_${'0'.repeat(25)}é`,
  ])
    assert.equal(recipientBlock(r, block, 0), false, r);
});
