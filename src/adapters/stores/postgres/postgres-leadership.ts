import pg from 'pg';
import type { Leadership } from '../../../platform/leadership.js';

export interface PostgresLeadershipOptions {
  connectionString: string;
  /** The installation's schema: installations sharing a database lead separately. */
  schema: string;
  /** How often a follower tries to take over, and a leader checks its session (ms). */
  checkMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Leadership by a session-level advisory lock on a connection of its own. PostgreSQL
 * releases the lock when that session ends (node stopped, crashed or cut off), and a
 * follower takes it on its next try. The leader checks its session every `checkMs`
 * and steps down as soon as it fails, so two leaders overlap at most by that much
 * plus the server's detection of a dead client (TCP keepalive).
 */
export class PostgresLeadership implements Leadership {
  private client: pg.Client | null = null;
  private leader = false;
  private busy = false;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners: ((leader: boolean) => void)[] = [];

  constructor(private readonly options: PostgresLeadershipOptions) {}

  isLeader(): boolean {
    return this.leader;
  }

  onChange(listener: (leader: boolean) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.check();
    this.timer = setInterval(() => void this.check(), this.options.checkMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const client = this.client;
    this.client = null;
    this.set(false);
    // Ending the session releases the lock at once; the next node takes over on its next try.
    await client?.end().catch(() => {});
  }

  private async check(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    const client = this.client;
    try {
      if (this.leader && client) {
        await client.query('SELECT 1');
        return;
      }
      const c = client ?? (await this.connect());
      const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`vigil-leader:${this.options.schema}`]);
      if (rows[0]?.ok && !this.stopped) this.set(true);
    } catch (error) {
      this.options.onError?.(error);
      this.drop(this.client);
    } finally {
      this.busy = false;
    }
  }

  private async connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.options.connectionString, keepAlive: true, application_name: 'vigil-leadership' });
    c.on('error', (error) => {
      this.options.onError?.(error);
      this.drop(c);
    });
    await c.connect();
    if (this.stopped) {
      await c.end();
      throw new Error('stopped');
    }
    this.client = c;
    return c;
  }

  private drop(c: pg.Client | null): void {
    if (c && this.client === c) {
      this.client = null;
      c.end().catch(() => {});
    }
    this.set(false);
  }

  private set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const l of this.listeners) l(leader);
  }
}
