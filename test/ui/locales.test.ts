import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import en from '../../web/src/locales/en.json' with { type: 'json' };
import fr from '../../web/src/locales/fr.json' with { type: 'json' };
import { TEMPLATES } from '../../web/src/feed-sentences.js';
import { ERROR_SENTENCES, FIELD_LABELS, REASON_SENTENCES } from '../../web/src/errors.js';
import * as labels from '../../web/src/labels.js';
import { wordTables } from '../../web/src/labels.js';
import { ALERT_TITLES, CASE_FIELD_WORDS, ERASED_WHY, TIMELINE_SENTENCES } from '../../web/src/csirt-timeline.js';
import { LOG_SENTENCES, LOG_WORDS } from '../../web/src/engagement-log.js';

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
  // The navigation, the map legends' items and the demo inboxes' columns: `label: '…'` and `header: '…'` that
  // the component shows through t().
  for (const file of sources().filter((f) => f.endsWith('.tsx')))
    for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:label|header): '((?:[^'\\]|\\.)*)'/g)) keys.add(m[1]!.replace(/\\'/g, "'"));
  // The words for slugs (every word table of labels.ts, listed once there); the live feed's, the errors', the CSIRT
  // timeline's and alerts' and the engagement log's sentences.
  for (const table of [
    ...Object.values(wordTables),
    TEMPLATES,
    ERROR_SENTENCES,
    REASON_SENTENCES,
    FIELD_LABELS,
    TIMELINE_SENTENCES,
    ERASED_WHY,
    CASE_FIELD_WORDS,
    ALERT_TITLES,
    LOG_SENTENCES,
    ...Object.values(LOG_WORDS),
  ])
    for (const v of Object.values(table)) keys.add(v);
  for (const phase of ['alarm', 'restore', 'status']) keys.add(`signal-phase:${phase}`);
  keys.add('{n} updates');
  return keys;
}

test('labels.ts lists each of its word tables in wordTables, and nothing else there', () => {
  // A word table: an exported record of slug → key, named …_LABELS, …_WORDS, …_MEANINGS or …_TEXTS. CAP_FIELD_LABELS
  // holds English keys the UI passes to t() itself (capPairParts), not words for slugs.
  const tables = Object.keys(labels).filter((name) => /_(LABELS|WORDS|MEANINGS|TEXTS)$/.test(name) && name !== 'CAP_FIELD_LABELS');
  const listed = new Set(Object.keys(wordTables).map((k) => k.split('.')[0]!));
  assert.deepEqual(
    tables.filter((name) => !listed.has(name)),
    [],
    'word tables missing from wordTables',
  );
  assert.deepEqual(
    [...listed].filter((name) => !tables.includes(name)),
    [],
    'wordTables lists something that is not a word table',
  );
});

test('each locale file names a key once (two lanes adding the same key merge into a duplicate JSON keeps silently)', () => {
  for (const file of ['web/src/locales/en.json', 'web/src/locales/fr.json']) {
    const keys = [...readFileSync(file, 'utf8').matchAll(/^ {2}("(?:[^"\\]|\\.)*"):/gm)].map((m) => JSON.parse(m[1]!) as string);
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    assert.deepEqual(twice, [], `${file}: keys written twice`);
  }
});

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

/**
 * Words that read the same in both languages or are not words at all: brand and product names, standards and
 * protocol codes, units. A JSX text or a user-visible attribute made only of these (and of digits and symbols)
 * may stay a literal; anything else goes through t().
 */
const NOT_ENGLISH = new Set(
  (
    'Vigil OpenStreetMap OSM CAP SIA DC-09 DC09 CSIRT VEX CVE CVSS SBOM CycloneDX SPDX EDXL EDXL-DE EDXL-RM EDXL-HAVE TSO ' +
    'API REST JSON GeoJSON CSV XML PDF HTTP HTTPS URL MQTT AMQP SMTP SMS TOTP WebAuthn 2FA ID IP TLS UTC WGS84 DCAT-AP JSON-LD ' +
    'HTML AES TLP PAP KEV IOC SHA-256 CPE purl NGSI-LD CID DCS CB IMSEE en-US https BEGIN CERTIFICATE ' +
    'km km² m min h s ms kg px dB Hz kHz MHz GHz KiB MiB mm cm hPa km/h m/s OK P1 P2 P3 P4 P1–P2 P3+'
  ).split(' '),
);

/** Whether a literal shown to the user holds a word that needs translating. */
function needsTranslation(text: string): boolean {
  return [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’./+–-]*/gu)].some((m) => {
    const word = m[0].replace(/[.'’/+–-]+$/, '');
    return /\p{L}.*\p{L}/u.test(word) && !NOT_ENGLISH.has(word);
  });
}

/** Words spelt the same in French: a French text identical to the English one may use only these (and the names above). */
const SAME_IN_FRENCH = new Set(
  (
    'actions administration ambulance catalogue code communications condition consultation consultations contact contributions ' +
    'description dimensions distance district drone e-mail en format hub incident influence intrusion isochrone justification licence maximum ' +
    'message messages normal note observables organisation organisations page pages participants pause photo position question ' +
    'crimes homicides minutes future possible police national international public relation relations restriction route service site sites source suggestions supervision test transport type via webhooks zone'
  ).split(' '),
);

test('every French text is written: none empty, none left in English but for words French spells the same', () => {
  const english = en as Record<string, string>;
  const french = fr as Record<string, string>;
  const empty = Object.keys(french).filter((k) => french[k]!.trim() === '');
  assert.deepEqual(empty, [], 'empty French texts');
  const copied = Object.keys(english).filter(
    (k) =>
      french[k] === english[k] &&
      [...english[k]!.replace(/\{\w+\}/g, '').matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’./+–-]*/gu)]
        .map((m) => m[0].replace(/[.'’/+–-]+$/, ''))
        .some((w) => /\p{L}.*\p{L}/u.test(w) && !NOT_ENGLISH.has(w) && !SAME_IN_FRENCH.has(w.toLowerCase())),
  );
  assert.deepEqual(copied, [], 'French texts copied from the English');
});

/** The attributes whose text a person reads or hears. */
const SHOWN_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'aria-valuetext', 'title', 'placeholder', 'alt', 'label']);
/** Calls whose text argument is shown: browser dialogs and the pages' notices. */
const SHOWN_CALLS = /^(confirm|alert|prompt|setNotice|setError|setMessage|setInfo)$/;
/** Calls that run an action, then show their last argument as the notice: act(() => …, 'Done.'). */
const ACTION_CALLS = /^(act|run)$/;

interface Offender {
  file: string;
  line: number;
  text: string;
}

/** Every literal in the .tsx sources that a person reads and that does not go through t(). */
function untranslatedLiterals(): Offender[] {
  const found: Offender[] = [];
  for (const file of sources().filter((f) => f.endsWith('.tsx'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    const flag = (node: ts.Node, text: string): void => {
      if (needsTranslation(text))
        found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: text.trim().replace(/\s+/g, ' ') });
    };
    /** The literals an expression shows: through conditionals and fallbacks, never into a call (t(…), join, …). */
    const shown = (e: ts.Expression): void => {
      if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) flag(e, e.text);
      else if (ts.isTemplateExpression(e)) {
        flag(e.head, e.head.text);
        for (const span of e.templateSpans) {
          shown(span.expression);
          flag(span.literal, span.literal.text);
        }
      } else if (ts.isConditionalExpression(e)) {
        shown(e.whenTrue);
        shown(e.whenFalse);
      } else if (ts.isBinaryExpression(e)) {
        const op = e.operatorToken.kind;
        if (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) shown(e.left);
        if (op !== ts.SyntaxKind.EqualsEqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsEqualsToken) shown(e.right);
      } else if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) shown(e.expression);
    };
    /** Inside <code>, <kbd> and <samp> is machine text (a path, a command, a field name). */
    const isCode = (n: ts.Node): boolean =>
      (ts.isJsxElement(n) && ['code', 'kbd', 'samp'].includes(n.openingElement.tagName.getText(sf))) || (n.parent !== undefined && isCode(n.parent));
    const visit = (node: ts.Node): void => {
      if (ts.isJsxText(node) && !isCode(node)) flag(node, node.text);
      else if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent)) && !isCode(node))
        shown(node.expression);
      else if (ts.isJsxAttribute(node) && SHOWN_ATTRIBUTES.has(node.name.getText(sf)) && node.initializer) {
        if (ts.isStringLiteral(node.initializer)) flag(node.initializer, node.initializer.text);
        else if (ts.isJsxExpression(node.initializer) && node.initializer.expression) shown(node.initializer.expression);
      } else if (ts.isCallExpression(node)) {
        const callee = ts.isIdentifier(node.expression)
          ? node.expression.text
          : ts.isPropertyAccessExpression(node.expression)
            ? node.expression.name.text
            : '';
        if (SHOWN_CALLS.test(callee)) for (const arg of node.arguments) shown(arg);
        const [action, done] = node.arguments;
        if (ACTION_CALLS.test(callee) && action && done && (ts.isArrowFunction(action) || ts.isFunctionExpression(action))) shown(done);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

test('no English literal on screen: JSX text, labels, titles, placeholders, alt texts and notices go through t()', () => {
  const offenders = untranslatedLiterals();
  assert.equal(
    offenders.length,
    0,
    `${offenders.length} literal(s) shown in English whatever the language: wrap them in t('…') and add en + fr entries\n` +
      offenders.map((o) => `  ${o.file}:${o.line} ${o.text}`).join('\n'),
  );
});
