import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import en from '../../web/src/locales/en.json' with { type: 'json' };
import fr from '../../web/src/locales/fr.json' with { type: 'json' };
import { TEMPLATES } from '../../web/src/feed-sentences.js';
import {
  ACTIVITY_LABELS,
  ALARM_KIND_LABELS,
  ALARM_STATUS_LABELS,
  ALERT_STATE_LABELS,
  INCIDENT_STATUS_LABELS,
  UNIT_KIND_LABELS,
  UNIT_STATUS_LABELS,
  DEVICE_KIND_LABELS,
  RESOLUTION_LABELS,
  SITE_CATEGORY_LABELS,
  STEP_KIND_LABELS,
  SUBJECT_LABELS,
  CAP_WORDS,
  ORG_KIND_LABELS,
  ROLE_LABELS,
  COMMS_KIND_LABELS,
  RELATION_KIND_LABELS,
  INTERACTION_KIND_LABELS,
  SITREP_VERSION_LABELS,
  DELIVERY_STATUS_LABELS,
  INCIDENT_RESOLUTION_LABELS,
  INCIDENT_SOURCE_LABELS,
} from '../../web/src/labels.js';

/** Every source file of the web UI. */
function sources(dir = 'web/src'): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The English keys the UI asks for: every literal t('…'), the navigation labels, the live feed's sentences, the words for slugs. */
function keysInUse(): Set<string> {
  const keys = new Set<string>();
  for (const file of sources()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'\s*\)/g)) keys.add(m[1]!.replace(/\\'/g, "'"));
    for (const m of text.matchAll(/\bt\(\s*"((?:[^"\\]|\\.)*)"\s*\)/g)) keys.add(m[1]!);
  }
  const app = readFileSync('web/src/App.tsx', 'utf8');
  const nav = app.slice(app.indexOf('export const NAV'), app.indexOf('];', app.indexOf('export const NAV')));
  for (const m of nav.matchAll(/label: '([^']+)'/g)) keys.add(m[1]!);
  for (const table of [
    TEMPLATES,
    RESOLUTION_LABELS,
    ALARM_KIND_LABELS,
    ALARM_STATUS_LABELS,
    ALERT_STATE_LABELS,
    INCIDENT_STATUS_LABELS,
    UNIT_KIND_LABELS,
    UNIT_STATUS_LABELS,
    ACTIVITY_LABELS,
    SUBJECT_LABELS,
    STEP_KIND_LABELS,
    SITE_CATEGORY_LABELS,
    DEVICE_KIND_LABELS,
    ORG_KIND_LABELS,
    ROLE_LABELS,
    COMMS_KIND_LABELS,
    RELATION_KIND_LABELS,
    INTERACTION_KIND_LABELS,
    SITREP_VERSION_LABELS,
    DELIVERY_STATUS_LABELS,
    INCIDENT_RESOLUTION_LABELS,
    INCIDENT_SOURCE_LABELS,
  ])
    for (const v of Object.values(table)) keys.add(v);
  for (const table of Object.values(CAP_WORDS)) for (const v of Object.values(table)) keys.add(v);
  for (const phase of ['alarm', 'restore', 'status']) keys.add(`signal-phase:${phase}`);
  keys.add('{n} updates');
  return keys;
}

test('French is complete: every English key has a French text, and every key the UI uses is translated', () => {
  const french = fr as Record<string, string>;
  const missingFromFrench = Object.keys(en).filter((k) => !(k in french));
  assert.deepEqual(missingFromFrench, [], 'English keys without French');
  const untranslated = [...keysInUse()].filter((k) => !(k in french)).sort();
  assert.deepEqual(untranslated, [], 'keys used by the UI without French');
  // Placeholders survive translation: a sentence keeps its {who}/{what}.
  for (const [k, v] of Object.entries(french)) {
    const want = [...k.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const got = [...v.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(got, want, `placeholders of "${k}"`);
  }
});
