import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import pg from 'pg';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import type { AlertRecord } from '../../src/alerts/model.js';
import { seedDemoIdentity } from '../../src/identity/demo-identity.js';
import { loadConfig, type VigilConfig } from '../../src/kernel/config.js';
import { ManualClock } from '../../src/kernel/time.js';
import { verifyChain } from '../../src/platform/chain-verifier.js';
import { signInCookie, signedIn, type ApiCall } from '../support/api-client.js';
import { POSTGRES_URL, requirePostgres } from '../support/services.js';

/**
 * Privacy by retention (issue 12, item 6), on both stores: caller identity, files and
 * photos, AVL tracks, "are you safe?" answers and subscribers are sealed in the log
 * under a key per record; the retention job shreds the keys past each class's period
 * (an injected clock moves time); they then read as "[erased: retention]" over HTTP
 * and after a rebuild, and the hash chain still verifies. Reads of personal data are
 * recorded (who, which record, why) and shown to the owners and the CSIRT by name;
 * an administrator exports and erases a data subject found by phone or e-mail.
 */

const PASSWORD = 'privacy-test-password';
const DAY = 24 * 3600_000;
const ERASED = '[erased: retention]';
const schemas: string[] = [];
const dirs: string[] = [];

after(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await client.end();
});

type Store = 'sqlite' | 'postgres';

function storeConfig(store: Store, dataDir: string): VigilConfig {
  return {
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_ROUTING_OSM: 'off',
      VIGIL_DATABASE_URL: store === 'postgres' ? POSTGRES_URL : '',
    }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
    demoOnEmpty: false,
  };
}

/** Every stored event's data, as a copy of the database would show them. */
async function rawLog(vigil: RunningVigil): Promise<string> {
  return JSON.stringify((await vigil.ctx.log.read({ afterSeq: 0, limit: 100_000 })).map((e) => e.data));
}

async function scenario(t: TestContext, store: Store): Promise<void> {
  if (store === 'postgres' && !(await requirePostgres(t))) return;
  const dataDir = mkdtempSync(join(tmpdir(), `vigil-privacy-${store}-`));
  dirs.push(dataDir);
  const pgSchema = `privacy_t${process.pid}_${Date.now().toString(36)}`;
  if (store === 'postgres') schemas.push(pgSchema);
  const clock = new ManualClock(Date.now());
  const open = () => serveVigil(storeConfig(store, dataDir), { clock, ...(store === 'postgres' ? { pgSchema } : {}) });
  let vigil = await open();
  try {
    const { orgIds } = await seedDemoIdentity(vigil.capabilities.identity.service, PASSWORD);
    const as = (username: string): Promise<ApiCall> => signedIn(vigil, username, PASSWORD);
    let admin = await as('admin');
    const adminPrincipal = vigil.capabilities.identity.service.resolvePrincipalOf('admin');

    // --- What is written: nothing that identifies a person in clear. ---
    const opened = await admin('POST', '/api/incidents', {
      type: 'fire',
      position: [7.4236, 43.7347],
      source: 'call',
      caller: { name: 'Jeanne Testelli', phone: '+377 61 23 45 67' },
    });
    assert.equal(opened.status, 201, opened.body);
    const incidentId: string = opened.json.incident.incidentId;
    const reference: string = opened.json.incident.reference;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
    const attached = await admin('POST', `/api/incidents/${incidentId}/attachments?name=face.png`, png, 'image/png');
    assert.equal(attached.status, 201, attached.body);
    const attachmentId: string = attached.json.attachment.attachmentId;

    const { subscriber } = await vigil.capabilities.alerts.subscribers.register(
      {
        name: 'Jeanne Testelli',
        language: 'fr-MC',
        email: 'jeanne@example.invalid',
        phone: '+37761234567',
        locations: [{ kind: 'home', lat: 43.73471, lon: 7.42361 }],
        consent: true,
      },
      'public',
      orgIds.city!,
    );
    const alert = {
      alertId: 'alr_privacy',
      orgId: orgIds.city!,
      cap: { identifier: 'privacy-1', info: [{ headline: 'Fire at the port' }] },
    } as unknown as AlertRecord;
    await vigil.capabilities.alerts.service.recordAnswer(alert, subscriber.subscriberId, 'need-help');

    const unit = await vigil.capabilities.units.service.register(
      { callSign: 'FPT-PRIV', kind: 'fire-engine', capabilities: ['fire-suppression'], homePosition: [7.42, 43.73] },
      adminPrincipal,
    );
    const fixAt = clock.now();
    await vigil.capabilities.units.service.addFixes(unit.unitId, [{ at: fixAt, position: [7.4251, 43.7333], speed: 3, heading: 90 }], adminPrincipal);
    await vigil.capabilities.units.service.avl.flush();
    assert.deepEqual(vigil.capabilities.units.service.state.units.get(unit.unitId)!.position!.position, [7.4251, 43.7333]);

    const stored = await rawLog(vigil);
    for (const secret of ['Testelli', '61 23 45 67', '37761234567', 'jeanne@example.invalid', 'need-help', '7.4251', png.toString('base64')])
      assert.ok(!stored.includes(secret), `${secret} is not in the log in clear`);

    // --- Reads are recorded: who, which record, why; shown by name to the owner's admins and the CSIRT. ---
    const detail = await vigil.server.app.inject({
      method: 'GET',
      url: `/api/incidents/${incidentId}`,
      headers: { cookie: (await tokenOf(vigil, 'admin')).header, 'x-vigil-purpose': 'calling the caller back' },
    });
    assert.deepEqual(detail.json().incident.caller, { name: 'Jeanne Testelli', phone: '+377 61 23 45 67' });
    const board = await admin('GET', '/api/incidents');
    assert.ok(!board.body.includes('Testelli') && !board.body.includes('61 23 45 67'), 'the board carries no caller: reads go through the recorded detail');
    assert.equal((await admin('GET', `/api/incidents/attachments/${attachmentId}`)).body.length > 0, true);
    const track = await admin(
      'GET',
      `/api/units/${unit.unitId}/track?from=${new Date(fixAt - 60_000).toISOString()}&to=${new Date(fixAt + 60_000).toISOString()}`,
    );
    assert.equal(track.json.fixes.length, 1);

    const reads = (await admin('GET', '/api/privacy/reads')).json.reads as {
      by: string;
      reason: string;
      records: { kind: string; label: string }[];
      organisation: string;
    }[];
    const readOf = (kind: string) => reads.find((r) => r.records.some((x) => x.kind === kind));
    assert.deepEqual(
      { by: readOf('caller')?.by, reason: readOf('caller')?.reason, label: readOf('caller')?.records[0]?.label },
      { by: 'Camille Admin', reason: 'calling the caller back', label: `${reference}: caller` },
    );
    assert.equal(readOf('attachment')?.reason, 'incident attachment', 'without a purpose given, the route says why');
    assert.equal(readOf('avl')?.records[0]?.label.startsWith('FPT-PRIV track '), true);
    assert.ok(
      reads.every((r) => typeof r.organisation === 'string' && !r.organisation.startsWith('org_')),
      'organisations by name',
    );
    const csirtReads = (await (await as('csirt'))('GET', '/api/privacy/reads')).json.reads as unknown[];
    assert.ok(csirtReads.length >= 3, 'the CSIRT sees the reads');
    assert.equal((await (await as('commander'))('GET', '/api/privacy/reads')).status, 403, 'a commander of another organisation does not');
    assert.deepEqual(
      Object.keys((await admin('GET', '/api/privacy/reads')).json.erased ?? {}).sort(),
      ['request', 'retention'],
      'the platform sees erasure totals',
    );
    const marcReads = await (await as('supervisor'))('GET', '/api/privacy/reads');
    assert.equal(marcReads.status, 200);
    assert.equal(marcReads.json.erased, null, "another organisation's supervisor learns nothing of the platform-wide erasures");

    // --- A data subject's export, found by phone: the call, the subscription and the answer; recorded. ---
    const exported = await admin('POST', '/api/privacy/subjects/export', { phone: '+377 61 23 45 67', reason: 'request of 3 December' });
    assert.equal(exported.status, 200, exported.body);
    assert.deepEqual((exported.json.records as { kind: string }[]).map((r) => r.kind).sort(), ['answer', 'caller', 'subscriber']);
    const exportRead = ((await admin('GET', '/api/privacy/reads')).json.reads as { reason: string; records: unknown[] }[]).find(
      (r) => r.reason === 'request of 3 December',
    );
    assert.equal(exportRead?.records.length, 3, 'the export is itself a recorded read');

    // --- 31 days later: AVL tracks and answers (30 days) are shredded; the rest is kept. ---
    clock.advance(31 * DAY);
    admin = await as('admin'); // sessions follow the clock too
    const first = await vigil.capabilities.privacy.service.runRetention();
    assert.deepEqual(first, { caller: 0, attachment: 0, avl: 1, answer: 1, subscriber: 0, reporter: 0, participant: 0 });
    assert.equal(vigil.capabilities.units.service.state.units.get(unit.unitId)!.position, null, 'the shredded position is forgotten');
    assert.equal(
      (await admin('GET', `/api/units/${unit.unitId}/track?from=${new Date(fixAt - 60_000).toISOString()}&to=${new Date(fixAt + 60_000).toISOString()}`)).json
        .fixes.length,
      0,
    );
    assert.equal(vigil.capabilities.alerts.delivery.answersOf(alert.alertId).needHelp.length, 0);
    assert.deepEqual((await admin('GET', `/api/incidents/${incidentId}`)).json.incident.caller, { name: 'Jeanne Testelli', phone: '+377 61 23 45 67' });

    // --- 91 days: the caller is erased; the file (365) and the subscriber (730 since their last change) stay. ---
    clock.advance(60 * DAY);
    admin = await as('admin');
    assert.deepEqual(await vigil.capabilities.privacy.service.runRetention(), {
      caller: 1,
      attachment: 0,
      avl: 0,
      answer: 0,
      subscriber: 0,
      reporter: 0,
      participant: 0,
    });
    assert.deepEqual((await admin('GET', `/api/incidents/${incidentId}`)).json.incident.caller, { name: ERASED, phone: ERASED });
    assert.deepEqual(
      ((await admin('POST', '/api/privacy/subjects/export', { phone: '+37761234567' })).json.records as { kind: string }[]).map((r) => r.kind),
      ['subscriber'],
    );
    assert.equal((await admin('GET', `/api/incidents/attachments/${attachmentId}`)).status, 200);

    // A rebuilt node reads the same: the keys are gone for good; the chain still verifies.
    await vigil.close();
    vigil = await open();
    admin = await as('admin');
    assert.deepEqual(vigil.capabilities.incidents.service.state.incidents.get(incidentId)!.caller, { name: ERASED, phone: ERASED });
    assert.equal(vigil.capabilities.units.service.state.units.get(unit.unitId)!.position, null);
    assert.equal(vigil.capabilities.alerts.subscribers.state.subscribers.has(subscriber.subscriberId), true);
    assert.equal((await verifyChain(vigil.ctx.log)).ok, true);
    const verified = await admin('POST', '/api/audit/verify');
    assert.equal(verified.json?.ok, true, verified.body);

    // --- 366 days: the file is erased too. ---
    clock.advance(275 * DAY);
    admin = await as('admin');
    assert.equal((await vigil.capabilities.privacy.service.runRetention()).attachment, 1);
    assert.equal((await admin('GET', `/api/incidents/attachments/${attachmentId}`)).status, 404);

    // --- Erasure at the person's request (an administrator of the holding organisation); recorded. ---
    assert.equal((await (await as('commander'))('POST', '/api/privacy/subjects/erase', { email: 'jeanne@example.invalid' })).status, 403);
    const erased = await admin('POST', '/api/privacy/subjects/erase', { email: 'jeanne@example.invalid' });
    assert.equal(erased.status, 200, erased.body);
    assert.deepEqual(
      (erased.json.erased as { kind: string }[]).map((e) => e.kind),
      ['subscriber'],
    );
    assert.equal(vigil.capabilities.alerts.subscribers.state.subscribers.has(subscriber.subscriberId), false);
    assert.equal((await vigil.ctx.vault.get([`subscriber:${subscriber.subscriberId}`])).size, 0);
    const erasures = await vigil.ctx.log.read({ afterSeq: 0, typePrefixes: ['privacy.record.erased'] });
    assert.deepEqual(erasures.map((e) => [e.actor, (e.data as { why: string }).why]).at(-1), [adminPrincipal.actor, 'request']);
    assert.equal((await verifyChain(vigil.ctx.log)).ok, true);
  } finally {
    await vigil.close();
  }
}

/** The session cookie of a signed-in user (to send a purpose header with a read). */
async function tokenOf(vigil: RunningVigil, username: string): Promise<{ header: string }> {
  const cookie = await signInCookie(vigil, username, PASSWORD);
  assert.ok(cookie, `${username} signs in`);
  return { header: cookie };
}

test('privacy (SQLite): sealed per record, shredded at the end of each retention period, reads recorded, export and erasure; the chain verifies', (t) =>
  scenario(t, 'sqlite'));

test('privacy (PostgreSQL): the same on the shared store', (t) => scenario(t, 'postgres'));
