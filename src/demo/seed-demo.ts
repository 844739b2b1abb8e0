import type { Vigil } from '../app.js';
import { seedDemoIdentity, DEMO_USERS } from '../identity/index.js';
import type { VigilConfig } from '../kernel/config.js';

/**
 * The demo city: Monaco's organisations and one user per role, then the city model
 * imported from the bundled OpenStreetMap extract.
 */
export async function seedDemo(vigil: Vigil, config: VigilConfig): Promise<{ text: string }> {
  const started = performance.now();
  const identity = await seedDemoIdentity(vigil.capabilities.identity.service, config.demoPassword);
  const city = await vigil.capabilities.city.service.importCity(config.demoOsmFile, { orgId: identity.orgIds.city!, actor: 'system:demo' });
  const lines = [
    `demo city loaded in ${Math.round(performance.now() - started)} ms: ${Object.keys(identity.orgIds).length} organisations, ${identity.users} users, ` +
      `${city.neighbourhoods} neighbourhoods, ${city.sites} sites, ${city.roads} road segments`,
    `sign in as one of: ${DEMO_USERS.map((u) => u.username).join(', ')} (password: ${config.demoPassword === 'vigil-demo' ? 'vigil-demo' : 'from VIGIL_DEMO_PASSWORD'})`,
  ];
  vigil.ctx.logger.info({ organisations: Object.keys(identity.orgIds).length, users: identity.users, ...city }, 'demo city loaded');
  return { text: lines.join('\n') };
}
