/** The receiver's metrics as the ingest pieces count them (prom-client counters behind, in index.ts). */
export interface ReceiverCounters {
  frames: (outcome: string, n?: number) => void;
  quirk: (name: string, n?: number) => void;
}
