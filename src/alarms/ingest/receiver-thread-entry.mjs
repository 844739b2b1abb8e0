// The entry of the DC-09 receiver thread (receiver-thread-host.ts). On Node 20 a worker
// does not inherit the main thread's tsx loader, so it registers tsx itself before
// importing the TypeScript module (the precompiled server, dist-server/, hands it a
// JavaScript module, which needs no loader). Unlike the heavy-work pool, this thread
// runs at the node's own priority: it is the alarm path.
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
