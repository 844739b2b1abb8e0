import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppContext } from '../../platform/app-context.js';
import type { AlertsService } from '../alerts-service.js';
import { ExchangeState } from './exchange-state.js';
import { backoffMs, FeedPoller, MAX_BACKOFF_MS } from './feed-poller.js';

test('backoff: the interval doubles per failure, at most an hour, never shorter than the peer’s Retry-After', () => {
  assert.deepEqual(
    [1, 2, 3].map((n) => backoffMs(60_000, n)),
    [120_000, 240_000, 480_000],
  );
  assert.equal(backoffMs(60_000, 30), MAX_BACKOFF_MS);
  assert.equal(backoffMs(10_000, 1, 300_000), 300_000);
  assert.equal(backoffMs(10_000, 1, 10 * MAX_BACKOFF_MS), MAX_BACKOFF_MS);
});

test('in a cluster only the leader polls: a follower’s tick fetches nothing and "poll now" says where polling happens', async () => {
  const state = new ExchangeState();
  state.apply({
    seq: 1,
    id: 'e1',
    type: 'alerts.feed.subscribed',
    subject: 'feed:f1',
    orgId: 'org',
    actor: 'u',
    reason: null,
    at: new Date().toISOString(),
    data: {
      feed: { feedId: 'f1', orgId: 'org', name: 'x', url: 'http://127.0.0.1:9/none', intervalSeconds: 60, relayChannels: [], addedBy: 'u', addedAt: '' },
    },
    prevHash: '',
    hash: '',
  });
  let leader = false;
  let recorded = 0;
  const ctx = {
    leadership: { isLeader: () => leader },
    clock: { now: () => Date.now() },
    config: { webhookAllowPrivate: true },
    record: async () => void recorded++,
    logger: { error: () => {} },
  } as unknown as AppContext;
  const poller = new FeedPoller(ctx, state, {} as AlertsService, { tickMs: 1_000_000 });
  await poller.tick();
  assert.equal(recorded, 0, 'a follower records nothing: it did not poll');
  await assert.rejects(poller.pollNow(state.feeds.get('f1')!), /polled by the cluster’s leader/);
  // Becoming the leader: the next tick polls (port 9 refuses: a failure recorded, backed off).
  leader = true;
  await poller.tick();
  assert.equal(recorded, 1);
  await poller.tick();
  assert.equal(recorded, 1, 'backed off: not polled again at once');
  poller.stop();
});
