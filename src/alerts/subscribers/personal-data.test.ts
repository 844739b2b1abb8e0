import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openVigil, type Vigil } from '../../app.js';
import { verifyChain } from '../../platform/chain-verifier.js';
import { loadConfig } from '../../kernel/config.js';
import { targetAreaOf } from '../targeting/area-geometry.js';

const config = (dataDir: string) => ({
  ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DATABASE_URL: '' }),
  dataDir,
  demoOnEmpty: false,
});
const here = targetAreaOf([{ areaDesc: 'Port Hercule', circle: ['43.7347,7.4236 0.3'] }]);

/** The log's stored rows as a copy of the database file would show them. */
function rawLog(dataDir: string): string {
  const db = new Database(join(dataDir, 'vigil.sqlite'), { readonly: true });
  try {
    return db
      .prepare<[], { data: string }>("SELECT data FROM events WHERE type LIKE 'alerts.subscriber.%'")
      .all()
      .map((r) => r.data)
      .join('\n');
  } finally {
    db.close();
  }
}

test('subscribers: personal data sealed in the log under a key per person; unsubscribing shreds it, a rebuilt node forgets them, the chain still verifies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-subscribers-'));
  let vigil: Vigil = await openVigil(config(dir));
  try {
    const service = vigil.capabilities.alerts.subscribers;
    const { subscriber, token } = await service.register(
      {
        name: 'Jeanne Testelli',
        language: 'fr-MC',
        email: 'jeanne@example.invalid',
        phone: '+37761234567',
        locations: [{ kind: 'home', lat: 43.73471, lon: 7.42361 }],
        consent: true,
      },
      'public',
    );
    const other = await service.register(
      { language: 'en-GB', email: 'stays@example.invalid', locations: [{ kind: 'work', lat: 43.7349, lon: 7.4238 }], consent: true },
      'public',
    );
    assert.deepEqual(
      service.state
        .within(here)
        .map((s) => s.subscriberId)
        .sort(),
      [subscriber.subscriberId, other.subscriber.subscriberId].sort(),
    );
    // Nothing that identifies or locates them is readable in the stored log.
    const stored = rawLog(dir);
    for (const secret of ['jeanne@example.invalid', 'Jeanne', '+37761234567', '43.73471', '7.42361', 'stays@example.invalid'])
      assert.ok(!stored.includes(secret), `${secret} is not in the log in clear`);
    assert.match(stored, /"personal":"sealed:v1:/);
    // "I am here now" is personal too: sealed under the same key.
    await service.moveTo(token, { lat: 43.73512, lon: 7.42178 });
    assert.deepEqual(
      service.state.subscribers.get(subscriber.subscriberId)!.locations.at(-1),
      { kind: 'last', position: [7.42178, 43.73512] },
      'the move is applied at once',
    );
    assert.ok(!rawLog(dir).includes('43.73512') && !rawLog(dir).includes('7.42178'));

    // A restart rebuilds them from the log with their keys.
    await vigil.close();
    vigil = await openVigil(config(dir));
    const rebuilt = vigil.capabilities.alerts.subscribers.state.subscribers.get(subscriber.subscriberId)!;
    assert.deepEqual(
      [rebuilt.email, rebuilt.phone, rebuilt.name, rebuilt.locations],
      [
        'jeanne@example.invalid',
        '+37761234567',
        'Jeanne Testelli',
        [
          { kind: 'home', position: [7.42361, 43.73471] },
          { kind: 'last', position: [7.42178, 43.73512] },
        ],
      ],
    );

    // Unsubscribing shreds the key: after a rebuild only the other one is known; the sealed text is still there, unreadable.
    await vigil.capabilities.alerts.subscribers.unsubscribe(token);
    assert.equal((await vigil.ctx.vault.get([`subscriber:${subscriber.subscriberId}`])).size, 0);
    await vigil.close();
    vigil = await openVigil(config(dir));
    const state = vigil.capabilities.alerts.subscribers.state;
    assert.equal(state.subscribers.has(subscriber.subscriberId), false);
    assert.deepEqual(
      state.within(here).map((s) => s.subscriberId),
      [other.subscriber.subscriberId],
    );
    assert.equal(
      rawLog(dir)
        .split('\n')
        .filter((d) => d.includes(subscriber.subscriberId) && d.includes('sealed:v1:')).length,
      2,
      'the registration and the move, still there, unreadable',
    );
    assert.equal((await verifyChain(vigil.ctx.log)).ok, true);

    // A node that stopped between recording a departure and shredding: the next start shreds the key.
    await vigil.ctx.record([
      {
        type: 'alerts.subscriber.unsubscribed',
        subject: `subscriber:${other.subscriber.subscriberId}`,
        orgId: null,
        actor: 'public',
        data: { subscriberId: other.subscriber.subscriberId },
      },
    ]);
    assert.equal((await vigil.ctx.vault.get([`subscriber:${other.subscriber.subscriberId}`])).size, 1);
    await vigil.close();
    vigil = await openVigil(config(dir));
    assert.equal((await vigil.ctx.vault.get([`subscriber:${other.subscriber.subscriberId}`])).size, 0);
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
