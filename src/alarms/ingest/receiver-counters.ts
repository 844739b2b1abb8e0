/** The receiver's metrics as the ingest pieces count them (prom-client counters behind, in index.ts). */
export interface ReceiverCounters {
  frames: (outcome: string) => void;
  quirk: (name: string) => void;
}
