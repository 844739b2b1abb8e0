import { openVigil } from '../app.js';
import { seedDemo } from '../demo/seed-demo.js';
import type { VigilConfig } from '../kernel/config.js';

/** `vigil demo`: load the demo city into an empty store (refuses a store that holds data). */
export async function demoCommand(config: VigilConfig): Promise<number> {
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
