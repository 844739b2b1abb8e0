import assert from 'node:assert/strict';
import { test } from 'node:test';
import { citizenReportsLiveView } from '../../src/citizen-reports/live-view.js';
import { engagementLiveView } from '../../src/engagement/live-view.js';
import { fakePrincipal } from '../support/test-context.js';
import type { StoredEvent } from '../../src/platform/event-log.js';

// A peer's refusal quotes the person's address or push endpoint; the lists hide them (noticeErrorForStaff), the live feed must too.
const refusal = '550 5.1.1 <lea.martin@example.mc>: Recipient address rejected; push https://push.example.net/wpush/v2/gAAAAABk';
const event = (type: string, data: Record<string, unknown>): StoredEvent => ({
  seq: 1,
  id: 'evt_1',
  type,
  subject: 'x:1',
  orgId: 'org_A',
  actor: 'system:notices',
  reason: null,
  at: new Date(0).toISOString(),
  data: { noticeId: 'n1', channel: 'email', error: refusal, final: true, ...data },
  prevHash: '',
  hash: '',
});

test('a failed notice reaches the live feed without the address or push endpoint the peer quoted', () => {
  const cases = [
    { view: engagementLiveView(), e: event('engagement.notice.failed', { contributionId: 'ctb_1' }), reader: fakePrincipal(['analyst']) },
    {
      view: citizenReportsLiveView({ reports: new Map() }),
      e: event('citizen-reports.notice.failed', { reportId: 'rpt_1' }),
      reader: fakePrincipal(['operator']),
    },
  ];
  for (const { view, e, reader } of cases) {
    const seen = view.view(reader, e);
    assert.ok(seen, `${e.type} reaches staff of the owner organisation`);
    const error = (seen.data as { error: string }).error;
    assert.doesNotMatch(error, /lea\.martin|example\.mc|push\.example\.net|gAAAAABk/, e.type);
    assert.match(error, /\[address\].*\[endpoint\]/, e.type);
    assert.equal((e.data as { error: string }).error, refusal, 'the stored event is left as recorded');
    assert.equal(view.view(fakePrincipal(['analyst', 'operator'], 'org_B'), e), null, 'another organisation without a share sees nothing');
  }
});
