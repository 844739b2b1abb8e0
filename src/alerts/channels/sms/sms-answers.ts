import type { AppContext } from '../../../platform/app-context.js';
import type { AlertsService } from '../../alerts-service.js';
import type { SubscribersState } from '../../subscribers/subscribers-state.js';
import type { DeliveryState } from '../../delivery/delivery-state.js';
import { keywordAnswer, phoneKey } from './sms-keywords.js';

export type SmsReplyOutcome = 'safe' | 'need-help' | 'unknown-number' | 'unknown-text' | 'no-alert';

/**
 * Replies to warning SMS: SAFE / OK / SAUF or HELP / AIDE / SOS from a subscriber's
 * phone answers the most recent alert sent to that phone by SMS, recorded exactly
 * as an answer from the personal link. Anything else is counted and logged (without
 * the number or the text: personal data) and changes nothing.
 */
export class SmsAnswers {
  readonly stats: Record<SmsReplyOutcome, number> = { safe: 0, 'need-help': 0, 'unknown-number': 0, 'unknown-text': 0, 'no-alert': 0 };

  constructor(
    private readonly ctx: AppContext,
    private readonly subscribers: SubscribersState,
    private readonly delivery: DeliveryState,
    private readonly service: AlertsService,
  ) {}

  /** Resolves once an answer is durable; rejects when it could not be recorded (the SMSC then sends it again). */
  async handle(message: { from: string; text: string }): Promise<SmsReplyOutcome> {
    const outcome = await this.outcomeOf(message);
    this.stats[outcome]++;
    if (outcome !== 'safe' && outcome !== 'need-help') this.ctx.logger.info({ outcome }, 'SMS reply ignored');
    return outcome;
  }

  private async outcomeOf({ from, text }: { from: string; text: string }): Promise<SmsReplyOutcome> {
    const recipientId = this.subscribers.byPhone.get(phoneKey(from));
    if (!recipientId) return 'unknown-number';
    const answer = keywordAnswer(text);
    if (!answer) return 'unknown-text';
    const alertId = this.delivery.latestAlertSentTo(recipientId, 'sms');
    const alert = alertId ? this.service.state.alerts.get(alertId) : undefined;
    if (!alert) return 'no-alert';
    await this.service.recordAnswer(alert, recipientId, answer, 'sms');
    return answer;
  }
}
