import type { ChannelJob, SelfDeliveringChannel } from '../channel.js';

/**
 * The CAP feed: an issued public alert is in the Atom feed (atom-feed.ts) and its CAP
 * document at its link as soon as it is issued; readers fetch them. Delivering is
 * recording that it is published.
 */
export class CapFeedChannel implements SelfDeliveringChannel {
  readonly channel = 'cap-feed' as const;
  readonly reach = 'feed' as const;
  readonly unavailable = null;

  async deliver({ alert, record }: ChannelJob): Promise<void> {
    await record({ alertId: alert.alertId, channel: 'cap-feed', status: 'done', queued: 0, sent: [], failed: [], note: 'published in the Atom feed' });
  }

  async close(): Promise<void> {}
}
