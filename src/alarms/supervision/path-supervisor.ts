import type { CityReadPort } from '../../city/contract.js';
import { newId } from '../../kernel/ids.js';
import type { AppContext } from '../../platform/app-context.js';
import type { NewEvent } from '../../platform/event-log.js';
import type { HeardSnapshot } from '../../platform/heard-checkpoint.js';
import type { AlarmsState } from '../alarms-state.js';
import { alarmEvent } from '../events.js';
import type { Signal } from '../model.js';
import type { SignalRecorder } from '../signal-recorder.js';
import { SupervisionMonitor } from './monitor.js';

/** Where followers announce the transmission paths they heard (not stored: a missed one costs at most a late poll). */
export const HEARD_SUBJECT = 'alarms.supervision.heard';
export interface HeardAnnouncement {
  node: string;
  /** [path, epoch ms heard] */
  heard: [string, number][];
}

/** Heard-state restore: the checkpoint period (a node that died may have heard a path that long after its last snapshot) and the grace after a restart. */
export const RESTORE_DEFAULTS = { checkpointPeriodMs: 5_000, restartGraceMs: 60_000 };

/**
 * Transmission-path supervision across the cluster: the leader keeps every
 * configured path's deadline (monitor.ts) and raises a path-fault alarm when a poll
 * is missed; followers tell it which paths they heard.
 */
export class PathSupervisor {
  readonly monitor: SupervisionMonitor;
  /** Paths heard on this node while another node leads, sent to the leader each tick. */
  private readonly heardElsewhere = new Map<string, number>();
  private watchedVersion = -1;

  constructor(
    private readonly ctx: AppContext,
    private readonly state: AlarmsState,
    private readonly city: CityReadPort,
    private readonly signals: SignalRecorder,
  ) {
    this.monitor = new SupervisionMonitor(ctx.clock.now());
  }

  /**
   * Starts supervising every configured path. Without a saved heard state each gets a full
   * interval of grace; with one (see heard-checkpoint.ts), each path keeps its deadline:
   * - a path whose fault was raised (the log says so) stays faulted — no second fault, also
   *   without a snapshot; its next frame restores it;
   * - a path heard before the snapshot is due one interval after it was heard — or, when the
   *   snapshot was taken by the timer (the node died), one interval after the node may last
   *   have heard it (the snapshot's time plus one checkpoint period), so a frame heard after
   *   the last snapshot never turns into a false fault;
   * - and never sooner than `restartGraceMs` (capped at its interval) after this start: its
   *   frames went unanswered while no node listened, and a panel retries within seconds.
   * A path silent through the restart therefore faults when it was due, not an interval
   * after the restart; one configured after the snapshot gets a full interval.
   */
  watchConfiguredPaths(snapshot: HeardSnapshot | null = null, options: { checkpointPeriodMs: number; restartGraceMs: number } = RESTORE_DEFAULTS): void {
    const now = this.ctx.clock.now();
    const saved = new Map<string, number>();
    if (snapshot) snapshot.paths.forEach((path, j) => Number.isNaN(snapshot.heard[j]) || saved.set(path, j));
    for (const a of this.state.accounts.values()) {
      if (!a.supervisionSeconds) continue;
      const intervalMs = Math.max(1, Math.round(a.supervisionSeconds)) * 1000;
      const j = saved.get(a.account);
      // Whether its fault is raised is the log's to say (each fault and restore is an event): never raised twice.
      if (this.state.faultedPaths.has(a.account)) {
        this.monitor.restore(a.account, a.supervisionSeconds, snapshot && j !== undefined ? snapshot.heard[j]! + intervalMs : now, true);
        continue;
      }
      if (!snapshot || j === undefined) {
        this.monitor.watch(a.account, a.supervisionSeconds, now);
        continue;
      }
      // Restored since the snapshot said faulted, or a timer snapshot: heard as late as the node may have run after it.
      const stale = !snapshot.clean || snapshot.faulted[j] === 1;
      const heardAt = stale ? Math.max(snapshot.heard[j]!, snapshot.savedAt + options.checkpointPeriodMs) : snapshot.heard[j]!;
      const deadline = Math.max(heardAt + intervalMs, now + Math.min(intervalMs, options.restartGraceMs));
      this.monitor.restore(a.account, a.supervisionSeconds, deadline, false);
    }
    this.watchedVersion = this.state.accountsVersion;
  }

  /** Starts supervising from the last saved heard state (if the store has one and can be read; else a full interval of grace). */
  async watchFromCheckpoint(): Promise<void> {
    let snapshot: HeardSnapshot | null = null;
    try {
      snapshot = (await this.ctx.heardCheckpoints?.load()) ?? null;
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'could not read the supervision checkpoint: every path gets a full interval of grace');
    }
    this.watchConfiguredPaths(snapshot);
  }

  /** Saves the heard state (the leader only: it alone holds it); `clean` at an orderly shutdown, once nothing more is heard. */
  async checkpointHeard(clean: boolean): Promise<boolean> {
    // Nothing supervised (yet): nothing to save, and no fsync every few seconds for it.
    if (!this.ctx.heardCheckpoints || !this.ctx.leadership.isLeader() || this.monitor.size === 0) return false;
    await this.ctx.heardCheckpoints.save(this.snapshot(clean));
    return true;
  }

  /** The heard state to checkpoint (`clean` at an orderly shutdown: nothing is heard after it). */
  snapshot(clean: boolean): HeardSnapshot {
    return { savedAt: this.ctx.clock.now(), clean, ...this.monitor.snapshot() };
  }

  /** An account configured on this node: start, change or stop supervising its path now. */
  configured(account: string, supervisionSeconds: number | null): void {
    if (supervisionSeconds) this.monitor.watch(account, supervisionSeconds, this.ctx.clock.now());
    else this.monitor.unwatch(account);
  }

  /** Accounts configured since (on any node): start, change or stop supervising their paths. */
  private reconcileWatches(): void {
    if (this.watchedVersion === this.state.accountsVersion) return;
    this.watchedVersion = this.state.accountsVersion;
    const now = this.ctx.clock.now();
    for (const a of this.state.accounts.values()) {
      if (!a.supervisionSeconds) this.monitor.unwatch(a.account);
      else if (this.monitor.intervalOf(a.account) !== a.supervisionSeconds) this.monitor.watch(a.account, a.supervisionSeconds, now);
    }
  }

  /**
   * A transmission path was heard. The leader supervises; another node tells it —
   * an announcement per tick listing what it heard (polls are not events: a million
   * paths polling every 90 s would be 11 000 events a second).
   */
  async heardPath(path: string, now: number): Promise<void> {
    await this.heard(path, now);
  }

  /** heardPath without a promise when there is nothing to wait for (the path was not faulted): the poll's fast path. */
  heard(path: string, now: number): Promise<void> | null {
    if (!this.ctx.leadership.isLeader()) {
      this.heardElsewhere.set(path, now);
      return null;
    }
    const restore = this.monitor.heard(path, now);
    return restore ? this.recordPathRestored(path, restore.lateMs) : null;
  }

  /** On a follower: sends what it heard since the last tick to the leader. */
  async announceHeard(): Promise<number> {
    if (this.heardElsewhere.size === 0) return 0;
    const heard = [...this.heardElsewhere];
    this.heardElsewhere.clear();
    await this.ctx.bus.announce(HEARD_SUBJECT, { node: this.ctx.config.nodeId, heard } satisfies HeardAnnouncement);
    return heard.length;
  }

  /** On the leader: paths another node heard. */
  async onHeardAnnouncement(message: HeardAnnouncement): Promise<void> {
    if (!this.ctx.leadership.isLeader() || !Array.isArray(message.heard)) return;
    for (const entry of message.heard) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') continue;
      await this.heardPath(entry[0], entry[1]);
    }
  }

  /** Runs every few hundred ms: a missed poll becomes a path-fault alarm within a second of its deadline. */
  async superviseTick(): Promise<number> {
    this.reconcileWatches();
    const now = this.ctx.clock.now();
    const faults = this.monitor.tick(now);
    if (faults.length === 0) return 0;
    const signals: Signal[] = [];
    const events: NewEvent[] = [];
    for (const f of faults) {
      const device = this.city.devicesByAccount.get(f.path);
      events.push(
        alarmEvent('alarms.path.failed', `account:${f.path}`, device?.orgId ?? null, 'system:supervision', {
          account: f.path,
          deadline: new Date(f.at).toISOString(),
          lateMs: f.lateMs,
        }),
      );
      signals.push({
        signalId: newId('sig'),
        account: f.path,
        protocol: 'supervision',
        code: 'PATH',
        kind: 'path-fault',
        phase: 'alarm',
        description: 'Transmission path fault (missed poll)',
        zone: null,
        user: null,
        area: null,
        occurredAt: new Date(f.at).toISOString(),
        receivedAt: new Date(now).toISOString(),
        text: null,
        position: device?.position ?? null,
        siteId: device?.siteId ?? null,
        deviceId: device?.id ?? null,
        flags: [],
      });
    }
    await this.signals.recordSignals(signals, events);
    return faults.length;
  }

  private async recordPathRestored(account: string, downMs: number): Promise<void> {
    const device = this.city.devicesByAccount.get(account);
    await this.ctx.record([alarmEvent('alarms.path.restored', `account:${account}`, device?.orgId ?? null, 'system:supervision', { account, downMs })]);
    const openId = this.state.openByKey.get(account);
    const open = openId ? this.state.alarms.get(openId) : undefined;
    if (open?.kind === 'path-fault') {
      await this.ctx.record([
        alarmEvent('alarms.alarm.restored', `alarm:${open.alarmId}`, open.orgId, 'system:supervision', { alarmId: open.alarmId, signalId: 'path-restored' }),
      ]);
    }
  }
}
