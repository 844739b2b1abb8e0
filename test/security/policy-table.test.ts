import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { serveVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { checkLive, liveTable, type LiveMessage } from './policy-table-live.js';
import { EXPECTED, MAY, mayAsCsirt, type Row, type Target } from './policy-table-routes.js';
import { make, OWNER_OF, RELATIONS, ROLES, seedWorld, type Caller, type Res, type Role, type World } from './policy-fixtures.js';

/*
 * The expected-policy table, written from the rules (docs/security.md, issue 12) and
 * NOT from the server's code: nothing here imports the policy or the access layer.
 * One node, seeded once over its own API (policy-fixtures.ts); then every registered
 * route (policy-table-routes.ts) × every role × each relation of the caller's
 * organisation to the resource's owner (own, shared-act, shared-read, unrelated) is
 * called and the answer compared with the table; list endpoints must return exactly
 * the organisations the table says; the live WebSocket (policy-table-live.ts) must
 * deliver exactly what the table says, as it says.
 */

/** A row's route: its key less a variant's name (`POST /api/crowd/zones #event`: the same route called another way). */
const routeOf = (key: string): string => key.replace(/ #.*$/, '');

const denied = (r: Res): boolean => r.status === 401 || r.status === 403 || r.status === 404;
const refusedByGate = (r: Res): boolean => r.status === 401 || r.status === 403;

async function liveClient(w: World, c: Caller): Promise<{ messages: LiveMessage[]; socket: WebSocket; closed: Promise<number> }> {
  const socket = new WebSocket(`${w.origin.replace('http', 'ws')}/api/live`, { headers: { origin: w.origin, ...(c.cookie ? { cookie: c.cookie } : {}) } });
  const messages: LiveMessage[] = [];
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('message', (raw) => messages.push(JSON.parse(raw.toString()) as LiveMessage));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.once('open', () => resolve());
    socket.once('close', () => resolve());
  });
  return { messages, socket, closed };
}

test('the expected-policy table: every route and live view × every role × own / shared-act / shared-read / unrelated', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-table-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO: 'false' }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  const problems: string[] = [];
  let cells = 0;
  try {
    // The live clients listen from before the resources are made: the seed writes events of every capability in every organisation.
    const live = new Map<Role, Awaited<ReturnType<typeof liveClient>>>();
    let anonymous: Awaited<ReturnType<typeof liveClient>> | null = null;
    const w = await seedWorld(vigil, async (people) => {
      for (const role of ROLES) live.set(role, await liveClient(people, people.police[role]));
      anonymous = await liveClient(people, people.public);
    });
    // A city-wide event every signed-in principal receives, written last: once it arrived, all before it did.
    const closure = await make.closure(w.owner.city);
    for (const [role, c] of live) {
      for (let i = 0; i < 500 && !c.messages.some((m) => m.events?.some((e) => e.type === 'routing.closure.created' && e.data.closureId === closure)); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      c.socket.close();
      const got = c.messages.flatMap((m) => (m.type === 'events' ? (m.events ?? []) : []));
      if (!got.some((e) => e.data.closureId === closure)) problems.push(`live: police/${role} never received the last event`);
      problems.push(...checkLive(w, role, got, w.police[role].org !== 'police'));
      cells += liveTable.length * RELATIONS.length;
    }
    const refusedCode = await anonymous!.closed;
    if (refusedCode !== 4401 && refusedCode !== 1008) problems.push(`live: the public was not refused (close code ${refusedCode})`);
    if (anonymous!.messages.some((m) => m.type === 'events')) problems.push('live: the public received events');

    // Every route the node registered is in the table, and the table's gate is the route's.
    const registered = vigil.server.routes.map((r) => `${r.method} ${r.url}`);
    const routes = (await w.city.admin.call('GET', '/api/routes')).json.routes as {
      method: string;
      url: string;
      access: { roles: unknown; minAuthLevel?: number };
    }[];
    assert.equal(routes.length, registered.length);
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      const row = EXPECTED[key];
      if (!row) {
        problems.push(`${key}: registered but not in the table`);
        continue;
      }
      const gate = row.gate === 'public' || row.gate === 'authenticated' ? row.gate : [...row.gate].sort();
      const actual = Array.isArray(r.access.roles) ? [...(r.access.roles as string[])].sort() : r.access.roles;
      if ((r.access.minAuthLevel === 2) !== (row.mfa === true))
        problems.push(`${key}: the table's second factor ${row.mfa === true}, the route's minAuthLevel ${r.access.minAuthLevel}`);
      if (JSON.stringify(gate) !== JSON.stringify(actual))
        problems.push(`${key}: the table's gate ${JSON.stringify(gate)}, the route's ${JSON.stringify(actual)}`);
    }
    for (const key of Object.keys(EXPECTED)) if (!registered.includes(routeOf(key))) problems.push(`${key}: in the table but not registered`);
    // A variant (an id in the body naming another organisation's resource, …) is the route's own gate called another way.
    for (const [key, row] of Object.entries(EXPECTED))
      if (key !== routeOf(key) && (JSON.stringify(row.gate) !== JSON.stringify(EXPECTED[routeOf(key)]?.gate) || row.mfa !== EXPECTED[routeOf(key)]?.mfa))
        problems.push(`${key}: a variant's gate differs from its route's row`);

    const order = Object.entries(EXPECTED).sort(([a], [b]) => Number(a === 'POST /api/auth/logout') - Number(b === 'POST /api/auth/logout'));
    for (const [key, row] of order) {
      if (!registered.includes(routeOf(key))) continue;
      for (const role of ROLES) {
        const mayRole = row.gate === 'public' || row.gate === 'authenticated' || (row.roles ?? row.gate).includes(role);
        const gateRole = row.gate === 'public' || row.gate === 'authenticated' || row.gate.includes(role);
        for (const c of callersFor(w, row, role)) {
          if (row.kind === 'org') {
            for (const rel of RELATIONS) {
              const owner = OWNER_OF[rel];
              const roles = row.rolesOn?.[rel] ?? row.roles ?? row.gate;
              // The csirt caller is the city's (the police hold no csirt): it stands unrelated to every owner of the table.
              const expected =
                (roles === 'public' || roles === 'authenticated' || roles.includes(role)) &&
                (MAY[row.action][c.org === 'police' ? rel : 'unrelated'] || mayAsCsirt(row.action, role));
              const target: Target = { o: w.owned[owner], key: owner, w, rel, fresh: null };
              if (expected && row.fresh) {
                try {
                  target.fresh = await row.fresh(w, owner);
                } catch (error) {
                  problems.push(`${key} on ${rel}: could not prepare (${String(error).slice(0, 200)})`);
                  continue;
                }
              }
              const req = row.req(target);
              const r = await c.call(req.method ?? key.split(' ')[0]!, req.url, req.payload, req.contentType);
              cells++;
              if (r.status === 429) problems.push(`${key} as ${c.name} on ${rel}: tripped a quota (429), the table must not`);
              if (denied(r) === expected)
                problems.push(`${key} as ${c.name} on ${rel}: expected ${expected ? 'allowed' : 'denied'}, got ${r.status} ${r.body.slice(0, 160)}`);
              else if (expected && row.check) {
                const p = row.check(r, target, c);
                if (p) problems.push(`${key} as ${c.name} on ${rel}: ${p}`);
              }
            }
          } else {
            const expected = row.kind === 'city-write' ? gateRole && c.org === 'city' : mayRole;
            const target: Target = { o: w.owned.police, key: 'police', w, rel: 'own', fresh: null };
            const req = row.req(target);
            const r = await c.call(req.method ?? key.split(' ')[0]!, req.url, req.payload, req.contentType);
            cells++;
            if (r.status === 429) problems.push(`${key} as ${c.name}: tripped a quota (429), the table must not`);
            const refused = row.refused ? row.refused(r) : row.kind === 'plain' ? refusedByGate(r) : denied(r);
            if (refused === expected)
              problems.push(`${key} as ${c.name}: expected ${expected ? 'allowed' : 'denied'}, got ${r.status} ${r.body.slice(0, 160)}`);
            else if (expected && row.check) {
              const p = row.check(r, target, c);
              if (p) problems.push(`${key} as ${c.name}: ${p}`);
            }
          }
        }
      }
      // API keys (a password's level: no second factor) pass the gates of their role, never a route demanding a second factor.
      if ((row.kind === 'plain' || row.kind === 'list' || row.mfa) && !key.startsWith('POST /api/auth/')) {
        for (const c of w.apiKeys) {
          const allowed = (row.gate === 'public' || row.gate === 'authenticated' || row.gate.includes(c.role!)) && !row.mfa;
          const req = row.req({ o: w.owned.police, key: 'police', w, rel: 'own', fresh: null });
          const r = await c.call(req.method ?? key.split(' ')[0]!, req.url, req.payload, req.contentType);
          cells++;
          if (r.status === 429) problems.push(`${key} as ${c.name}: tripped a quota (429), the table must not`);
          const refused = row.kind !== 'org' && row.refused ? row.refused(r) : refusedByGate(r);
          if (refused === allowed) problems.push(`${key} as ${c.name}: expected ${allowed ? 'allowed' : 'denied'}, got ${r.status} ${r.body.slice(0, 160)}`);
        }
      }
      // The public: only public routes.
      if (row.gate !== 'public' && row.kind !== 'org') {
        const req = row.req({ o: w.owned.police, key: 'police', w, rel: 'own', fresh: null });
        const r = await w.public.call(req.method ?? key.split(' ')[0]!, req.url, req.payload, req.contentType);
        cells++;
        if (r.status !== 401) problems.push(`${key} as the public: expected 401, got ${r.status}`);
      }
    }
    console.log(`policy table: ${Object.keys(EXPECTED).length} routes + ${liveTable.length} live views, ${cells} cells`);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  assert.deepEqual(problems, [], `${problems.length} cells disagree with the table:\n${problems.join('\n')}`);
});

/** Who calls a row for a role: the police user of that role, and for city-wide writes also the city's (platform) user. */
function callersFor(w: World, row: Row, role: Role): Caller[] {
  return row.kind === 'city-write' ? [w.police[role], w.city[role]] : [w.police[role]];
}
