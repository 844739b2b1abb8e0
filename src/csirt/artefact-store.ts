import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, pipeline, type Readable } from 'node:stream';
import { VigilError } from '../kernel/errors.js';

/** A file received whole, hashed and fsynced in the store's temporary folder, not yet kept. */
export interface Received {
  sha256: string;
  bytes: number;
  tmp: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Artefacts too large for the log (packet captures, firmware images, memory excerpts), kept
 * on this node's disk by content: `<dir>/<first two hex>/<sha256>`. A file is written to
 * `<dir>/tmp` as it arrives (never held in memory), hashed and counted on the way (the limit
 * stops it there, whatever Content-Length said), fsynced, then renamed into place and the
 * folder fsynced: once `keep` returns the file survives a crash, and only then is the
 * artefact recorded in the log. A node killed mid-upload leaves a `.part` file that no event
 * names; `open` removes those on the next start.
 */
export class ArtefactStore {
  private readonly tmpDir: string;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    this.tmpDir = join(dir, 'tmp');
  }

  /** Creates the folders and removes the parts left by a node stopped mid-upload. */
  async open(): Promise<{ removedParts: number }> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    let removedParts = 0;
    for (const name of await readdir(this.tmpDir)) {
      if (!name.endsWith('.part')) continue;
      await rm(join(this.tmpDir, name), { force: true });
      removedParts++;
    }
    return { removedParts };
  }

  tooLarge(): VigilError {
    return new VigilError(
      'payload_too_large',
      `artefacts are at most ${this.maxBytes} bytes (${Math.floor(this.maxBytes / 1024 / 1024)} MiB, VIGIL_CSIRT_MAX_ARTEFACT_BYTES)`,
    );
  }

  /**
   * Writes `body` to a temporary file as it arrives, hashing and counting it; stops with 413
   * past the limit and 400 when the sender stopped before the end. The request is never
   * destroyed here, so the answer still reaches the sender.
   */
  async receive(body: Readable): Promise<Received> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    const tmp = join(this.tmpDir, `${randomUUID()}.part`);
    const file = await open(tmp, 'wx', 0o600);
    const hash = createHash('sha256');
    let bytes = 0;
    let ok = false;
    try {
      try {
        for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          if (bytes > this.maxBytes) throw this.tooLarge();
          hash.update(chunk);
          for (let at = 0; at < chunk.length;) at += (await file.write(chunk, at)).bytesWritten;
        }
      } catch (error) {
        if (error instanceof VigilError) throw error;
        throw new VigilError('bad_request', `the upload did not arrive whole: ${(error as Error).message}`);
      }
      if ((body as { complete?: boolean }).complete === false || body.readableAborted)
        throw new VigilError('bad_request', 'the upload did not arrive whole: the sender stopped before the end');
      await file.sync();
      ok = true;
    } finally {
      await file.close();
      if (!ok) await rm(tmp, { force: true });
    }
    return { sha256: hash.digest('hex'), bytes, tmp };
  }

  /** Where a kept file lives. */
  path(sha256: string): string {
    if (!SHA256.test(sha256)) throw new VigilError('bad_request', 'not a SHA-256');
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /** Whether a file is kept on this disk. */
  async has(sha256: string): Promise<boolean> {
    return stat(this.path(sha256)).then(
      () => true,
      () => false,
    );
  }

  /** Moves a received file into place (the same content already there: kept once) and makes the rename durable. */
  async keep(r: Received): Promise<void> {
    const target = this.path(r.sha256);
    const folder = join(this.dir, r.sha256.slice(0, 2));
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await rename(r.tmp, target);
    for (const dir of [folder, this.dir]) await syncDir(dir);
  }

  /** Deletes a kept file (its artefacts erased) and makes the removal durable; false when it was not on this disk. */
  async remove(sha256: string): Promise<boolean> {
    if (!(await this.has(sha256))) return false;
    await rm(this.path(sha256), { force: true });
    await syncDir(join(this.dir, sha256.slice(0, 2)));
    return true;
  }

  /** Deletes every kept file `inUse` says no artefact names; returns how many went. */
  async prune(inUse: (sha256: string) => boolean): Promise<number> {
    let removed = 0;
    for (const folder of await readdir(this.dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(folder)) continue;
      for (const name of await readdir(join(this.dir, folder))) {
        if (!SHA256.test(name) || name.slice(0, 2) !== folder || inUse(name)) continue;
        if (await this.remove(name)) removed++;
      }
    }
    return removed;
  }

  /** Drops a received file that will not be kept. */
  async discard(r: Received): Promise<void> {
    await rm(r.tmp, { force: true });
  }

  /** A received file's bytes (for the small ones that go into the log). */
  async bytesOf(r: Received): Promise<Buffer> {
    return readFile(r.tmp);
  }

  /**
   * A kept file as a stream, checked on the way against its SHA-256: a file whose size is
   * wrong fails before anything is sent; one whose content changed fails at its end (the
   * stream errors, so the download is cut short, never completed with other bytes).
   */
  async read(sha256: string, bytes: number, node: string | null): Promise<Readable> {
    const file = this.path(sha256);
    const size = await stat(file).then(
      (s) => s.size,
      () => null,
    );
    if (size === null)
      throw new VigilError('not_found', `this file is kept on the disk of ${node ? `node ${node}` : 'another node'}, not this one: download it from there`);
    if (size !== bytes) throw new VigilError('internal', 'artefact does not match its recorded size');
    const hash = createHash('sha256');
    // The last piece is held back until the hash is checked: a changed file never reaches its end.
    let held: Buffer | null = null;
    const check = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        const out = held;
        held = chunk;
        done(null, out ?? undefined);
      },
      flush(done) {
        if (hash.digest('hex') !== sha256) return done(new VigilError('internal', 'artefact does not match its hash'));
        done(null, held ?? undefined);
      },
    });
    // pipeline (not pipe): a read error reaches the stream the answer is sent from.
    return pipeline(createReadStream(file), check, () => {});
  }
}

/** Makes a folder's entries (a rename, a removal) durable. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
