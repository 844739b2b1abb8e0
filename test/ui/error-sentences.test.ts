import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApiError } from '../../web/src/api.js';
import { ERROR_SENTENCES, FIELD_LABELS, REASON_SENTENCES, WordedError, errorText } from '../../web/src/errors.js';
import en from '../../web/src/locales/en.json' with { type: 'json' };
import fr from '../../web/src/locales/fr.json' with { type: 'json' };

const french = (k: string): string => (fr as Record<string, string>)[k] ?? k;
const english = (k: string): string => (en as Record<string, string>)[k] ?? k;

test('a common refusal reads as a sentence in the reader language, not the API message', () => {
  const cases: [number, string, string][] = [
    [403, 'forbidden', 'device dev:siren:12 belongs to another organisation'],
    [404, 'not_found', 'incident inc_01J9 does not exist'],
    [409, 'conflict', 'alarm already claimed'],
    [429, 'rate_limited', 'too many requests'],
  ];
  for (const [status, code, message] of cases) {
    const e = new ApiError(status, code, message, null);
    const fr = errorText(french, e);
    assert.notEqual(fr, message, `${code}: not the server's English`);
    assert.ok(!fr.startsWith('error:'), `${code} has French`);
    assert.ok(!fr.includes(message), `${code}: no server message, no id`);
    assert.equal(errorText(english, e), (en as Record<string, string>)[ERROR_SENTENCES[code]!]);
  }
  // A 429 or 403 with another code (a proxy's, an older node's) still reads as the sentence.
  assert.equal(errorText(french, new ApiError(429, 'http_error', '429 Too Many Requests', null)), french('error:rate_limited'));
  // A refusal without a reason of ours: a reader of English reads the server's message when it names no id (a
  // request the user can fix); a reader of French reads the code's sentence, never the English.
  const unexplained = new ApiError(400, 'bad_request', 'unknown incident type tsunami-drill', null);
  assert.equal(errorText(english, unexplained), unexplained.message);
  assert.equal(errorText(french, unexplained), french('error:bad_request'));
  assert.equal(
    errorText(english, new ApiError(400, 'bad_request', 'no finding dev:siren:12~CVE-1 in case CSIRT-1', null)),
    english('error:bad_request'),
    'an id: the sentence',
  );
  assert.equal(errorText(english, new ApiError(500, 'internal', 'internal error; it has been logged', null)), english('error:internal'));
  assert.equal(errorText(french, new ApiError(502, 'http_error', '502 Bad Gateway', null)), french('error:http_error'));
  assert.equal(errorText(french, new Error('boom')), 'boom');
});

test("a refusal with the server's reason reads as that sentence: the field by its word, states by their words, names as they are", () => {
  const short = new ApiError(400, 'validation_failed', 'body/title must NOT have fewer than 3 characters', null, 'validation.minLength', {
    field: 'title',
    limit: 3,
  });
  assert.equal(errorText(french, short), '« Titre » doit compter au moins 3 caractères.');
  assert.equal(errorText(english, short), '“Title” needs at least 3 characters.');
  // A field the UI has no word for: the sentence without it, never the request's field name.
  const odd = new ApiError(400, 'validation_failed', 'body must have required property zzTop', null, 'validation.required', { field: 'zzTop' });
  assert.equal(errorText(french, odd), french('A field of the form is missing or not valid: check the form and try again.'));
  assert.ok(!errorText(english, odd).includes('zzTop'));
  // The alarm's mandatory steps still to do, by the plan's own words.
  const steps = new ApiError(
    409,
    'conflict',
    "the action plan's mandatory steps are not done: Notify the fire service",
    { missing: ['s1'] },
    'alarm.steps-not-done',
    {
      steps: 'Notify the fire service',
    },
  );
  assert.equal(errorText(french, steps), 'Les étapes obligatoires du plan d’action ne sont pas faites : Notify the fire service');
  // A state slug reads as its word.
  const issued = new ApiError(409, 'conflict', 'only an alert waiting for approval can be approved; this one is issued', null, 'alert.not-pending', {
    alertState: 'issued',
  });
  assert.match(errorText(french, issued), /état de celle-ci : Émise\.$/);
  assert.ok(!errorText(french, issued).includes('issued'));
  const move = new ApiError(409, 'conflict', 'incident INC-2026-0001 cannot go from closed to on-scene', null, 'incident.transition', {
    reference: 'INC-2026-0001',
    from: 'closed',
    to: 'on-scene',
  });
  assert.equal(errorText(french, move), 'L’incident INC-2026-0001 ne peut pas passer de « Clos » à « Sur place ».');
  // A forbidden with a reason says which rule, not only "not allowed".
  const ownAlert = new ApiError(403, 'forbidden', 'the author cannot approve their own alert: a second authorised person must', null, 'alert.four-eyes', {});
  assert.equal(errorText(french, ownAlert), french('The author cannot approve their own alert: a second authorised person must.'));
  // A reason the UI does not know (a newer node's): the code's sentence.
  assert.equal(errorText(french, new ApiError(409, 'conflict', 'something new', null, 'future.reason', {})), french('error:conflict'));
});

test('every sentence of a reason and every field word is written in French, with the same placeholders', () => {
  for (const key of [
    ...Object.values(REASON_SENTENCES),
    'A field of the form is missing or not valid: check the form and try again.',
    ...Object.values(FIELD_LABELS),
  ]) {
    assert.ok((fr as Record<string, string>)[key], `${key} in French`);
    assert.ok((en as Record<string, string>)[key], `${key} in English`);
  }
});

test('every French sentence for a refusal is written', () => {
  for (const key of Object.values(ERROR_SENTENCES)) {
    assert.ok((fr as Record<string, string>)[key], `${key} in French`);
    assert.notEqual((fr as Record<string, string>)[key], (en as Record<string, string>)[key], `${key} translated`);
  }
});

/** Every source file of the staff and citizen UIs. */
function sources(dir = 'web/src'): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

test('where the UI shows a failed action it goes through errorText (the shared page action and the pages)', () => {
  assert.match(readFileSync('web/src/use-action.ts', 'utf8'), /setError\(errorText\(t, e\)\)/);
  const users = sources().filter((f) => readFileSync(f, 'utf8').includes('errorText(t, e)'));
  assert.ok(users.length >= 20, `pages showing errors through errorText: ${users.length}`);
});

test("the citizen app words every reason its reports, answers and complaints can be refused for, and the device's own failures", () => {
  // Each reason the Open311 rules and routes and the public engagement service send has its sentence, en + fr.
  const sent = new Set<string>();
  for (const file of ['src/citizen-reports/rules.ts', 'src/citizen-reports/open311-routes.ts', 'src/engagement/service.ts'])
    for (const m of readFileSync(file, 'utf8').matchAll(/'((?:open311|notice|engagement)\.[a-z-]+)'/g)) sent.add(m[1]!);
  assert.ok(sent.size >= 20, `reasons found: ${[...sent].join(', ')}`);
  for (const reason of sent) {
    assert.ok(REASON_SENTENCES[reason], `${reason} has a sentence`);
    assert.notEqual(french(REASON_SENTENCES[reason]!), REASON_SENTENCES[reason], `${reason} has French`);
  }
  // An Open311 refusal as the citizen app builds it: the sentence, its param filled, never the English description.
  const limited = new ApiError(429, 'rate_limited', 'too many reports from your network; try again in 1800 s', null, 'open311.rate-limited', { minutes: 30 });
  assert.equal(errorText(french, limited), 'Trop de signalements d’ici dans l’heure : réessayez dans 30 min.');
  assert.equal(errorText(english, limited), 'Too many reports from here in the last hour: try again in 30 min.');
  // A failure on the device (no position, notifications refused) is said in the reader's language: each one written in French.
  let worded = 0;
  for (const file of ['web/src/citizen/device.ts', 'web/src/citizen/push.ts', 'web/src/citizen/report-store.ts'])
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:new WordedError\(|withTimeout\([^,]+, [0-9_]+, )'([^']+)'/g)) {
      assert.ok((en as Record<string, string>)[m[1]!], `${m[1]} in en.json`);
      assert.notEqual(french(m[1]!), m[1], `${m[1]} has French`);
      worded++;
    }
  assert.ok(worded >= 8, `device failures found: ${worded}`);
  const refused = new WordedError('Access to your position was refused in the browser.');
  assert.equal(errorText(french, refused), 'L’accès à votre position a été refusé dans le navigateur.');
  assert.equal(errorText(english, refused), refused.message);
});
