import type { Principal } from '../../platform/access.js';
import { can } from '../../platform/policy.js';
import type { Channel } from '../model.js';
import type { SubscribersState } from '../subscribers/subscribers-state.js';
import type { Answer } from './acknowledgements.js';
import type { DeliveryState } from './delivery-state.js';
import type { RecipientState } from './recipient-track.js';

export interface RecipientRow {
  position: number;
  recipientId: string;
  state: RecipientState;
  reason: string | null;
  answer: Answer | null;
  answeredAt: string | null;
  neighbourhood: string | null;
  /** Name and address on this channel: only for principals of the organisation holding the subscriber's data. */
  name: string | null;
  address: string | null;
}

const ADDRESS: Partial<Record<Channel, 'email' | 'phone'>> = { email: 'email', sms: 'phone' };

/** One page of an alert's recipients on a channel, filtered by state and answer, in the order they were sent. */
export function recipientsPage(
  alertId: string,
  channel: Channel,
  filter: { state?: RecipientState | undefined; answer?: Answer | 'none' | undefined },
  offset: number,
  limit: number,
  delivery: DeliveryState,
  subscribers: SubscribersState,
  by: Principal,
) {
  const track = delivery.track(alertId, channel);
  const answers = delivery.answers.get(alertId);
  if (!track) return { channel, total: 0, offset, limit, counts: null, recipients: [] as RecipientRow[] };
  const { state, answer } = filter;
  const match = (p: number): boolean => {
    if (state && !track.isState(p, state)) return false;
    if (answer) {
      const a = answers?.get(track.ids[p]!)?.answer;
      if (answer === 'none' ? a !== undefined : a !== answer) return false;
    }
    return true;
  };
  const { total, positions } = track.select(match, offset, limit);
  const field = ADDRESS[channel];
  const recipients = positions.map((position): RecipientRow => {
    const recipientId = track.ids[position]!;
    const s = subscribers.subscribers.get(recipientId);
    // Personal data stay with the organisation that holds them (the city's), as in the live feed.
    const mayKnow = s !== undefined && can(by, 'personal', { orgId: subscribers.ownerOf.get(recipientId) ?? null, personal: 'subscribers' });
    const a = answers?.get(recipientId);
    return {
      position,
      recipientId,
      state: track.stateAt(position),
      reason: track.reasonAt(position),
      answer: a?.answer ?? null,
      answeredAt: a?.at ?? null,
      neighbourhood: track.areaAt(position)?.name ?? null,
      name: mayKnow ? s.name : null,
      address: mayKnow && field ? s[field] : null,
    };
  });
  return { channel, total, offset, limit, counts: track.counts, recipients };
}
