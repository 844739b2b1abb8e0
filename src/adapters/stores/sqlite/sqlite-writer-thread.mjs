// Entry of the SQLite writer thread. Vigil's sources are TypeScript loaded through
// tsx; a worker thread does not inherit the main thread's loader, so it registers
// its own before loading the writer.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-writer.ts');
