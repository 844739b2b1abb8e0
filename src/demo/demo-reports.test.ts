import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_REPORTS, parseDemoReports } from './demo-reports.js';

test('demo reports: the table reads as nine reports in every state triage gives; a line it cannot read is refused by its number', () => {
  assert.equal(DEMO_REPORTS.length, 9);
  const steps = new Set(DEMO_REPORTS.flatMap((r) => r.triage.map((t) => t.step)));
  assert.deepEqual([...steps].sort(), ['acknowledge', 'incident', 'merge', 'resolve']);
  assert.ok(
    DEMO_REPORTS.some((r) => r.triage.length === 0),
    'some still new',
  );
  const exit = DEMO_REPORTS.find((r) => r.key === 'exit-spelugues')!;
  assert.deepEqual(exit.attributes, { building_open: 'yes', building_name: 'Car park' });
  assert.equal(DEMO_REPORTS.find((r) => r.key === 'noise-quai-again')!.ago, 70 * 3_600_000);

  const one = (head: string, ...lines: string[]) => parseDemoReports([head, '  Something is wrong here.', ...lines.map((l) => `  ${l}`)].join('\n'));
  const ok = one(
    'a | graffiti | 2 h | city | Rue Grimaldi | 7.42 43.73 | offensive=no',
    'acknowledge after 1 h',
    'told by e-mail (fr): Ana Lopez, ana@example.mc',
  );
  assert.deepEqual(ok[0]!.triage, [{ step: 'acknowledge', after: 1 }]);
  assert.equal(ok[0]!.reporter?.lang, 'fr');
  assert.throws(() => one('a | parking | 2 h | city | Rue Grimaldi | 7.42 43.73 | x=y'), /line 1: unknown service parking/);
  assert.throws(() => one('a | graffiti | soon | city | Rue Grimaldi | 7.42 43.73 | x=y'), /line 1: "soon" is not a time ago/);
  assert.throws(() => one('a | graffiti | 2 h | city | Rue Grimaldi | 7.42 | x=y'), /not "lon lat"/);
  assert.throws(() => one('a | graffiti | 2 h | city | Rue Grimaldi | 7.42 43.73 | x=y', 'resolve after 3 h'), /line 3: cannot read "resolve after 3 h"/);
  assert.throws(() => one('a | graffiti | 2 h | city | Rue Grimaldi | 7.42 43.73 | x=y', 'merge into b after 3 h: same'), /merges into unknown b/);
});
