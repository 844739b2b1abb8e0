import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import { zonedParts } from '../kernel/time.js';
import type { SecretBox } from '../kernel/secrets.js';
import type { AlarmsReadPort } from './contract.js';
import type { AlarmEvents } from './events.js';
import type { AccountConfig, ActionPlan, Alarm, Keyholder, Signal, StepRecord } from './model.js';
import { correlationKey, raisedAlarm } from './rules.js';

const RECENT_SIGNALS = 50;

/** Alarm queue, account settings and recent signals, rebuilt from `alarms.*` events. */
export class AlarmsState implements Projection, AlarmsReadPort {
  readonly name = 'alarms';
  readonly typePrefixes = ['alarms.'];
  readonly accounts = new Map<string, AccountConfig>();
  readonly alarms = new Map<string, Alarm>();
  /** Open (not closed) alarm per correlation key (account or device): where a burst's signals join. */
  readonly openByKey = new Map<string, string>();
  readonly signals = new Map<string, Signal>();
  readonly recentByAccount = new Map<string, string[]>();
  readonly faultedPaths = new Set<string>();
  /** Signals of open alarms: kept in memory while the alarm is handled. */
  private readonly pinned = new Set<string>();
  signalCount = 0;
  readonly plans = new Map<string, ActionPlan>();
  readonly steps = new Map<string, StepRecord[]>();
  /** Keyholders in calling order, by 'orgId:siteId'. */
  readonly keyholders = new Map<string, Keyholder[]>();
  /** Automatic notifications that could not be delivered, per alarm. */
  readonly failedNotifications = new Map<string, AlarmEvents['alarms.notification.failed'][]>();
  readonly escalated = new Set<string>();
  /** Last opening and closing per account (local date in the city's zone) for schedules. */
  readonly openClose = new Map<string, { openDate?: string; closeDate?: string; closeMinutes?: number }>();
  /** Late-to-open/close alarms already raised: 'account:YYYY-MM-DD:open|close'. */
  readonly scheduleReported = new Set<string>();
  timeZone = 'UTC';
  /** Bumped on every account configuration, so supervision can follow changes made on any node. */
  accountsVersion = 0;
  /** The highest DC-09 receiver journal record recorded in the log (receiver thread mode): the journal's applied watermark. */
  journalApplied = 0;
  /** Told of every account configured (the receiver thread keeps a copy of the accounts' keys). */
  onAccountConfigured: ((account: AccountConfig) => void) | null = null;

  constructor(private readonly secrets: SecretBox) {}
  /** Burglary zones seen per open alarm (intrusion confirmation without rescanning its signals). */
  readonly intrusionZones = new Map<string, Set<string>>();
  /** Held signals (restore delay) by signal id → deadline and correlation key. */
  readonly held = new Map<string, { until: number; correlationKey: string }>();

  apply(e: StoredEvent): void {
    switch (e.type as keyof AlarmEvents) {
      case 'alarms.account.configured': {
        const { keySecret, ...rest } = e.data as AlarmEvents['alarms.account.configured'];
        const account: AccountConfig = { ...rest, orgId: e.orgId, key: keySecret === null ? null : this.secrets.open(keySecret) };
        this.accounts.set(rest.account, account);
        this.accountsVersion++;
        this.onAccountConfigured?.(account);
        break;
      }
      case 'alarms.signal.received': {
        const { decision, signal } = e.data as AlarmEvents['alarms.signal.received'];
        this.received(signal);
        // What the rules decided, as the separate event of older logs would have it.
        if (decision)
          switch (decision.rule) {
            case 'raised':
              this.raised(raisedAlarm(signal, e.orgId, decision));
              break;
            case 'correlated':
              this.correlated(decision.alarmId, signal.signalId, decision);
              break;
            case 'restored':
              this.restored(decision.alarmId, signal.signalId);
              break;
            case 'held':
              this.heldUntil(signal.signalId, Date.parse(decision.until), correlationKey(signal));
              break;
            case 'released':
              this.held.delete(decision.signalId);
              break;
          }
        break;
      }
      case 'alarms.path.failed':
        this.faultedPaths.add((e.data as AlarmEvents['alarms.path.failed']).account);
        break;
      case 'alarms.path.restored':
        this.faultedPaths.delete((e.data as AlarmEvents['alarms.path.restored']).account);
        break;
      case 'alarms.alarm.raised': {
        const { alarm } = e.data as AlarmEvents['alarms.alarm.raised'];
        this.raised({ ...alarm, signalIds: [...alarm.signalIds] });
        break;
      }
      case 'alarms.alarm.correlated': {
        const d = e.data as AlarmEvents['alarms.alarm.correlated'];
        this.correlated(d.alarmId, d.signalId, d);
        break;
      }
      case 'alarms.alarm.restored': {
        const d = e.data as AlarmEvents['alarms.alarm.restored'];
        this.restored(d.alarmId, d.signalId);
        break;
      }
      case 'alarms.plan.defined': {
        const { plan } = e.data as AlarmEvents['alarms.plan.defined'];
        this.plans.set(plan.planId, plan);
        break;
      }
      case 'alarms.plan.removed':
        this.plans.delete((e.data as AlarmEvents['alarms.plan.removed']).planId);
        break;
      case 'alarms.keyholders.set': {
        const d = e.data as AlarmEvents['alarms.keyholders.set'];
        if (d.keyholders.length > 0) this.keyholders.set(`${e.orgId}:${d.siteId}`, d.keyholders);
        else this.keyholders.delete(`${e.orgId}:${d.siteId}`);
        break;
      }
      case 'alarms.notification.failed': {
        const d = e.data as AlarmEvents['alarms.notification.failed'];
        this.failedNotifications.set(d.alarmId, [...(this.failedNotifications.get(d.alarmId) ?? []), d]);
        break;
      }
      case 'alarms.step.done': {
        const d = e.data as AlarmEvents['alarms.step.done'];
        const list = this.steps.get(d.alarmId) ?? [];
        list.push({ stepId: d.stepId, by: e.actor, at: e.at, outcome: d.outcome });
        this.steps.set(d.alarmId, list);
        break;
      }
      case 'alarms.signal.held': {
        const d = e.data as AlarmEvents['alarms.signal.held'];
        this.heldUntil(d.signalId, Date.parse(d.until), d.correlationKey);
        break;
      }
      case 'alarms.hold.released':
        this.held.delete((e.data as AlarmEvents['alarms.hold.released']).signalId);
        break;
      case 'alarms.alarm.escalated':
        this.escalated.add((e.data as AlarmEvents['alarms.alarm.escalated']).alarmId);
        break;
      case 'alarms.alarm.claimed': {
        const d = e.data as AlarmEvents['alarms.alarm.claimed'];
        const a = this.alarms.get(d.alarmId);
        if (a && a.status === 'new') {
          a.status = 'claimed';
          a.claimedBy = d.by;
        }
        break;
      }
      case 'alarms.alarm.acknowledged': {
        const d = e.data as AlarmEvents['alarms.alarm.acknowledged'];
        const a = this.alarms.get(d.alarmId);
        if (a && a.status !== 'closed') {
          a.status = 'acknowledged';
          a.acknowledgedAt = e.at;
          a.claimedBy ??= d.by;
        }
        break;
      }
      case 'alarms.alarm.closed': {
        const d = e.data as AlarmEvents['alarms.alarm.closed'];
        const a = this.alarms.get(d.alarmId);
        if (a) {
          a.status = 'closed';
          a.closedAt = e.at;
          a.resolution = d.resolution;
          a.note = d.note;
          a.acknowledgedAt ??= e.at;
          for (const id of a.signalIds) this.pinned.delete(id);
          this.intrusionZones.delete(a.alarmId);
          if (a.correlationKey && this.openByKey.get(a.correlationKey) === a.alarmId) this.openByKey.delete(a.correlationKey);
        }
        break;
      }
    }
  }

  private received(signal: Signal): void {
    this.signalCount++;
    if (signal.journal !== undefined && signal.journal > this.journalApplied) this.journalApplied = signal.journal;
    if (signal.account && (signal.kind === 'open' || signal.kind === 'close')) {
      const local = zonedParts(Date.parse(signal.receivedAt), this.timeZone);
      const entry = this.openClose.get(signal.account) ?? {};
      if (signal.kind === 'open') entry.openDate = local.date;
      else Object.assign(entry, { closeDate: local.date, closeMinutes: local.minutesOfDay });
      this.openClose.set(signal.account, entry);
    }
    if (signal.kind === 'schedule' && signal.text) this.scheduleReported.add(signal.text);
    this.signals.set(signal.signalId, signal);
    const key = signal.account ?? '-';
    const list = this.recentByAccount.get(key) ?? [];
    list.push(signal.signalId);
    // Keep memory bounded: older signals stay in the log, not in this read model,
    // unless an alarm refers to them.
    if (list.length > RECENT_SIGNALS) {
      const dropped = list.shift()!;
      if (!this.pinned.has(dropped)) this.signals.delete(dropped);
    }
    this.recentByAccount.set(key, list);
  }

  /** A new alarm (the read model's own object). */
  private raised(alarm: Alarm): void {
    this.alarms.set(alarm.alarmId, alarm);
    for (const id of alarm.signalIds) {
      this.pinned.add(id);
      this.held.delete(id);
      this.noteZone(alarm.alarmId, id);
    }
    if (alarm.correlationKey) this.openByKey.set(alarm.correlationKey, alarm.alarmId);
  }

  private correlated(alarmId: string, signalId: string, d: Pick<AlarmEvents['alarms.alarm.correlated'], 'priority' | 'kind' | 'title' | 'confirmation'>): void {
    const a = this.alarms.get(alarmId);
    if (!a) return;
    a.signalIds.push(signalId);
    this.pinned.add(signalId);
    this.noteZone(a.alarmId, signalId);
    if (d.confirmation && a.confirmation !== 'confirmed') a.confirmation = d.confirmation;
    if (d.priority < a.priority) {
      a.priority = d.priority;
      if (d.kind) a.kind = d.kind;
      if (d.title) a.title = d.title;
    }
  }

  private restored(alarmId: string, signalId: string): void {
    const a = this.alarms.get(alarmId);
    if (!a) return;
    a.restored = true;
    a.signalIds.push(signalId);
  }

  private heldUntil(signalId: string, until: number, correlationKey: string): void {
    this.held.set(signalId, { until, correlationKey });
    this.pinned.add(signalId);
  }

  private noteZone(alarmId: string, signalId: string): void {
    const sg = this.signals.get(signalId);
    if (sg?.kind !== 'burglary' || !sg.zone) return;
    const zones = this.intrusionZones.get(alarmId) ?? new Set<string>();
    zones.add(sg.zone);
    this.intrusionZones.set(alarmId, zones);
  }

  alarm(alarmId: string): Alarm | undefined {
    return this.alarms.get(alarmId);
  }

  signal(signalId: string): Signal | undefined {
    return this.signals.get(signalId);
  }

  /** The plan for an alarm: the most specific of its organisation's plans for its kind (site-specific first). */
  planFor(alarm: Alarm): ActionPlan | null {
    let general: ActionPlan | null = null;
    for (const p of this.plans.values()) {
      if (p.orgId !== alarm.orgId || !p.kinds.includes(alarm.kind)) continue;
      if (p.siteIds.length > 0 && alarm.siteId && p.siteIds.includes(alarm.siteId)) return p;
      if (p.siteIds.length === 0) general ??= p;
    }
    return general;
  }

  /** Keyholders an operator calls for this alarm: its organisation's list for its site. */
  keyholdersFor(alarm: Alarm): Keyholder[] {
    return alarm.siteId && alarm.orgId ? (this.keyholders.get(`${alarm.orgId}:${alarm.siteId}`) ?? []) : [];
  }

  /** Open alarms, most urgent first: priority, then age. */
  queue(): Alarm[] {
    return [...this.alarms.values()]
      .filter((a) => a.status !== 'closed')
      .sort((a, b) => a.priority - b.priority || (a.raisedAt < b.raisedAt ? -1 : a.raisedAt > b.raisedAt ? 1 : 0));
  }
}
