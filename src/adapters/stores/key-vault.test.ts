import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_URL, requirePostgres } from '../../../test/support/services.js';
import { SecretBox } from '../../kernel/secrets.js';
import type { KeyVault } from '../../platform/key-vault.js';
import { PostgresKeyVault } from './postgres/postgres-key-vault.js';
import { SqliteKeyVault } from './sqlite/sqlite-key-vault.js';

const secrets = new SecretBox(randomBytes(32));
const dirs: string[] = [];
const schema = `vault_t${process.pid}_${Date.now().toString(36)}`;

after(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  if (
    await client.connect().then(
      () => true,
      () => false,
    )
  ) {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});

/** The contract both vaults keep; `raw` reads the stored values as a dump of the database would. */
async function contract(open: () => Promise<KeyVault>, raw: () => Promise<string[]>): Promise<void> {
  const vault = await open();
  const a = await vault.create('subscriber:a');
  assert.equal(a.length, 32);
  assert.deepEqual(await vault.create('subscriber:a'), a, 'create keeps an existing key');
  const b = await vault.create('subscriber:b');
  assert.notDeepEqual(a, b);
  assert.deepEqual([...(await vault.get(['subscriber:a', 'subscriber:b', 'subscriber:none'])).keys()].sort(), ['subscriber:a', 'subscriber:b']);
  // Stored wrapped: the dump holds neither key.
  const dump = (await raw()).join('\n');
  assert.ok(!dump.includes(a.toString('base64')) && !dump.includes(b.toString('base64')));
  assert.equal(await vault.shred('subscriber:a'), true);
  assert.equal(await vault.shred('subscriber:a'), false);
  // Retention: each key's last use, renewed by create (never moved back); a prefix scan stays in its class.
  await vault.create('caller:1', 1000);
  await vault.create('caller:2', 5000);
  await vault.create('caller:1', 3000);
  await vault.create('callerx:3', 1000);
  assert.deepEqual(await vault.unusedSince('caller:', 4000, 10), ['caller:1']);
  assert.deepEqual((await vault.unusedSince('caller:', 6000, 10)).sort(), ['caller:1', 'caller:2']);
  assert.equal((await vault.unusedSince('caller:', 6000, 1)).length, 1, 'at most the limit');
  await vault.create('caller:2', 100);
  assert.deepEqual(await vault.unusedSince('caller:', 4000, 10), ['caller:1'], 'an older use does not make a key older');
  assert.deepEqual((await vault.subjects('caller:', 10)).sort(), ['caller:1', 'caller:2']);
  if (vault.createMany) {
    // Made together: the keys returned are the ones stored; an existing key is kept; a repeated subject gets one key.
    const many = await vault.createMany(['bulk:1', 'subscriber:b', 'bulk:2', 'bulk:1'], 7000);
    assert.deepEqual([...many.keys()].sort(), ['bulk:1', 'bulk:2', 'subscriber:b']);
    assert.deepEqual(many.get('subscriber:b'), b, 'createMany keeps an existing key');
    const stored = await vault.get(['bulk:1', 'bulk:2']);
    assert.deepEqual(stored.get('bulk:1'), many.get('bulk:1'));
    assert.deepEqual(stored.get('bulk:2'), many.get('bulk:2'));
    assert.notDeepEqual(many.get('bulk:1'), many.get('bulk:2'));
  }
  await vault.close();
  // After a restart the shredded key is gone for good, the other is still there.
  const again = await open();
  const keys = await again.get(['subscriber:a', 'subscriber:b']);
  assert.deepEqual([...keys.keys()], ['subscriber:b']);
  assert.deepEqual(keys.get('subscriber:b'), b);
  await again.close();
}

test('key vault (SQLite): keys created once, wrapped at rest, shredded for good across restarts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-vault-'));
  dirs.push(dir);
  const file = join(dir, 'vigil.sqlite');
  await contract(
    async () => new SqliteKeyVault(file, secrets),
    async () => {
      const db = new Database(file, { readonly: true });
      try {
        return db
          .prepare<[], { wrapped: string }>('SELECT wrapped FROM personal_keys')
          .all()
          .map((r) => r.wrapped);
      } finally {
        db.close();
      }
    },
  );
});

test('key vault (SQLite): a vault written before retention gains the last-use column; its keys count from the upgrade', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-vault-'));
  dirs.push(dir);
  const file = join(dir, 'vigil.sqlite');
  const db = new Database(file);
  db.exec('CREATE TABLE personal_keys (subject TEXT PRIMARY KEY, wrapped TEXT NOT NULL) WITHOUT ROWID');
  db.prepare('INSERT INTO personal_keys VALUES (?, ?)').run('subscriber:old', secrets.seal(randomBytes(32).toString('base64')));
  db.close();
  const before = Date.now();
  const vault = new SqliteKeyVault(file, secrets);
  try {
    assert.equal((await vault.get(['subscriber:old'])).size, 1);
    assert.deepEqual(await vault.unusedSince('subscriber:', before - 1, 10), [], 'not expired by the upgrade');
    assert.deepEqual(await vault.unusedSince('subscriber:', Date.now() + 1, 10), ['subscriber:old']);
  } finally {
    await vault.close();
  }
});

test('key vault (PostgreSQL): the same contract on the cluster store', async (t: TestContext) => {
  if (!(await requirePostgres(t))) return;
  await contract(
    () => PostgresKeyVault.open(POSTGRES_URL, schema, secrets),
    async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        return (await client.query<{ wrapped: string }>(`SELECT wrapped FROM ${schema}.personal_keys`)).rows.map((r) => r.wrapped);
      } finally {
        await client.end();
      }
    },
  );
});

test('sqlite vault: a burst of keys asked for at once is one transaction (one commit on the main thread, not one each)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-vault-burst-'));
  dirs.push(dir);
  const vault = new SqliteKeyVault(join(dir, 'keys.db'), secrets);
  try {
    const keys = await Promise.all(Array.from({ length: 500 }, (_, i) => vault.create(`subscriber:${i}`)));
    assert.equal(vault.createCommits, 1);
    assert.equal(new Set(keys.map((k) => k.toString('hex'))).size, 500, 'a key each');
    assert.deepEqual((await vault.get(['subscriber:7'])).get('subscriber:7'), keys[7]);
    // Asked again in the same burst as new ones: the existing key is kept.
    const [again] = await Promise.all([vault.create('subscriber:7'), vault.create('subscriber:new')]);
    assert.deepEqual(again, keys[7]);
    assert.equal(vault.createCommits, 2);
  } finally {
    await vault.close();
  }
});
