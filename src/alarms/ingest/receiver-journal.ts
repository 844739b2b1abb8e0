import { mkdir, open, readdir, readFile, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';

/**
 * The DC-09 receiver thread's journal: every accepted alarm frame is appended here,
 * and its ACK sent only once the record is on disk. Records are numbered (the journal
 * sequence); the main thread applies them to the event log in that order, and each
 * signal it records carries its record's number, so the log itself says how far the
 * journal was applied (the watermark): at start-up, the records above it are applied
 * once, those at or below it are skipped.
 *
 * Group commit: the records appended in one turn of the receiver thread's loop (every
 * socket read in it) go together, one writev and one fdatasync for all of them; those
 * that arrive meanwhile wait in the kernel's socket buffers and make the next group.
 * The commit runs on the journal's own writer thread (receiver-journal-writer.mjs), not
 * on libuv's thread pool: that pool is the whole process's (four threads shared with
 * zlib, crypto, the HTTP side's file reads and writes, DNS), and under load a durable
 * write queued there behind an upload's gunzip or a file copy — the hostile benchmark
 * measured the pool's writev at 5–11 ms p50 and 70–430 ms p99 under attack against
 * 0.3 / 5–12 ms quiet. Nor in the receiver thread itself: a synchronous fdatasync there
 * would stop its parsing for the disk's time, where the writer lets the two overlap.
 *
 * On disk: segments named by their first sequence (16 digits), each a run of records
 * `u32 length | u32 crc32(seq and payload) | f64 seq | payload (JSON)`. A record cut
 * short by a crash (or damaged) ends its segment: it and anything after it are cut
 * off at start-up — such a record was never acknowledged. A segment is deleted once
 * every record in it is applied; the one being written is closed and a new one begun
 * when it grows past `segmentBytes`.
 *
 * Records the caller still needs after they are applied (`keepUntil`: the receiver's replay
 * window, rebuilt from them at every start) keep their segment on disk until then, whatever
 * their sequence: a segment goes once every record in it is applied *and* none is kept any
 * longer. So the window's memory survives any number of restarts inside it, not just one (the
 * segments kept at a start used to be deleted by the first record applied after it), and the
 * journal stays bounded: by the unapplied records, plus the segments written during the last
 * window (records are kept at most `keepUntil` − now, 60 s for the receiver).
 */
export interface JournalRecord<T> {
  seq: number;
  body: T;
}

export interface JournalOptions<T = unknown> {
  /** A segment grows to about this size before the next is begun (default 16 MiB). */
  segmentBytes?: number;
  /**
   * Records applied already are kept (and returned by `open` as `recent`) until `keepUntil(body)`
   * (ms, on `now`'s clock; 0 or less: not kept): the receiver keeps those still inside the replay
   * window, so every restart inside it rebuilds its memory of them.
   */
  keepUntil?: (body: T) => number;
  /** The clock `keepUntil` is compared with (default Date.now). */
  now?: () => number;
}

/** A segment no longer written: its file, last sequence, and until when a record in it is kept. */
interface Sealed {
  file: string;
  last: number;
  keepUntil: number;
}

const HEAD = 16;
const SEGMENT = /^(\d{16})\.journal$/;
const segmentName = (first: number): string => `${String(first).padStart(16, '0')}.journal`;

/** One record's bytes (`json`: the body's JSON text, when the caller has made it already). */
export function encodeJournalRecord(seq: number, body: unknown, json: string = JSON.stringify(body)): Buffer {
  const length = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(HEAD + length);
  out.writeUInt32LE(length, 0);
  out.writeDoubleLE(seq, 8);
  out.write(json, HEAD, 'utf8');
  out.writeUInt32LE(crc32(out.subarray(8)), 4);
  return out;
}

/** The whole records at the start of a segment, and the length they take (the rest is a torn or damaged tail). */
export function decodeJournalSegment<T>(buf: Buffer): { records: JournalRecord<T>[]; validBytes: number } {
  const records: JournalRecord<T>[] = [];
  let at = 0;
  while (at + HEAD <= buf.length) {
    const length = buf.readUInt32LE(at);
    const end = at + HEAD + length;
    if (end > buf.length || crc32(buf.subarray(at + 8, end)) !== buf.readUInt32LE(at + 4)) break;
    let body: T;
    try {
      body = JSON.parse(buf.toString('utf8', at + HEAD, end)) as T;
    } catch {
      break;
    }
    records.push({ seq: buf.readDoubleLE(at + 8), body });
    at = end;
  }
  return { records, validBytes: at };
}

interface Waiting {
  bytes: Buffer;
  seq: number;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

export class ReceiverJournal<T> {
  private queue: Waiting[] = [];
  private writing = false;
  private broken: Error | null = null;
  /** Tests only: every commit (and every repair) fails with this while set. */
  private injected: Error | null = null;
  private closed = false;
  /** Segments no longer written, deleted once applied and no record in them is kept any longer. */
  private sealed: Sealed[] = [];
  /** Until when a record of the segment being written is kept (the latest `keepUntil` appended to it). */
  private segmentKeepUntil = 0;
  private written = 0;
  private applied: number;
  /** The first sequence of the segment being written (its name). */
  private segmentFirst: number;
  private readonly writer = new JournalWriter();

  /** The writer thread's id (Linux; null until it said it, or without /proc). */
  get writerThreadId(): number | null {
    return this.writer.tid;
  }

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private next: number,
    applied: number,
    private readonly segmentBytes: number,
    private readonly keepUntil: ((body: T) => number) | null,
    private readonly now: () => number,
  ) {
    this.applied = applied;
    this.segmentFirst = next;
  }

  /**
   * Opens the journal in `dir` (made if missing): cuts torn tails off, deletes the
   * segments applied up to `appliedSeq`, and returns the records above it, in order,
   * which the caller applies before any new one. New records are numbered after both.
   */
  static async open<T>(
    dir: string,
    appliedSeq: number,
    options: JournalOptions<T> = {},
  ): Promise<{ journal: ReceiverJournal<T>; pending: JournalRecord<T>[]; recent: JournalRecord<T>[] }> {
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).filter((n) => SEGMENT.test(n)).sort();
    const pending: JournalRecord<T>[] = [];
    const recent: JournalRecord<T>[] = [];
    const kept: Sealed[] = [];
    const keepUntil = options.keepUntil ?? null;
    const now = (options.now ?? Date.now)();
    let last = appliedSeq;
    for (const name of names) {
      const file = join(dir, name);
      const buf = await readFile(file);
      const { records, validBytes } = decodeJournalSegment<T>(buf);
      if (validBytes < buf.length) await truncate(file, validBytes); // a torn record: never acknowledged
      const segmentLast = records.at(-1)?.seq ?? 0;
      if (segmentLast > last) last = segmentLast;
      // Until when this segment must stay: its latest record still kept (applied or not).
      let segmentKeep = 0;
      for (const r of records) {
        const until = keepUntil ? keepUntil(r.body) : 0;
        if (until <= now) continue;
        if (until > segmentKeep) segmentKeep = until;
        if (r.seq <= appliedSeq) recent.push(r);
      }
      if (segmentLast <= appliedSeq && segmentKeep === 0) {
        await rm(file, { force: true });
        continue;
      }
      for (const r of records) if (r.seq > appliedSeq) pending.push(r);
      kept.push({ file, last: segmentLast, keepUntil: segmentKeep });
    }
    const next = last + 1;
    const handle = await ReceiverJournal.begin(dir, next);
    const journal = new ReceiverJournal<T>(dir, handle, next, appliedSeq, options.segmentBytes ?? 16 * 1024 * 1024, keepUntil, options.now ?? Date.now);
    journal.sealed.push(...kept);
    return { journal, pending, recent };
  }

  /** A new segment starting at `first`, its name durable in the folder. */
  private static async begin(dir: string, first: number): Promise<FileHandle> {
    const handle = await open(join(dir, segmentName(first)), 'w');
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    return handle;
  }

  /** The sequence the next record gets. */
  get nextSeq(): number {
    return this.next;
  }

  /**
   * Appends a record; resolves with its sequence once it is durable (rejects: not durable, no ACK).
   * `json`: JSON.stringify(body), when the caller has it already (it posts the same text on).
   */
  append(body: T, json?: string): Promise<number> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new Error('the receiver journal is closed'));
    const seq = this.next++;
    const bytes = encodeJournalRecord(seq, body, json);
    if (this.keepUntil) {
      const until = this.keepUntil(body);
      if (until > this.segmentKeepUntil) this.segmentKeepUntil = until;
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, seq, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Writes everything queued as one group commit, then the group that gathered meanwhile. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        if (this.broken) throw this.broken;
        if (this.injected) throw this.injected;
        if (this.written >= this.segmentBytes) await this.rotate(batch[0]!.seq);
        const buffers = batch.map((w) => w.bytes);
        const length = buffers.reduce((sum, b) => sum + b.length, 0);
        // On the writer thread: never queued behind the process's other thread-pool work (see above).
        const bytesWritten = await this.writer.commit(this.handle.fd, buffers, this.written);
        if (bytesWritten !== length) throw new Error(`short write of the receiver journal (${bytesWritten} of ${length} bytes)`);
        this.written += length;
        for (const w of batch) w.resolve(w.seq);
      } catch (error) {
        // Whatever reached the file may be cut short: nothing more is written after it (start-up cuts the tail).
        this.broken ??= error instanceof Error ? error : new Error(String(error));
        for (const w of batch) w.reject(error);
      }
    }
    this.writing = false;
  }

  /** Whether records can be appended (false after a failed commit, until `repair` succeeds). */
  get failure(): Error | null {
    return this.broken;
  }

  /**
   * After a failed commit: cuts the segment back to its last durable length (whatever the failed
   * writev left after it was never acknowledged) and syncs it; appends work again once it succeeded.
   */
  async repair(): Promise<void> {
    if (!this.broken || this.closed) return;
    while (this.writing) await new Promise((r) => setImmediate(r));
    if (this.injected) throw this.injected;
    await this.handle.truncate(this.written);
    await this.handle.datasync();
    this.broken = null;
  }

  /** Tests only (VIGIL_DC09_TEST_HOOKS): commits and repairs fail with `error` while it is set. */
  injectFailureForTests(error: Error | null): void {
    this.injected = error;
  }

  private async rotate(first: number): Promise<void> {
    const previous = this.handle;
    this.sealed.push({ file: join(this.dir, segmentName(this.segmentFirst)), last: first - 1, keepUntil: this.segmentKeepUntil });
    this.handle = await ReceiverJournal.begin(this.dir, first);
    this.segmentFirst = first;
    this.segmentKeepUntil = 0;
    this.written = 0;
    await previous.close();
    await this.dropApplied();
  }

  /** The main thread applied every record up to `seq`: segments wholly below it go, once none of their records is kept. */
  async markApplied(seq: number): Promise<void> {
    if (seq > this.applied) this.applied = seq;
    await this.dropApplied();
  }

  /** Deletes the sealed segments wholly applied whose kept records have all left (`keepUntil` past). */
  private async dropApplied(): Promise<void> {
    const now = this.now();
    const gone = this.sealed.filter((s) => s.last <= this.applied && s.keepUntil <= now);
    if (gone.length === 0) return;
    this.sealed = this.sealed.filter((s) => !gone.includes(s));
    for (const { file } of gone) await rm(file, { force: true });
  }

  /** Segments on disk besides the one being written (tests, figures). */
  get sealedSegments(): number {
    return this.sealed.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing) await new Promise((r) => setImmediate(r));
    await this.writer.close();
    await this.handle.close();
  }
}

/** The writer thread's side here: one commit (writev + fdatasync) at a time, answered by its id. */
class JournalWriter {
  private readonly worker = new Worker(new URL('./receiver-journal-writer.mjs', import.meta.url));
  /** The writer thread's id (Linux), once it said it: it runs at the receiver thread's priority, which started it. */
  tid: number | null = null;
  private readonly waiting = new Map<number, { resolve: (written: number) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failed: Error | null = null;

  constructor() {
    this.worker.on('message', (m: { id: number; written?: number; error?: string; tid?: number | null }) => {
      if (m.tid !== undefined) return void (this.tid = m.tid);
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.written!);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the receiver journal's writer thread stopped (exit code ${code})`)));
  }

  /** Resolves with the bytes written once they are written and fdatasync'd. */
  commit(fd: number, buffers: Buffer[], position: number): Promise<number> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, fd, buffers, position });
    });
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.failed ??= new Error('the receiver journal is closed');
    await this.worker.terminate();
  }
}
