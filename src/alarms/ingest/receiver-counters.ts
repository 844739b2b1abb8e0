/** The receiver's metrics as the ingest pieces count them (prom-client counters behind, in index.ts). */
export interface ReceiverCounters {
  frames: (outcome: string, n?: number) => void;
  quirk: (name: string, n?: number) => void;
  /** DC-09 ACKs written: for each, milliseconds from its frame's bytes read to the ACK written. */
  acked: (ms: readonly number[]) => void;
}
