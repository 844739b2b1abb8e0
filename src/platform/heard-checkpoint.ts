/**
 * The supervision monitor's heard state, saved now and then so a restart picks up where
 * the last node left off: for every supervised transmission path, when it was last heard
 * and whether its fault was already raised. Polls never write (a million paths polling
 * every 90 s would be 11 000 writes a second); the monitor is saved as one snapshot
 * periodically and at shutdown. The embedded node keeps it in a file of its data folder;
 * a cluster's leader keeps it in PostgreSQL, where the next leader finds it.
 */
export interface HeardSnapshot {
  /** When it was taken (epoch ms). */
  savedAt: number;
  /** Taken at an orderly shutdown (nothing heard after it), rather than by the periodic timer. */
  clean: boolean;
  /** Only ever appended to between snapshots of one node (the encoded names are reused while its length is unchanged). */
  paths: string[];
  /** Per path: when it was last heard (epoch ms; for a faulted path, its missed deadline less one interval); NaN: not supervised. */
  heard: Float64Array;
  /** Per path: 1 when its fault was raised and it was not heard since. */
  faulted: Uint8Array;
}

export interface HeardCheckpointStore {
  /** The last snapshot saved, or null when there is none. */
  load(): Promise<HeardSnapshot | null>;
  /** Replaces the saved snapshot; resolves once durable. */
  save(snapshot: HeardSnapshot): Promise<void>;
  close(): Promise<void>;
}

const VERSION = 1;

/** The names of the last array encoded, while it has the same length (a monitor's names are only appended). */
const encodedNames = new WeakMap<string[], { length: number; bytes: Buffer }>();
function namesOf(paths: string[]): Buffer {
  const cached = encodedNames.get(paths);
  if (cached && cached.length === paths.length) return cached.bytes;
  const bytes = Buffer.from(JSON.stringify(paths), 'utf8');
  encodedNames.set(paths, { length: paths.length, bytes });
  return bytes;
}

/** One binary record: version, time, clean flag, count, heard times, faulted flags, then the names as a JSON array. */
export function encodeHeardSnapshot(s: HeardSnapshot): Buffer {
  return Buffer.concat(heardSnapshotParts(s));
}

/** The record in pieces that share the snapshot's memory (nothing copied: a file store writes them with one writev). */
export function heardSnapshotParts(s: HeardSnapshot): Buffer[] {
  const n = s.paths.length;
  const head = Buffer.allocUnsafe(17);
  head.writeUInt32LE(VERSION, 0);
  head.writeDoubleLE(s.savedAt, 4);
  head.writeUInt8(s.clean ? 1 : 0, 12);
  head.writeUInt32LE(n, 13);
  return [head, Buffer.from(s.heard.buffer, s.heard.byteOffset, n * 8), Buffer.from(s.faulted.buffer, s.faulted.byteOffset, n), namesOf(s.paths)];
}

/** Null when the record is of another version or damaged: the node then starts as if there were none. */
export function decodeHeardSnapshot(buf: Buffer): HeardSnapshot | null {
  try {
    if (buf.length < 17 || buf.readUInt32LE(0) !== VERSION) return null;
    const n = buf.readUInt32LE(13);
    const head = 17;
    const heard = new Float64Array(n);
    Buffer.from(heard.buffer).set(buf.subarray(head, head + n * 8));
    const faulted = new Uint8Array(buf.subarray(head + n * 8, head + n * 9));
    const paths: unknown = JSON.parse(buf.subarray(head + n * 9).toString('utf8'));
    if (!Array.isArray(paths) || paths.length !== n || !paths.every((p) => typeof p === 'string')) return null;
    return { savedAt: buf.readDoubleLE(4), clean: buf.readUInt8(12) === 1, paths: paths as string[], heard, faulted };
  } catch {
    return null;
  }
}
