import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCorpus } from '../support/dc09-corpus.js';

/**
 * docs/dc09-conformance.md: every row of its tables names the tests that prove it, and
 * each of those exists — a corpus frame (`corpus:<name>`) or a test (`<file> › <name>`).
 * Every corpus frame is cited by some row.
 */

const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'dc09-conformance.md'), 'utf8');

/** Table rows (not header, not separator) as cells; `\|` inside a cell is a pipe. */
function rows(): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  doc.split('\n').forEach((text, i) => {
    if (!text.startsWith('| ') || text.startsWith('| ---') || text.startsWith('| Field')) return;
    const cells = text
      .slice(2, -2)
      .split(/(?<!\\) \| /)
      .map((c) => c.trim());
    out.push({ line: i + 1, cells });
  });
  return out;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('dc09 conformance table: every row names its proof, and every test it names exists', () => {
  const { cases } = loadCorpus();
  const names = new Set(cases.map((c) => c.name));
  const table = rows();
  assert.ok(table.length >= 60, `the table has ${table.length} rows`);
  const cited = new Set<string>();
  for (const { line, cells } of table) {
    assert.equal(cells.length, 4, `docs/dc09-conformance.md:${line} has ${cells.length} columns`);
    const refs = [...cells[3]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\\\|/g, '|'));
    assert.ok(refs.length > 0, `docs/dc09-conformance.md:${line} names no test`);
    for (const ref of refs) {
      if (ref.startsWith('corpus:')) {
        const name = ref.slice('corpus:'.length);
        assert.ok(names.has(name), `docs/dc09-conformance.md:${line}: no corpus frame ${name}`);
        cited.add(name);
        continue;
      }
      const [file, testName] = ref.split(' › ');
      assert.ok(file && testName, `docs/dc09-conformance.md:${line}: "${ref}" is neither corpus:<name> nor <file> › <test name>`);
      assert.ok(existsSync(join(root, file)), `docs/dc09-conformance.md:${line}: no file ${file}`);
      const source = readFileSync(join(root, file), 'utf8');
      assert.match(source, new RegExp(`test\\(\\s*['\`]${escape(testName)}['\`]`), `docs/dc09-conformance.md:${line}: no test "${testName}" in ${file}`);
    }
  }
  assert.deepEqual(
    [...names].filter((n) => !cited.has(n)),
    [],
    'every corpus frame is cited in the table',
  );
});
