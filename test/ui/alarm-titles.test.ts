import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '../../src/platform/event-log.js';
import { alarmTitleParts, codeText, localTitle, titlePartsOf, type AlarmEvents, type Signal } from '../../src/alarms/contract.js';
import { CID_TABLE, SIA_TABLE, cidMeaning, siaMeaning } from '../../src/alarms/codes.js';
import { decideSignals, type RulesInput } from '../../src/alarms/rules.js';
import { loadCodeTexts } from '../../web/src/alarm-titles.js';
import { feedLines, fill } from '../../web/src/feed-sentences.js';

/** French texts equal to the English by nature (the same word in both languages). */
const SAME_IN_FRENCH = { 'sia-dcs': ['MI'], 'contact-id': ['112'] } as const; // « Message », « Combustion »

test('every SIA DC-03 and Contact ID code has a French text, none left in English', async () => {
  const fr = await loadCodeTexts('fr');
  assert.ok(fr);
  assert.equal(await loadCodeTexts('en'), null, 'English: the texts the signals carry');
  const tables = [
    ['sia-dcs', Object.entries(SIA_TABLE!.codes).map(([code, row]) => [code, row[0]] as const)],
    ['contact-id', Object.entries(CID_TABLE!.codes).map(([code, row]) => [code, row.description] as const)],
  ] as const;
  for (const [protocol, rows] of tables) {
    assert.deepEqual(Object.keys(fr[protocol]).sort(), rows.map(([code]) => code).sort(), `${protocol}: the same codes as the English table`);
    for (const [code, english] of rows) {
      const french: string | undefined = fr[protocol][code];
      assert.ok(french && french.trim() === french, `${protocol} ${code}: a French text`);
      if ((SAME_IN_FRENCH[protocol] as readonly string[]).includes(code)) assert.equal(french, english, `${protocol} ${code} listed as the same`);
      else assert.notEqual(french, english, `${protocol} ${code} "${english}" still in English`);
    }
  }
  // The words a French monitoring centre uses.
  assert.equal(fr['sia-dcs'].FA, 'Alarme incendie');
  assert.equal(fr['sia-dcs'].BA, 'Intrusion');
  assert.equal(fr['sia-dcs'].AT, 'Défaut secteur');
  assert.equal(fr['sia-dcs'].CL, 'Mise en service');
  assert.equal(fr['sia-dcs'].OP, 'Mise hors service');
  assert.equal(fr['sia-dcs'].TA, 'Autosurveillance');
  assert.equal(fr['sia-dcs'].HA, 'Agression');
  assert.equal(fr['contact-id']['130'], 'Intrusion');
  assert.equal(fr['contact-id']['301'], 'Défaut secteur');
});

const at = '2026-01-01T10:00:00.000Z';
function coded(protocol: 'sia-dcs' | 'contact-id', code: string, zone: string | null, over: Partial<Signal> = {}): Signal {
  const m = protocol === 'sia-dcs' ? siaMeaning(code) : cidMeaning(code, 1);
  return {
    signalId: `sig_${protocol}_${code}_${zone}`,
    account: '1001',
    protocol,
    code,
    kind: m.kind,
    phase: m.phase,
    description: m.description,
    zone,
    user: null,
    area: null,
    occurredAt: null,
    receivedAt: at,
    text: null,
    position: null,
    siteId: 'site_school',
    deviceId: null,
    flags: m.known ? [] : ['unknown-code'],
    ...over,
  };
}

/** The title the rules write for a signal raising an alarm (rules.ts, unchanged). */
function storedTitle(signal: Signal): string {
  const input: RulesInput = {
    view: { openByKey: new Map(), alarms: new Map(), held: new Map(), signals: new Map(), intrusionZones: new Map() },
    sites: new Map([['site_school', { name: 'École Jules Ferry', address: '1 rue de la Paix' }]]),
    newAlarmId: () => 'alm_1',
  };
  const [event] = decideSignals([signal], () => 'org_A', input);
  const { decision } = event!.data as AlarmEvents['alarms.signal.received'];
  assert.equal(decision?.rule, 'raised');
  return (decision as { title: string }).title;
}

test('alarm titles: English as stored, French from the code text, zone and site; the stored title when it cannot', async () => {
  const fr = await loadCodeTexts('fr');
  const en = await loadCodeTexts('en');
  const burglary = coded('sia-dcs', 'BA', '3');
  const title = storedTitle(burglary);
  assert.equal(title, 'Burglary alarm — zone 3 — École Jules Ferry');
  const parts = titlePartsOf(burglary, title);
  assert.deepEqual(parts, { protocol: 'sia-dcs', code: 'BA', zone: '3', where: 'École Jules Ferry', account: null });
  assert.equal(localTitle(parts, en), null, 'English: the stored title');
  assert.equal(localTitle(parts, fr), 'Intrusion — zone 3 — École Jules Ferry');

  // Contact ID, no zone; a signal without a site is titled by its account.
  const fire = coded('contact-id', '110', null, { siteId: null });
  const fireTitle = storedTitle(fire);
  assert.equal(fireTitle, 'Fire — account 1001');
  assert.equal(localTitle(titlePartsOf(fire, fireTitle), fr), 'Alarme incendie — compte 1001');

  // Unknown code: the French table has no text, the stored title stays.
  const unknown = coded('sia-dcs', 'BQ', '2');
  const unknownTitle = storedTitle(unknown);
  assert.equal(unknownTitle, 'SIA BQ — zone 2 — École Jules Ferry');
  assert.equal(localTitle(titlePartsOf(unknown, unknownTitle), fr), null);

  // A sensor's own alarm and a title written otherwise ("not restored") have no parts: the stored title stays.
  const sensor = coded('sia-dcs', 'BA', null, { protocol: 'mqtt', description: 'Water leak in the basement' });
  assert.equal(titlePartsOf(sensor, storedTitle(sensor)), null);
  assert.equal(titlePartsOf(burglary, 'Burglary alarm (not restored) — École Jules Ferry'), null);

  // The alarm's title from the latest of its signals that wrote it (a more urgent one retitles the alarm).
  const holdUp = coded('sia-dcs', 'HA', '7');
  const later = storedTitle(holdUp);
  assert.equal(localTitle(alarmTitleParts(later, [burglary, holdUp, undefined]), fr), 'Agression — zone 7 — École Jules Ferry');
  assert.equal(localTitle(alarmTitleParts(title, [burglary, holdUp]), fr), 'Intrusion — zone 3 — École Jules Ferry');

  // A signal's own text.
  assert.equal(codeText(coded('contact-id', '301', null), fr), 'Défaut secteur');
  assert.equal(codeText(coded('contact-id', '301', null), en), null);
});

test('live feed: an alarm a coded signal raised is named in French for a French reader, as stored in English', async () => {
  const fr = await loadCodeTexts('fr');
  const signal = coded('sia-dcs', 'FA', '4');
  const title = storedTitle(signal);
  const event: StoredEvent = {
    seq: 1,
    id: 'evt_1',
    type: 'alarms.signal.received',
    subject: 'account:1001',
    orgId: 'org_A',
    actor: 'device:1001',
    reason: null,
    at,
    data: { decision: { alarmId: 'alm_1', priority: 1, rule: 'raised', title }, signal },
    prevHash: '',
    hash: '',
  };
  const line = (texts: typeof fr) =>
    feedLines([event], new Map(), (ref) => ref, { thing: '(earlier)', account: 'compte', quote: texts ? '«\u00a0{what}\u00a0»' : undefined }, texts).map((l) =>
      fill(l.template, l.vars),
    );
  assert.deepEqual(line(null), ['New alarm: “Fire alarm — zone 4 — École Jules Ferry”']);
  assert.deepEqual(line(fr), ['New alarm: «\u00a0Alarme incendie — zone 4 — École Jules Ferry\u00a0»']);
});
