import { openVigil } from '../app.js';
import type { VigilConfig } from '../kernel/config.js';
import { PERSONAL_CLASSES } from '../platform/personal-data.js';

/** `vigil retention run`: one pass of the retention job now; prints the keys shredded per class of personal data. */
export async function retentionRunCommand(config: VigilConfig): Promise<number> {
  const vigil = await openVigil({ ...config, demoOnEmpty: false });
  try {
    const counts = await vigil.capabilities.privacy.service.runRetention();
    for (const kind of PERSONAL_CLASSES) {
      const days = config.retentionDays[kind];
      console.log(`${kind.padEnd(11)} ${days > 0 ? `${days} days` : 'until erased'}: ${counts[kind]} record(s) erased`);
    }
    return 0;
  } finally {
    await vigil.close();
  }
}
