import { personalSubject, phoneDigits, type DataSubjectHolder, type DataSubjectRecord } from '../../platform/personal-data.js';
import type { AlertsState } from '../alerts-state.js';
import type { DeliveryState } from '../delivery/delivery-state.js';
import type { SubscribersState } from './subscribers-state.js';

/** Subscribers found by e-mail or phone, with their "are you safe?" answers (privacy: export and erasure). */
export function subscriberDataSubjects(subscribers: SubscribersState, delivery: DeliveryState, alerts: AlertsState): DataSubjectHolder {
  return {
    find(query): DataSubjectRecord[] {
      const email = query.email?.trim().toLowerCase() || null;
      const digits = phoneDigits(query.phone);
      if (!email && !digits) return [];
      const out: DataSubjectRecord[] = [];
      for (const s of subscribers.subscribers.values()) {
        if (!((email && s.email?.toLowerCase() === email) || (digits && phoneDigits(s.phone) === digits))) continue;
        const orgId = subscribers.ownerOf.get(s.subscriberId) ?? null;
        const { push, ...rest } = s;
        out.push({
          subject: personalSubject('subscriber', s.subscriberId),
          kind: 'subscriber',
          orgId,
          label: `subscriber ${s.name ?? s.email ?? s.phone ?? ''}`.trim(),
          at: s.consentAt,
          data: { ...rest, push: push ? { endpoint: push.endpoint } : null },
        });
        for (const [alertId, answers] of delivery.answers) {
          const a = answers.get(s.subscriberId);
          if (!a) continue;
          const alert = alerts.alerts.get(alertId);
          out.push({
            subject: personalSubject('answer', `${alertId}:${s.subscriberId}`),
            kind: 'answer',
            orgId: alert?.orgId ?? orgId,
            label: `answer to "${alert?.cap.info?.[0]?.headline ?? 'an alert'}"`,
            at: a.at,
            data: { alert: alert?.cap.info?.[0]?.headline ?? null, answer: a.answer, at: a.at },
          });
        }
      }
      return out;
    },
  };
}
