import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApiError } from '../../web/src/api.js';
import { ERROR_SENTENCES, errorText } from '../../web/src/errors.js';
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
  // A conflict the server explains in its details keeps its message (the steps still to do, by name).
  const steps = new ApiError(409, 'conflict', "the action plan's mandatory steps are not done: Notify the fire service", { missing: ['s1'] });
  assert.equal(errorText(french, steps), steps.message);
  // A validation the user can fix keeps the server's words; a plain error its message.
  assert.equal(
    errorText(french, new ApiError(400, 'validation_failed', 'body/title must NOT have fewer than 3 characters', null)),
    'body/title must NOT have fewer than 3 characters',
  );
  assert.equal(errorText(french, new Error('boom')), 'boom');
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
