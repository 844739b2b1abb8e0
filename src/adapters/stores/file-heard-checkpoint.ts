import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeHeardSnapshot, heardSnapshotParts, type HeardCheckpointStore, type HeardSnapshot } from '../../platform/heard-checkpoint.js';

/**
 * The embedded node's supervision heard state: one file in its data folder, replaced
 * atomically at each checkpoint (written beside it, fsynced, renamed, the folder fsynced).
 * The writes run on libuv's threads, so a million paths (≈ 18 MB) never hold up the
 * event loop and the panels' ACKs behind it.
 */
export class FileHeardCheckpoint implements HeardCheckpointStore {
  constructor(private readonly file: string) {}

  async load(): Promise<HeardSnapshot | null> {
    try {
      return decodeHeardSnapshot(await readFile(this.file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async save(snapshot: HeardSnapshot): Promise<void> {
    const parts = heardSnapshotParts(snapshot);
    const temporary = `${this.file}.new`;
    const handle = await open(temporary, 'w');
    try {
      const { bytesWritten } = await handle.writev(parts);
      const length = parts.reduce((sum, p) => sum + p.length, 0);
      if (bytesWritten !== length) throw new Error(`short write of the supervision checkpoint (${bytesWritten} of ${length} bytes)`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
    const folder = await open(dirname(this.file), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  async close(): Promise<void> {}
}
