import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { tuning } from '../../kernel/tuning.js';

/** One document's result: valid, or libxml2's messages ("line 5: Element 'severity': …"). */
export interface XsdValidation {
  valid: boolean;
  errors: string[];
}

const ENTRY = fileURLToPath(new URL('./xsd-validator-thread.mjs', import.meta.url));

interface Pending {
  resolve: (results: XsdValidation[]) => void;
  reject: (error: Error) => void;
}

/** One long-lived validator thread: its schema compiled once, one batch at a time. */
class ValidatorThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  failed: Error | null = null;

  constructor(schemaName: string, schema: string, nice: number) {
    this.worker = new Worker(ENTRY, { workerData: { schemaName, schema, nice }, execArgv: [] });
    this.worker.on('message', (m: { id: number; results?: XsdValidation[]; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.results) p.resolve(m.results);
      else p.reject(new Error(`XML schema validation failed: ${m.error}`));
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the XML schema validator thread stopped (exit code ${code})`)));
    // Idle, it keeps nothing alive: a node or a test ends without stopping it (after the listeners, which ref it;
    // a batch refs it again until answered).
    this.worker.unref();
  }

  validate(xmls: readonly string[]): Promise<XsdValidation[]> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, xmls });
    });
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const p of this.pending.values()) p.reject(this.failed);
    this.pending.clear();
  }
}

/**
 * Validator threads for one XML Schema, started on first use and kept: a run costs the
 * validation alone, not a thread's start and libxml2's compilation. Batches running at once
 * are bounded by the caller (cap-validate.ts: a semaphore); each runs on a thread of its own,
 * below the node's priority (VIGIL_WORKER_NICE), as what it reads comes from outside. A thread
 * that died (a WebAssembly abort) fails the batch it held and is replaced by the next run.
 */
export class XsdValidators {
  private readonly idle: ValidatorThread[] = [];
  /** Threads started so far (tests show runs reuse them). */
  threadsStarted = 0;

  constructor(
    private readonly schemaName: string,
    private readonly schema: string,
  ) {}

  async validate(xmls: readonly string[]): Promise<XsdValidation[]> {
    if (xmls.length === 0) return [];
    let thread = this.idle.pop();
    // One that died while idle is dropped: the next run gets a new thread, not its error.
    while (thread?.failed) thread = this.idle.pop();
    thread ??= this.start();
    try {
      return await thread.validate(xmls);
    } finally {
      if (!thread.failed) this.idle.push(thread);
    }
  }

  private start(): ValidatorThread {
    this.threadsStarted++;
    return new ValidatorThread(this.schemaName, this.schema, tuning('VIGIL_WORKER_NICE') ?? 0);
  }
}
