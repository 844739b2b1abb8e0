import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CID_TABLE, SIA_TABLE, cidMeaning, siaMeaning } from './codes.js';
import { SIGNAL_KINDS } from './model.js';

test('the code tables ship as data with their source', () => {
  assert.ok(SIA_TABLE && Object.keys(SIA_TABLE.codes).length >= 200 && SIA_TABLE.source.includes('DC-03'));
  assert.ok(CID_TABLE && Object.keys(CID_TABLE.codes).length >= 150 && CID_TABLE.source.includes('Contact ID'));
  for (const [code, row] of Object.entries(SIA_TABLE!.codes)) {
    assert.match(code, /^[A-Z]{2}$/, `${code} ${row[0]}`);
    const [kind, phase] = row[2].split('/');
    assert.ok((SIGNAL_KINDS as readonly string[]).includes(kind!), `${code}: unknown kind ${kind}`);
    assert.ok(['alarm', 'restore', 'status'].includes(phase!), `${code}: unknown phase ${phase}`);
  }
});

test('SIA codes that are information never raise an alarm; those that need a response do', () => {
  const phase = (c: string) => `${siaMeaning(c).kind}/${siaMeaning(c).phase}`;
  // Access control, programming, clock and printer reports are status.
  for (const c of ['DG', 'DD', 'DO', 'DC', 'DX', 'JD', 'JT', 'JV', 'LB', 'RB', 'VT', 'YG', 'NL', 'XI']) assert.equal(siaMeaning(c).phase, 'status', c);
  assert.equal(phase('NA'), 'medical/alarm', 'no activity: the social alarm for someone living alone');
  assert.equal(phase('NS'), 'medical/restore');
  for (const c of ['CT', 'OT', 'CI', 'OI', 'CD']) assert.equal(phase(c), 'schedule/alarm', c);
  assert.equal(phase('EA'), 'burglary/alarm');
  assert.equal(phase('ES'), 'tamper/alarm');
  assert.equal(phase('SS'), 'supervisory/alarm', 'a closed sprinkler valve is supervisory, not a fire');
  assert.equal(phase('FL'), 'fire/status', 'silencing the sounder ends nothing');
  assert.equal(phase('BC'), 'burglary/restore', 'a user cancel marks the open alarm');
  // Outside the table: family and second letter, flagged unknown.
  assert.deepEqual([siaMeaning('FQ').known, siaMeaning('QQ').known], [true, false]);
  assert.equal(phase('BQ'), 'burglary/alarm');
  assert.equal(phase('DQ'), 'access/status');
});

test('SIA codes: kind, phase and what the number means', () => {
  const m = (c: string) => {
    const x = siaMeaning(c);
    return [x.kind, x.phase, x.concerns];
  };
  assert.deepEqual(m('FA'), ['fire', 'alarm', 'zone']);
  assert.deepEqual(m('FH'), ['fire', 'restore', 'zone']);
  assert.deepEqual(m('BA'), ['burglary', 'alarm', 'zone']);
  assert.deepEqual(m('BR'), ['burglary', 'restore', 'zone']);
  assert.deepEqual(m('HA'), ['hold-up', 'alarm', 'zone']);
  assert.deepEqual(m('PA'), ['panic', 'alarm', 'zone']);
  assert.deepEqual(m('MA'), ['medical', 'alarm', 'zone']);
  assert.deepEqual(m('TA'), ['tamper', 'alarm', 'zone']);
  assert.deepEqual(m('OP'), ['open', 'status', 'user']);
  assert.deepEqual(m('CL'), ['close', 'status', 'user']);
  assert.deepEqual(m('RP'), ['test', 'status', 'other']);
  assert.deepEqual(m('FX'), ['test', 'status', 'zone']);
  assert.deepEqual(m('FI'), ['test', 'status', 'area']);
  assert.deepEqual(m('BB'), ['bypass', 'status', 'zone']);
  assert.deepEqual(m('AT'), ['trouble', 'alarm', 'other']);
  assert.deepEqual(m('AR'), ['trouble', 'restore', 'other']);
  assert.deepEqual(m('YK'), ['trouble', 'restore', 'other']);
  assert.equal(siaMeaning('FA').known, true);
  assert.equal(siaMeaning('JQ').known, false);
  assert.equal(siaMeaning('FA').description, 'Fire alarm');
});

test('Contact ID codes classified for response: schedules, duress, inactivity, programming', () => {
  const k = (c: string, q: 1 | 3 = 1) => `${cidMeaning(c, q).kind}/${cidMeaning(c, q).phase}`;
  assert.equal(k('404'), 'schedule/alarm');
  assert.equal(k('124'), 'duress/alarm');
  assert.equal(k('654'), 'medical/alarm');
  assert.equal(k('654', 3), 'medical/restore');
  assert.equal(k('627'), 'other/status');
  assert.equal(k('627', 3), 'other/status');
  assert.equal(k('401', 3), 'close/status', 'unclassified codes keep the range rules');
});

test('Contact ID: qualifier 1 new, 3 restore, 6 previously reported; 4xx open/close by qualifier', () => {
  assert.deepEqual([cidMeaning('110', 1).kind, cidMeaning('110', 1).phase], ['fire', 'alarm']);
  assert.deepEqual([cidMeaning('130', 3).kind, cidMeaning('130', 3).phase], ['burglary', 'restore']);
  assert.equal(cidMeaning('121', 1).kind, 'duress');
  assert.equal(cidMeaning('121', 1).concerns, 'user');
  assert.deepEqual([cidMeaning('401', 1).kind, cidMeaning('401', 3).kind, cidMeaning('401', 1).concerns], ['open', 'close', 'user']);
  assert.deepEqual([cidMeaning('602', 1).kind, cidMeaning('602', 1).phase], ['test', 'status']);
  assert.equal(cidMeaning('383', 1).kind, 'tamper');
  assert.equal(cidMeaning('154', 1).kind, 'water');
  assert.equal(cidMeaning('110', 1).description, 'Fire');
});
