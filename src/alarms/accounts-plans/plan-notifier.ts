import type { CityReadPort } from '../../city/contract.js';
import type { AppContext } from '../../platform/app-context.js';
import type { AlarmsState } from '../alarms-state.js';
import { alarmEvent } from '../events.js';
import type { Alarm, ActionPlan, PlanStep } from '../model.js';

const ACTOR = 'system:notifier';

export interface NotifierOptions {
  /** Waits before the 2nd, 3rd… attempt; one attempt more than there are waits. */
  backoffMs?: number[];
  timeoutMs?: number;
}

/** What an automatic notification carries: enough for a police or fire control room to act on. */
export function notificationPayload(alarm: Alarm, plan: ActionPlan, step: PlanStep, city: CityReadPort): Record<string, unknown> {
  const site = alarm.siteId ? city.sites.get(alarm.siteId) : undefined;
  return {
    source: 'vigil',
    event: 'alarm.raised',
    alarm: { id: alarm.alarmId, kind: alarm.kind, priority: alarm.priority, title: alarm.title, raisedAt: alarm.raisedAt, account: alarm.account, confirmation: alarm.confirmation },
    site: site ? { id: site.id, name: site.name, address: site.address, position: site.position } : null,
    plan: { id: plan.planId, name: plan.name, step: step.stepId, text: step.text },
  };
}

/**
 * Automatic notifications of action plans: when an alarm is raised, every step of
 * its plan that has a notifyUrl is POSTed there (JSON, retried with backoff). A
 * delivery is recorded as the step done by 'system:notifier', so the operator sees
 * it ticked; if every attempt fails that is recorded too and the step stays open
 * for the operator to do by hand. Runs on the node that raised the alarm.
 */
export class PlanNotifier {
  private readonly inFlight = new Set<AbortController>();
  private readonly backoffMs: number[];
  private readonly timeoutMs: number;
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly state: AlarmsState,
    private readonly city: CityReadPort,
    options: NotifierOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? [1_000, 4_000, 16_000];
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** Starts the notifications of newly raised alarms (not awaited: a slow receiver never holds up an ACK). */
  alarmsRaised(alarms: Alarm[]): void {
    for (const alarm of alarms) {
      const plan = this.state.planFor(alarm);
      for (const step of plan?.steps ?? []) {
        if (step.notifyUrl) {
          this.deliver(alarm, plan!, step, step.notifyUrl).catch((error: unknown) => this.ctx.logger.error({ err: error, alarmId: alarm.alarmId }, 'automatic notification could not be recorded'));
        }
      }
    }
  }

  /** Resolves when the step is recorded as done or as failed. */
  async deliver(alarm: Alarm, plan: ActionPlan, step: PlanStep, url: string): Promise<'sent' | 'failed' | 'stopped'> {
    const body = JSON.stringify(notificationPayload(alarm, plan, step, this.city));
    let lastError = '';
    for (let attempt = 1; attempt <= this.backoffMs.length + 1; attempt++) {
      if (this.stopped) return 'stopped';
      const abort = new AbortController();
      this.inFlight.add(abort);
      const timer = setTimeout(() => abort.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'Vigil', 'x-vigil-event': 'alarm.raised', 'x-vigil-delivery': `${alarm.alarmId}:${step.stepId}` },
          body,
          signal: abort.signal,
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          await this.ctx.record([alarmEvent('alarms.step.done', `alarm:${alarm.alarmId}`, alarm.orgId, ACTOR, { alarmId: alarm.alarmId, stepId: step.stepId, outcome: `notified automatically: HTTP ${response.status} from ${new URL(url).host}${attempt > 1 ? ` (attempt ${attempt})` : ''}` })]);
          return 'sent';
        }
        lastError = `HTTP ${response.status} ${response.statusText}`.trim();
      } catch (error) {
        lastError = this.stopped ? 'stopped' : ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
      } finally {
        clearTimeout(timer);
        this.inFlight.delete(abort);
      }
      const wait = this.backoffMs[attempt - 1];
      if (wait !== undefined && !this.stopped) await new Promise((r) => setTimeout(r, wait).unref());
    }
    if (this.stopped) return 'stopped';
    this.ctx.logger.warn({ alarmId: alarm.alarmId, stepId: step.stepId, url, error: lastError }, 'automatic notification failed');
    await this.ctx.record([alarmEvent('alarms.notification.failed', `alarm:${alarm.alarmId}`, alarm.orgId, ACTOR, { alarmId: alarm.alarmId, stepId: step.stepId, url, attempts: this.backoffMs.length + 1, error: lastError })]);
    return 'failed';
  }

  stop(): void {
    this.stopped = true;
    for (const abort of this.inFlight) abort.abort(new Error('Vigil is stopping'));
  }
}
