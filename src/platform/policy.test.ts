import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VigilError } from '../kernel/errors.js';
import { PUBLIC_PRINCIPAL, type Principal } from './access.js';
import { assertCan, decide, filterVisible, type PolicyAction, type PolicyResource } from './policy.js';

/** A member of `orgId` whose organisation was shared `read` by org_read and `act` by org_act. */
const member = (orgId: string, platformOrg = false): Principal => ({
  kind: 'user',
  actor: `user:${orgId}`,
  userId: `usr_${orgId}`,
  orgId,
  roles: ['operator'],
  authLevel: 1,
  displayName: orgId,
  visibleOrgIds: new Set([orgId, 'org_read', 'org_act']),
  actableOrgIds: new Set([orgId, 'org_act']),
  platformOrg,
});

const ACTIONS: PolicyAction[] = ['read', 'act', 'manage', 'personal'];
const allowed = (p: Principal, r: PolicyResource): string => ACTIONS.filter((a) => decide(p, a, r).allow).join(',');

test('policy: relations × actions (own, shared-act, shared-read, unrelated)', () => {
  const p = member('org_me');
  assert.equal(allowed(p, { orgId: 'org_me' }), 'read,act,manage,personal');
  assert.equal(allowed(p, { orgId: 'org_act' }), 'read,act');
  assert.equal(allowed(p, { orgId: 'org_read' }), 'read');
  assert.equal(allowed(p, { orgId: 'org_other' }), '');
  assert.equal(decide(p, 'read', { orgId: 'org_act' }).relation, 'shared-act');
  // Partners acting on a case read the personal data they need to call people, nothing else.
  assert.equal(decide(p, 'personal', { orgId: 'org_act', personal: 'keyholders' }).allow, true);
  assert.equal(decide(p, 'personal', { orgId: 'org_act', personal: 'caller' }).allow, true);
  for (const personal of ['places', 'attachments', 'subscribers', 'reporter', 'participants'] as const)
    assert.equal(decide(p, 'personal', { orgId: 'org_act', personal }).allow, false);
  // Consultation participants and complainants (engagement): their own organisation only.
  assert.equal(decide(p, 'personal', { orgId: 'org_me', personal: 'participants' }).allow, true);
  assert.equal(decide(PUBLIC_PRINCIPAL, 'personal', { orgId: 'org_me', personal: 'participants' }).allow, false);
  assert.equal(decide(p, 'personal', { orgId: 'org_read', personal: 'keyholders' }).allow, false);
  // Taking part in a resource (an incident's assigned units) acts on it, never configures it.
  assert.equal(allowed(p, { orgId: 'org_other', participantOrgIds: ['org_me'] }), 'read,act');
});

test('policy: city-wide data is read by everyone signed in and changed by the platform organisation only', () => {
  assert.equal(allowed(member('org_me'), { orgId: null }), 'read');
  assert.equal(allowed(member('org_city', true), { orgId: null }), 'read,act,manage,personal');
  assert.equal(allowed(PUBLIC_PRINCIPAL, { orgId: null }), '');
  assert.equal(allowed(PUBLIC_PRINCIPAL, { orgId: 'org_me' }), '');
});

test('policy: security-confidential data stays with its owner and the city CSIRT, whatever is shared', () => {
  const csirt: Principal = { ...member('org_city', true), roles: ['csirt'] };
  const finding = (orgId: string | null): PolicyResource => ({ orgId, confidential: 'security' });
  assert.equal(allowed(member('org_me'), finding('org_me')), 'read,act,manage,personal');
  assert.equal(allowed(member('org_me'), finding('org_act')), '');
  assert.equal(allowed(member('org_me'), finding('org_read')), '');
  assert.equal(allowed(member('org_me'), { ...finding('org_other'), participantOrgIds: ['org_me'] }), '');
  assert.equal(allowed(member('org_me'), finding(null)), '');
  assert.equal(allowed(csirt, finding('org_me')), 'read,act');
  assert.equal(allowed(csirt, finding('org_city')), 'read,act,manage,personal');
  assert.equal(allowed(csirt, finding(null)), 'read,act,manage,personal');
  assert.equal(allowed(PUBLIC_PRINCIPAL, finding(null)), '');
  assert.equal(decide(member('org_me'), 'read', finding('org_act')).reason, 'security data stays with its owner organisation and the city CSIRT');
});

test('policy: assertCan hides what cannot be read (404) and refuses what can be read but not done (403); lists are filtered', () => {
  const p = member('org_me');
  const code = (fn: () => void): string | null => {
    try {
      fn();
      return null;
    } catch (e) {
      return e instanceof VigilError ? e.code : 'other';
    }
  };
  assert.equal(
    code(() => assertCan(p, 'act', { orgId: 'org_other' }, 'alarm', 'a1')),
    'not_found',
  );
  assert.equal(
    code(() => assertCan(p, 'act', { orgId: 'org_read' }, 'alarm', 'a1')),
    'forbidden',
  );
  assert.equal(
    code(() => assertCan(p, 'manage', { orgId: 'org_act' }, 'account', 'C0FFEE')),
    'forbidden',
  );
  assert.equal(
    code(() => assertCan(p, 'act', { orgId: 'org_act' }, 'alarm', 'a1')),
    null,
  );
  const items = [{ orgId: 'org_me' }, { orgId: 'org_read' }, { orgId: 'org_act' }, { orgId: 'org_other' }, { orgId: null }];
  assert.deepEqual(
    filterVisible(p, items, (i) => i.orgId).map((i) => i.orgId),
    ['org_me', 'org_read', 'org_act', null],
  );
  assert.deepEqual(
    filterVisible(p, items, (i) => i.orgId, 'act').map((i) => i.orgId),
    ['org_me', 'org_act'],
  );
});
