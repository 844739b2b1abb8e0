import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '../../src/platform/event-log.js';
import { loadCodeTexts } from '../../web/src/alarm-titles.js';
import { feedLines, fill } from '../../web/src/feed-sentences.js';
import { incidentTitle, type TitledIncident } from '../../web/src/incident-titles.js';
import en from '../../web/src/locales/en.json' with { type: 'json' };
import fr from '../../web/src/locales/fr.json' with { type: 'json' };

const inFrench = (k: string): string => (fr as Record<string, string>)[k] ?? k;
const inEnglish = (k: string): string => (en as Record<string, string>)[k] ?? k;

/** An incident escalated from a panel's fire alarm, as the server stores it: the English title and what it is made of. */
const fromAlarm: TitledIncident = {
  title: 'Fire alarm — zone 002 — Hôtel de Paris',
  titleParts: { from: 'alarm', alarm: { protocol: 'sia-dcs', code: 'FA', zone: '002', where: 'Hôtel de Paris', account: null } },
};
/** A call the call-taker did not title: the type and the place. */
const fromType: TitledIncident = { title: 'Medical emergency — Hôtel de Paris', titleParts: { from: 'type', type: 'medical', where: 'Hôtel de Paris' } };

test('incident titles: an escalated alarm and an untitled call read in French, as stored in English; others as written', async () => {
  const codes = await loadCodeTexts('fr');
  assert.equal(incidentTitle(fromAlarm, inFrench, codes), 'Alarme incendie — zone 002 — Hôtel de Paris');
  assert.equal(incidentTitle(fromType, inFrench, codes), 'Urgence médicale — Hôtel de Paris');
  // An alarm titled by its account (no site).
  const byAccount: TitledIncident = {
    title: 'Fire — account 1001',
    titleParts: { from: 'alarm', alarm: { protocol: 'contact-id', code: '110', zone: null, where: null, account: '1001' } },
  };
  assert.equal(incidentTitle(byAccount, inFrench, codes), 'Alarme incendie — compte 1001');
  // English: exactly the stored titles.
  assert.equal(incidentTitle(fromAlarm, inEnglish, null), fromAlarm.title);
  assert.equal(incidentTitle(fromType, inEnglish, null), fromType.title);
  // The French code texts not loaded yet, an older record without parts, a title a person wrote: the stored title.
  assert.equal(incidentTitle(fromAlarm, inFrench, null), fromAlarm.title);
  assert.equal(incidentTitle({ title: 'Fire alarm — zone 1 — Old record' }, inFrench, codes), 'Fire alarm — zone 1 — Old record');
  assert.equal(incidentTitle({ title: 'Malaise dans le hall', titleParts: null }, inFrench, codes), 'Malaise dans le hall');
});

test('live feed: an incident escalated from an alarm is named in French for a French reader', async () => {
  const codes = await loadCodeTexts('fr');
  const event: StoredEvent = {
    seq: 1,
    id: 'evt_1',
    type: 'incidents.incident.opened',
    subject: 'incident:inc_1',
    orgId: 'org_A',
    actor: 'user:op',
    reason: null,
    at: '2026-01-01T10:00:00.000Z',
    data: { incident: { incidentId: 'inc_1', reference: 'INC-0001', ...fromAlarm } },
    prevHash: '',
    hash: '',
  };
  const line = (t: (k: string) => string, texts: typeof codes) =>
    feedLines([event], new Map(), (ref) => ref, { thing: '(earlier)', quote: '«\u00a0{what}\u00a0»', incident: (i) => incidentTitle(i, t, texts) }, texts).map(
      (l) => fill(l.template, l.vars),
    );
  assert.match(line(inFrench, codes)[0]!, /«\u00a0INC-0001 — Alarme incendie — zone 002 — Hôtel de Paris\u00a0»/);
  assert.match(line(inEnglish, null)[0]!, /«\u00a0INC-0001 — Fire alarm — zone 002 — Hôtel de Paris\u00a0»/);
});
