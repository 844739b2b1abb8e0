/**
 * Duties exactly one node of a cluster performs at a time: the timers that raise
 * alarms (missed polls, held signals, escalation, opening hours). Two nodes doing
 * them would raise every such alarm twice. One machine is always the leader; on
 * PostgreSQL the leader is the node holding an advisory lock
 * (src/adapters/stores/postgres/postgres-leadership.ts), taken over by another node
 * when its session ends.
 */
export interface Leadership {
  /** True while this node holds the duties; checked before every timer tick. */
  isLeader(): boolean;
  /** Called with true when this node becomes the leader and false when it stops being it. */
  onChange(listener: (leader: boolean) => void): void;
  /** Starts competing for leadership (only `vigil serve` does; a CLI command never leads). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The embedded store: one node, always the leader. */
export class SingleNodeLeadership implements Leadership {
  isLeader(): boolean {
    return true;
  }
  onChange(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
