import type { CapArea } from '../cap/cap-model.js';
import type { Channel } from '../model.js';
import type { Subscriber } from '../subscribers/subscribers-state.js';
import { areaBounds, inArea, targetAreaOf, type LonLat } from './area-geometry.js';
import { coverageIntersects } from './coverage.js';

/** What the estimate reads of the city: buildings with their estimated residents, and the alerting devices. */
export interface ReachSources {
  residents: () => Iterable<{ position: LonLat; residents: number | null }>;
  devices: () => Iterable<{ kind: string; position: LonLat; cell?: { coverage: LonLat[] } }>;
  subscribersWithin: (area: ReturnType<typeof targetAreaOf>) => Subscriber[];
  /** Why a channel cannot deliver in this installation, or null when it can. */
  unavailable: (channel: Channel) => string | null;
}

export interface ChannelReach {
  channel: Channel;
  /** Whether the alert selected this channel. */
  selected: boolean;
  /** What the channel reaches: subscribers (e-mail, SMS, push), devices (sirens, loudspeakers), cells, or the public feed. */
  unit: 'subscribers' | 'devices' | 'cells' | 'feed' | 'endpoints';
  /** How many, or null when it cannot be counted ahead (the feed, webhooks). */
  count: number | null;
  /** Subscribers per language (the message each will receive). */
  byLanguage?: Record<string, number>;
  unavailable: string | null;
}

export interface AlertReach {
  /** Residents of the buildings inside the area (the city model's population estimate); null when none was made. */
  residents: number | null;
  /** Buildings with residents inside the area. */
  buildings: number;
  /** Subscribers with any place inside the area, on any channel. */
  subscribers: number;
  channels: ChannelReach[];
  /** Whether the area is empty (no polygon, no circle): nothing can be targeted. */
  emptyArea: boolean;
}

const PER_SUBSCRIBER: Partial<Record<Channel, (s: Subscriber) => unknown>> = {
  email: (s) => s.email,
  sms: (s) => s.phone,
  push: (s) => s.push,
};

/**
 * Before approving: who the alert would reach, per channel, computed the way delivery will
 * (the same area, the same subscriber index, the same device and coverage tests), from the
 * city model's population for people. An estimate at the time asked: subscribers and devices
 * change, and the people present are not the residents (visitors, commuters).
 */
export function estimateReach(areas: readonly CapArea[], selected: readonly Channel[], all: readonly Channel[], sources: ReachSources): AlertReach {
  const area = targetAreaOf(areas);
  const emptyArea = area.rings.length + area.circles.length === 0;
  let residents: number | null = null;
  let buildings = 0;
  if (!emptyArea) {
    for (const site of sources.residents()) {
      if (site.residents === null || site.residents === undefined) continue;
      residents ??= 0;
      if (site.residents > 0 && inArea(site.position, area)) {
        residents += site.residents;
        buildings++;
      }
    }
  }
  const subscribers = emptyArea ? [] : sources.subscribersWithin(area);
  const devices = emptyArea ? [] : [...sources.devices()];
  const bounds = emptyArea ? null : areaBounds(area);
  const channels: ChannelReach[] = all.map((channel) => {
    const base = { channel, selected: selected.includes(channel), unavailable: sources.unavailable(channel) };
    const address = PER_SUBSCRIBER[channel];
    if (address) {
      const byLanguage: Record<string, number> = {};
      let count = 0;
      for (const s of subscribers) {
        if (!address(s)) continue;
        count++;
        byLanguage[s.language] = (byLanguage[s.language] ?? 0) + 1;
      }
      return { ...base, unit: 'subscribers', count, byLanguage };
    }
    if (channel === 'sirens') {
      const count = devices.filter((d) => (d.kind === 'siren' || d.kind === 'loudspeaker') && inArea(d.position, area)).length;
      return { ...base, unit: 'devices', count };
    }
    if (channel === 'cell-broadcast') {
      const count = bounds ? devices.filter((d) => d.kind === 'cell-site' && d.cell && coverageIntersects(d.cell.coverage, area, bounds)).length : 0;
      return { ...base, unit: 'cells', count };
    }
    return { ...base, unit: channel === 'webhook' ? 'endpoints' : 'feed', count: null };
  });
  return { residents, buildings, subscribers: subscribers.length, channels, emptyArea };
}
