import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SecretBox, loadSecretKey } from './secrets.js';

test('sealed secrets open only under their key; legacy plain values pass through', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('JBSWY3DPEHPK3PXP');
  assert.match(sealed, /^sealed:v1:/);
  assert.ok(!sealed.includes('JBSWY3DPEHPK3PXP'));
  assert.notEqual(box.seal('x'), box.seal('x'), 'a fresh IV every time');
  assert.equal(box.open(sealed), 'JBSWY3DPEHPK3PXP');
  assert.equal(new SecretBox(randomBytes(32)).open(sealed), null, 'another key opens nothing');
  assert.equal(box.open(sealed.slice(0, -2) + 'AA'), null, 'an altered value opens nothing');
  assert.equal(box.open('plain-old-value'), 'plain-old-value');
});

test('the key comes from VIGIL_SECRET_KEY or a 0600 key file made once in the data folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-key-'));
  try {
    const file = join(dir, 'secret.key');
    const first = loadSecretKey(null, file);
    assert.equal(first.source, 'new-file');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = loadSecretKey(null, file);
    assert.equal(again.source, 'file');
    assert.deepEqual(again.key, first.key);
    assert.equal(loadSecretKey('ab'.repeat(32), file).source, 'env');
    assert.throws(() => loadSecretKey('short', file), /64 hexadecimal/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('macWith(purpose, prefix) gives mac(purpose, prefix + data) for every data, ASCII or not, short or long', () => {
  const box = new SecretBox(randomBytes(32));
  const other = new SecretBox(randomBytes(32));
  const sign = box.macWith('alert-ack', 'alt_01HXYZ.');
  const samples = ['', 'sub_1', 'sub_é', 'ß→😀', 'x'.repeat(300), 'é'.repeat(200), 'sub_2', `${'😀'.repeat(150)}tail`, 'sub_1'];
  for (let i = 0; i < 200; i++) samples.push(randomBytes(1 + (i % 97)).toString(i % 2 ? 'latin1' : 'base64url'));
  for (const data of samples) {
    assert.equal(sign(data), box.mac('alert-ack', `alt_01HXYZ.${data}`), JSON.stringify(data));
    assert.notEqual(sign(data), other.mac('alert-ack', `alt_01HXYZ.${data}`), 'another key signs otherwise');
    assert.notEqual(sign(data), box.mac('other-purpose', `alt_01HXYZ.${data}`), 'another purpose signs otherwise');
  }
  assert.equal(box.macWith('alert-ack', '')('alt_01HXYZ.sub_1'), box.mac('alert-ack', 'alt_01HXYZ.sub_1'));
});

test('blockPrf(purpose, context) is AES-128 over whole blocks under a key of its own per purpose, context and installation key', () => {
  const box = new SecretBox(randomBytes(32));
  const blocks = randomBytes(16 * 50);
  const prf = box.blockPrf('alert-ack:v2', 'alt_1');
  const out = prf(blocks);
  assert.equal(out.length, blocks.length);
  // Each block on its own gives the same output: independent evaluations, not a chained mode.
  for (let i = 0; i < 50; i++) assert.deepEqual(box.blockPrf('alert-ack:v2', 'alt_1')(blocks.subarray(i * 16, i * 16 + 16)), out.subarray(i * 16, i * 16 + 16));
  assert.deepEqual(prf(blocks), out, 'the same function again: the same outputs (no state between calls)');
  assert.equal(new Set(Array.from({ length: 50 }, (_, i) => out.subarray(i * 16, i * 16 + 16).toString('hex'))).size, 50);
  assert.notDeepEqual(box.blockPrf('alert-ack:v2', 'alt_2')(blocks), out, 'another context, another key');
  assert.notDeepEqual(box.blockPrf('other', 'alt_1')(blocks), out, 'another purpose, another key');
  assert.notDeepEqual(new SecretBox(randomBytes(32)).blockPrf('alert-ack:v2', 'alt_1')(blocks), out, 'another installation key');
  assert.throws(() => prf(randomBytes(17)), /whole 16-byte blocks/);
});
