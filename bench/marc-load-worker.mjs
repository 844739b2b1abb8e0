// Worker-thread entry of bench:marc's load generator: loads the TypeScript worker through tsx
// (a worker does not inherit the parent's --import tsx loader on Node 20).
import { tsImport } from 'tsx/esm/api';

await tsImport('./marc-load-worker.ts', import.meta.url);
