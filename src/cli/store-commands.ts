import { existsSync } from 'node:fs';
import { openVigil, type Vigil } from '../app.js';
import { seedDemo } from '../demo/seed-demo.js';
import { demoSeedRefusal } from '../demo/demo-guard.js';
import type { VigilConfig } from '../kernel/config.js';
import { VigilError } from '../kernel/errors.js';

/**
 * `vigil demo`: load the demo city into an empty store (refuses a store that holds data).
 * Refused as `serve` refuses it where the published password would be reachable;
 * --allow-database lets it seed a PostgreSQL store for a test cluster on loopback.
 */
export async function demoCommand(config: VigilConfig, options: { allowDatabase?: boolean } = {}): Promise<number> {
  const refusal = demoSeedRefusal({ ...config, demoAllowDatabase: config.demoAllowDatabase || (options.allowDatabase ?? false) });
  if (refusal) {
    console.error(`vigil: ${refusal.replace('VIGIL_DEMO_ALLOW_DATABASE=true', '--allow-database')}`);
    return 1;
  }
  const vigil = await openVigil(config);
  try {
    const events = await vigil.ctx.log.lastSeq();
    if (events > 0) {
      console.error(`vigil: the store already holds ${events} events; the demo loads only into an empty store (set VIGIL_DATA_DIR to a new folder)`);
      return 1;
    }
    const summary = await seedDemo(vigil, config);
    console.log(summary.text);
    return 0;
  } finally {
    await vigil.close();
  }
}

/** `vigil import-osm FILE`: import a city model from an OSM extract, owned by --org (id or name; default: the platform organisation). */
export async function importOsmCommand(config: VigilConfig, file: string, org: string | undefined): Promise<number> {
  if (!existsSync(file)) throw new VigilError('not_found', `no such file: ${file}`);
  const vigil = await openVigil({ ...config, demoOnEmpty: false });
  try {
    const identity = vigil.capabilities.identity.service;
    const owner = org ? identity.listOrgs().find((o) => o.id === org || o.name === org)?.id : identity.platformOrgId();
    if (!owner)
      throw new VigilError('bad_request', org ? `no organisation "${org}"` : 'no organisation to own the city: run `vigil init` (or `vigil demo`) first');
    await importCity(vigil, file, owner);
    return 0;
  } finally {
    await vigil.close();
  }
}

/** Imports an extract as the command line does, with progress on a terminal; the road graphs follow it (src/routing). */
export async function importCity(vigil: Vigil, file: string, orgId: string): Promise<void> {
  let last = 0;
  const counts = await vigil.capabilities.city.service.importCity(file, {
    orgId,
    actor: 'system:cli',
    onProgress: (p) => {
      if (process.stderr.isTTY && Date.now() - last > 250) {
        last = Date.now();
        process.stderr.write(`\r${p.phase}: ${p.done}/${p.total}\x1b[K`);
      }
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  console.log(`imported ${file}: ${JSON.stringify(counts)}`);
}

/** `vigil migrate`: opening a store applies its migrations; report what is there. */
export async function migrateCommand(config: VigilConfig): Promise<number> {
  const vigil = await openVigil({ ...config, demoOnEmpty: false });
  try {
    console.log(`store ${vigil.ctx.log.backend} is migrated; it holds ${await vigil.ctx.log.lastSeq()} events`);
    return 0;
  } finally {
    await vigil.close();
  }
}
