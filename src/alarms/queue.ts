import type { CityReadPort } from '../city/contract.js';
import { badRequest, conflict, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { Principal } from '../platform/access.js';
import { assertCan, filterVisible } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import type { AlarmsState } from './alarms-state.js';
import { alarmEvent } from './events.js';
import type { ActionPlan, Alarm, Resolution } from './model.js';
import { notRestoredAlarm } from './rules.js';
import type { SignalRecorder } from './signal-recorder.js';

/** An alarm nobody claimed for this long is escalated to supervisors (EN 50518: most within 30 s). */
export const ESCALATE_AFTER_MS = 30_000;

/** The alarm queue: what operators see and do (claim, acknowledge, plan steps, close), and its timers (held signals, escalation). */
export class AlarmQueue {
  constructor(
    private readonly ctx: AppContext,
    private readonly state: AlarmsState,
    private readonly city: CityReadPort,
    private readonly signals: SignalRecorder,
  ) {}

  visibleQueue(by: Principal): Alarm[] {
    return filterVisible(by, this.state.queue(), (a) => a.orgId);
  }

  /** An alarm the principal may see (read) or handle (act: claim, acknowledge, plan steps, close). */
  alarmFor(alarmId: string, by: Principal, action: 'read' | 'act' = 'read'): Alarm {
    const a = this.state.alarms.get(alarmId);
    if (!a) throw notFound('alarm', alarmId);
    assertCan(by, action, { orgId: a.orgId }, 'alarm', alarmId);
    return a;
  }

  async claim(alarmId: string, by: Principal): Promise<Alarm> {
    const a = this.alarmFor(alarmId, by, 'act');
    if (a.status === 'closed') throw conflict('the alarm is closed').because('alarm.closed');
    if (a.status !== 'new' && a.claimedBy !== by.actor) throw conflict(`already claimed by ${a.claimedBy}`).because('alarm.claimed-by-another');
    if (a.status === 'new')
      await this.ctx.record([alarmEvent('alarms.alarm.claimed', `alarm:${a.alarmId}`, a.orgId, by.actor, { alarmId: a.alarmId, by: by.actor })]);
    return a;
  }

  async acknowledge(alarmId: string, by: Principal): Promise<Alarm> {
    const a = this.alarmFor(alarmId, by, 'act');
    if (a.status === 'closed') throw conflict('the alarm is closed').because('alarm.closed');
    if (a.claimedBy && a.claimedBy !== by.actor && !by.roles.includes('supervisor'))
      throw conflict(`claimed by ${a.claimedBy}`).because('alarm.claimed-by-another');
    if (a.status !== 'acknowledged')
      await this.ctx.record([alarmEvent('alarms.alarm.acknowledged', `alarm:${a.alarmId}`, a.orgId, by.actor, { alarmId: a.alarmId, by: by.actor })]);
    return a;
  }

  async close(alarmId: string, resolution: Resolution, note: string | null, by: Principal): Promise<Alarm> {
    const a = this.alarmFor(alarmId, by, 'act');
    if (a.status === 'closed') throw conflict('the alarm is closed already').because('alarm.closed');
    if (a.status !== 'acknowledged') throw conflict('acknowledge the alarm before closing it').because('alarm.acknowledge-first');
    if (resolution === 'genuine' && !note?.trim()) throw badRequest('say what happened when closing a genuine alarm').because('alarm.genuine-needs-note');
    const missing = this.missingMandatorySteps(a);
    if (missing.length > 0)
      throw conflict(`the action plan's mandatory steps are not done: ${missing.map((m) => m.text).join('; ')}`, {
        missing: missing.map((m) => m.stepId),
      }).because('alarm.steps-not-done', { steps: missing.map((m) => m.text).join('; ') });
    await this.ctx.record([
      alarmEvent(
        'alarms.alarm.closed',
        `alarm:${a.alarmId}`,
        a.orgId,
        by.actor,
        { alarmId: a.alarmId, by: by.actor, resolution, note: note?.trim() || null },
        note ?? undefined,
      ),
    ]);
    return a;
  }

  async doStep(alarmId: string, stepId: string, outcome: string, by: Principal): Promise<void> {
    const a = this.alarmFor(alarmId, by, 'act');
    if (a.status === 'closed') throw conflict('the alarm is closed').because('alarm.closed');
    const plan = this.state.planFor(a);
    if (!plan?.steps.some((st) => st.stepId === stepId)) throw notFound('step', stepId);
    await this.ctx.record([
      alarmEvent('alarms.step.done', `alarm:${a.alarmId}`, a.orgId, by.actor, { alarmId: a.alarmId, stepId, outcome: outcome.trim() || 'done' }, outcome),
    ]);
  }

  missingMandatorySteps(a: Alarm): ActionPlan['steps'] {
    const plan = this.state.planFor(a);
    if (!plan) return [];
    const done = new Set((this.state.steps.get(a.alarmId) ?? []).map((st) => st.stepId));
    return plan.steps.filter((st) => st.mandatory && !done.has(st.stepId));
  }

  /** Held signals whose restore did not come in time become alarms. */
  async holdTick(): Promise<number> {
    const now = this.ctx.clock.now();
    const events: NewEvent[] = [];
    for (const [signalId, h] of this.state.held) {
      if (h.until > now) continue;
      const signal = this.state.signals.get(signalId);
      if (!signal) continue;
      const device = signal.account ? this.city.devicesByAccount.get(signal.account) : undefined;
      const site = signal.siteId ? this.city.sites.get(signal.siteId) : undefined;
      events.push(notRestoredAlarm(signal, h.correlationKey, device?.orgId ?? null, site, now, newId('alm')));
    }
    if (events.length > 0) await this.signals.recordAndNotify(events);
    return events.length;
  }

  /** New alarms unclaimed past the limit are escalated once (shown to supervisors, counted). */
  async escalateTick(): Promise<number> {
    const now = this.ctx.clock.now();
    const due = this.state
      .queue()
      .filter((a) => a.status === 'new' && !this.state.escalated.has(a.alarmId) && now - Date.parse(a.raisedAt) >= ESCALATE_AFTER_MS);
    if (due.length === 0) return 0;
    await this.ctx.record(
      due.map((a) =>
        alarmEvent('alarms.alarm.escalated', `alarm:${a.alarmId}`, a.orgId, 'system:escalation', {
          alarmId: a.alarmId,
          unclaimedSeconds: Math.round((now - Date.parse(a.raisedAt)) / 1000),
        }),
      ),
    );
    return due.length;
  }
}
