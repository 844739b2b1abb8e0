import { DEFAULT_BACKOFF_MS, post } from '../../adapters/http/outbound-http.js';
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
    alarm: {
      id: alarm.alarmId,
      kind: alarm.kind,
      priority: alarm.priority,
      title: alarm.title,
      raisedAt: alarm.raisedAt,
      account: alarm.account,
      confirmation: alarm.confirmation,
    },
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
  private readonly stopping = new AbortController();
  private readonly backoffMs: readonly number[];
  private readonly timeoutMs: number;

  constructor(
    private readonly ctx: AppContext,
    private readonly state: AlarmsState,
    private readonly city: CityReadPort,
    options: NotifierOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** Starts the notifications of newly raised alarms (not awaited: a slow receiver never holds up an ACK). */
  alarmsRaised(alarms: Alarm[]): void {
    for (const alarm of alarms) {
      const plan = this.state.planFor(alarm);
      for (const step of plan?.steps ?? []) {
        if (step.notifyUrl) {
          this.deliver(alarm, plan!, step, step.notifyUrl).catch((error: unknown) =>
            this.ctx.logger.error({ err: error, alarmId: alarm.alarmId }, 'automatic notification could not be recorded'),
          );
        }
      }
    }
  }

  /** Resolves when the step is recorded as done or as failed. */
  async deliver(alarm: Alarm, plan: ActionPlan, step: PlanStep, url: string): Promise<'sent' | 'failed' | 'stopped'> {
    if (this.stopping.signal.aborted) return 'stopped';
    const body = JSON.stringify(notificationPayload(alarm, plan, step, this.city));
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Vigil',
      'x-vigil-event': 'alarm.raised',
      'x-vigil-delivery': `${alarm.alarmId}:${step.stepId}`,
    };
    // Public addresses only, checked on the addresses connected to, unless the installation keeps its control
    // rooms' receivers on its own network (VIGIL_WEBHOOK_ALLOW_PRIVATE). Redirects are never followed.
    // Every failed answer is retried, 4xx included, as an operator would try again.
    const result = await post(url, body, {
      headers,
      backoffMs: this.backoffMs,
      timeoutMs: this.timeoutMs,
      signal: this.stopping.signal,
      retryStatus: () => true,
      publicOnly: !this.ctx.config.webhookAllowPrivate,
    });
    if (this.stopping.signal.aborted) return 'stopped';
    if (result.ok) {
      const outcome = `notified automatically: HTTP ${result.value.status} from ${new URL(url).host}${result.attempts > 1 ? ` (attempt ${result.attempts})` : ''}`;
      await this.ctx.record([
        alarmEvent('alarms.step.done', `alarm:${alarm.alarmId}`, alarm.orgId, ACTOR, { alarmId: alarm.alarmId, stepId: step.stepId, outcome }),
      ]);
      return 'sent';
    }
    const error = result.status ? `HTTP ${result.status} ${result.statusText ?? ''}`.trim() : result.error;
    this.ctx.logger.warn({ alarmId: alarm.alarmId, stepId: step.stepId, url, error }, 'automatic notification failed');
    await this.ctx.record([
      alarmEvent('alarms.notification.failed', `alarm:${alarm.alarmId}`, alarm.orgId, ACTOR, {
        alarmId: alarm.alarmId,
        stepId: step.stepId,
        url,
        attempts: result.attempts,
        error,
      }),
    ]);
    return 'failed';
  }

  stop(): void {
    this.stopping.abort(new Error('Vigil is stopping'));
  }
}
