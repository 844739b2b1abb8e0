import { DEMO_USERS } from '../identity/index.js';
import { DEMO_PUBLISHED_PASSWORD, isLoopbackHost, type VigilConfig } from '../kernel/config.js';
import type { Vigil } from '../vigil.js';

/**
 * Why the demo may not be seeded with this configuration, or null when it may.
 * The demo users' default password is published (README), so it is seeded only where
 * nobody else can reach it: an HTTP listener on loopback and the node's own SQLite store.
 * A PostgreSQL store is shared with other nodes, which may listen anywhere; seeding it
 * needs VIGIL_DEMO_ALLOW_DATABASE (or `vigil demo --allow-database`), still on loopback.
 * A password of one's own (VIGIL_DEMO_PASSWORD) is not published: no restriction.
 */
export function demoSeedRefusal(config: VigilConfig): string | null {
  if (config.demoPassword !== DEMO_PUBLISHED_PASSWORD) return null;
  const where = !isLoopbackHost(config.host)
    ? `VIGIL_HOST is ${config.host}, reachable from the network`
    : config.databaseUrl && !config.demoAllowDatabase
      ? 'VIGIL_DATABASE_URL is set (a shared store that other nodes may serve to the network)'
      : null;
  if (!where) return null;
  return (
    `refusing to load the demo: its users have the published password "${DEMO_PUBLISHED_PASSWORD}" and ${where}. ` +
    'Either bind to loopback (VIGIL_HOST=127.0.0.1) to try the demo, ' +
    'or set VIGIL_DEMO_PASSWORD to a password of your own, ' +
    'or set VIGIL_DEMO=false to start without the demo (the first organisation and administrator: README, "A real installation").' +
    (config.databaseUrl && isLoopbackHost(config.host) ? ' A test cluster on loopback may set VIGIL_DEMO_ALLOW_DATABASE=true.' : '')
  );
}

/**
 * Why this node may not serve its store to the network, or null: demo users seeded on
 * loopback who still have the published password would be reachable once VIGIL_HOST is
 * opened. Checked on every non-loopback start; disabled users do not count.
 */
export async function publishedPasswordRefusal(vigil: Vigil, config: VigilConfig): Promise<string | null> {
  if (isLoopbackHost(config.host)) return null;
  const demoUsers = DEMO_USERS.map((u) => u.username);
  const exposed = await vigil.capabilities.identity.service.usersWithPassword(demoUsers, DEMO_PUBLISHED_PASSWORD);
  if (exposed.length === 0) return null;
  return (
    `refusing to serve on ${config.host}: the demo users ${exposed.join(', ')} still have the published password "${DEMO_PUBLISHED_PASSWORD}". ` +
    'Start on loopback (VIGIL_HOST=127.0.0.1), then have each change it (Security page, POST /api/auth/password) ' +
    'or an administrator disable them (PUT /api/identity/users/:id/disabled), or start from a new store (VIGIL_DATA_DIR) with VIGIL_DEMO=false.'
  );
}
