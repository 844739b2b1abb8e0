import { serveVigil } from '../app.js';
import type { VigilConfig } from '../kernel/config.js';

export async function serveCommand(config: VigilConfig): Promise<number> {
  // A fresh data folder answers at once; the demo city loads behind (GET /api/health: demo loading → ready).
  const vigil = await serveVigil(config, { demoInBackground: true });
  const port = new URL(vigil.url).port;
  console.log(`Vigil is serving on http://localhost:${port} (store: ${vigil.ctx.log.backend}, stream: ${vigil.ctx.bus.backend})`);
  return new Promise<number>((resolve) => {
    let closing = false;
    const shutdown = (signal: string): void => {
      if (closing) return;
      closing = true;
      vigil.ctx.logger.info({ signal }, 'shutting down');
      vigil.close().then(
        () => resolve(0),
        (error: unknown) => {
          console.error(error);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}
