import assert from 'node:assert/strict';
import type { ApiCall } from './api-client.js';

/** Drafts a consultation open to the public for the next hour, publishes it and gives its id. */
export async function publishedConsultation(analyst: ApiCall, text: { title: string; question: string; information: string }): Promise<string> {
  const now = Date.now();
  const draft = await analyst('POST', '/api/engagement/consultations', {
    ...text,
    invitedIds: [],
    openToPublic: true,
    opensAt: new Date(now - 60_000).toISOString(),
    closesAt: new Date(now + 3_600_000).toISOString(),
  });
  assert.equal(draft.status, 201, draft.body);
  const id = draft.json.consultation.consultationId as string;
  assert.equal((await analyst('POST', `/api/engagement/consultations/${id}/publish`)).status, 200);
  return id;
}
