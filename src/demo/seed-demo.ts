import type { Vigil } from '../app.js';
import { seedDemoIdentity, DEMO_USERS } from '../identity/index.js';
import type { VigilConfig } from '../kernel/config.js';

/**
 * The demo city: Monaco's organisations and one user per role, then (when the city
 * capability is present) the city model imported from the bundled OSM extract.
 */
export async function seedDemo(vigil: Vigil, config: VigilConfig): Promise<{ text: string }> {
  const started = performance.now();
  const identity = await seedDemoIdentity(vigil.capabilities.identity.service, config.demoPassword);
  const lines = [
    `demo city loaded in ${Math.round(performance.now() - started)} ms: ${Object.keys(identity.orgIds).length} organisations, ${identity.users} users`,
    `sign in as one of: ${DEMO_USERS.map((u) => u.username).join(', ')} (password: ${config.demoPassword === 'vigil-demo' ? 'vigil-demo' : 'from VIGIL_DEMO_PASSWORD'})`,
  ];
  vigil.ctx.logger.info({ organisations: Object.keys(identity.orgIds).length, users: identity.users }, 'demo city loaded');
  return { text: lines.join('\n') };
}
