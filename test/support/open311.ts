import assert from 'node:assert/strict';
import type { RunningVigil } from '../../src/app.js';
import { CITIZEN_APP_API_KEY } from '../../src/citizen-reports/contract.js';

/** What Open311 answers for one accepted report. */
export interface CreatedReport {
  service_request_id: string;
  token: string;
  follow_url: string;
}

/**
 * A resident's report through Open311 as the citizen app sends it (form-encoded, with the app's key):
 * `fields` are Open311's (service_code, lat, long, description, email, attribute[…] …); from a documentation
 * address (random unless given: the per-source limit). Asserts it was accepted (201).
 */
export async function submitOpen311(vigil: RunningVigil, fields: Record<string, string>, remoteAddress?: string): Promise<CreatedReport> {
  const r = await vigil.server.app.inject({
    method: 'POST',
    url: '/open311/v2/requests.json',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ api_key: CITIZEN_APP_API_KEY, ...fields }).toString(),
    remoteAddress: remoteAddress ?? `198.51.100.${Math.floor(Math.random() * 200) + 20}`,
  });
  assert.equal(r.statusCode, 201, r.body);
  return (r.json() as CreatedReport[])[0]!;
}
