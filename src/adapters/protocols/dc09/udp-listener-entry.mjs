// The entry of the DC-09 UDP listener's thread (udp-listener-thread.ts, started by dc09-server.ts).
// On Node 20 a worker does not inherit its parent's tsx loader, so it registers tsx itself before
// importing the TypeScript module (the precompiled server, dist-server/, hands it a JavaScript module).
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
