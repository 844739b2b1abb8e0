import { DEMO_PUBLISHED_PASSWORD, isLoopbackHost, type VigilConfig } from '../kernel/config.js';

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
