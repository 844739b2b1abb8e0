import { verifyChain } from '../platform/chain-verifier.js';
import { openEventLog } from '../adapters/stores/open-store.js';
import type { VigilConfig } from '../kernel/config.js';

/** `vigil audit verify`: exit 0 when the chain is intact, 1 with the first broken event otherwise. */
export async function auditVerifyCommand(config: VigilConfig): Promise<number> {
  const log = await openEventLog(config);
  try {
    let lastReport = 0;
    const result = await verifyChain(log, (checked, total) => {
      if (process.stderr.isTTY && Date.now() - lastReport > 200) {
        lastReport = Date.now();
        process.stderr.write(`\rverifying… ${checked}/${total}`);
      }
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (result.ok) {
      console.log(`audit chain intact: ${result.checked} events verified in ${result.ms} ms (store: ${log.backend})`);
      return 0;
    }
    console.log(`audit chain BROKEN at event ${result.firstBrokenSeq}: ${result.problem} (${result.checked} events verified before it)`);
    return 1;
  } finally {
    await log.close();
  }
}
