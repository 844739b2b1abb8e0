import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { launchChromium, signInAt, startDemoNode, expectText } from './browser.js';
import { signedIn } from '../support/api-client.js';
import { until } from '../support/until.js';

/** A city manager opens the cockpit, picks the response-time indicator, drills into a neighbourhood, exports. */
test('cockpit: response time per neighbourhood on the map, drill-down to buildings, CSV export', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  try {
    // Incidents through the cockpit's input seam (issue 5 brings real incidents): 400 this year on La Condamine's and Fontvieille's buildings.
    const cockpit = vigil.capabilities.cockpit;
    const index = cockpit.state.areaIndex();
    const hoods = index.atLevel('neighbourhood');
    const condamine = hoods.find((h) => h.name === 'La Condamine')!;
    const fontvieille = hoods.find((h) => h.name === 'Fontvieille')!;
    const now = vigil.ctx.clock.now();
    let n = 0;
    for (const [hood, seconds] of [
      [condamine, 300],
      [fontvieille, 600],
    ] as const) {
      const sites = index.atLevel('site', hood.id).slice(0, 40);
      for (let i = 0; i < 200; i++) {
        const createdAt = now - (i % 60) * 3_600_000;
        cockpit.service.addIncident(
          {
            incidentId: `inc_${n}`,
            createdAt,
            firstOnSceneAt: createdAt + (seconds + (i % 5) * 30) * 1000,
            fireOnSceneAt: i % 2 === 0 ? createdAt + (seconds + (i % 5) * 30) * 1000 : null,
            siteId: sites[i % sites.length]!.id,
            areaId: null,
          },
          `inc_${n++}`,
        );
      }
    }
    // Peers' published values and a service agreement, through the API.
    const api = await signedIn(vigil, 'analyst');
    const year = cockpit.service.currentPeriod();
    const peers = await api('POST', '/api/cockpit/peers', {
      source: 'test peers',
      format: 'csv',
      content: `city,country,population,indicator,period,statistic,value\nAlpha,FR,30000,vigil.incident-response-time,${year},median,7.5\nBeta,IT,45000,vigil.incident-response-time,${year},median,9.25\n`,
    });
    assert.equal(peers.status, 201, peers.body);
    const agreement = await api('POST', '/api/cockpit/agreements', {
      name: 'Fire and rescue response',
      provider: 'Monaco Fire and Rescue',
      periodKind: 'month',
      startsWith: `${year}-01`,
      clauses: [{ indicatorId: 'vigil.incident-response-time', statistic: 'p90', comparator: '<=', target: 10 }],
    });
    assert.equal(agreement.status, 201, agreement.body);
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAt(page, `${vigil.url}/cockpit`, 'analyst');
    await page.waitForSelector('[data-testid=kpi-indicator] option[value="vigil.false-alarm-rate"]', { state: 'attached' });
    // It opens on the overview: small multiples of the indicators with data, each with its months and its peer position.
    const card = page.locator('[data-testid=kpi-card]', { hasText: 'Response time from initial call' }).first();
    await expectText(card, /better than 50 % of 2 peer cities/);
    assert.equal(await card.locator('svg.sparkline').count(), 1);
    assert.ok((await page.locator('[data-testid=kpi-card]').count()) >= 2, 'several indicators side by side');
    await page.selectOption('[data-testid=kpi-indicator]', 'vigil.incident-response-time');
    await page.waitForSelector('[data-testid=kpi-neighbourhood-row]');
    const rows = page.locator('[data-testid=kpi-neighbourhood-row]');
    assert.equal(await rows.count(), 4);
    // Medians (minutes): La Condamine 300–420 s → 6.0 min; Fontvieille 600–720 s → 11.0 min.
    await expectText(rows.filter({ hasText: 'La Condamine' }), /6 min/);
    await expectText(rows.filter({ hasText: 'Fontvieille' }), /11 min/);
    await expectText(page.locator('[data-testid=kpi-city-value]'), /n = 400/);
    await page.waitForSelector('[data-testid=kpi-trend]');
    await expectText(
      page.locator('[data-testid=kpi-peers]'),
      /Position among peers of similar size: 50 %/,
      '8.5 min: better than Beta (9.25), worse than Alpha (7.5)',
    );
    await expectText(page.locator('[data-testid=kpi-agreements]'), /Monaco Fire and Rescue[\s\S]*breached/, 'p90 11.55 min > 10');
    await page.waitForSelector('[data-testid=cockpit-map][data-idle=true]');
    await page.screenshot({ path: process.env.VIGIL_SCREENSHOT_COCKPIT ?? '/tmp/vigil-cockpit.png' });
    // Drill into La Condamine: its buildings with a value.
    await rows.filter({ hasText: 'La Condamine' }).click();
    await page.waitForSelector('[data-testid=kpi-sites]');
    await expectText(page.locator('[data-testid=kpi-breadcrumb]'), /La Condamine/);
    const siteRows = await page.locator('[data-testid=kpi-sites] tbody tr').count();
    assert.equal(siteRows, 40);
    await page.waitForSelector('[data-testid=cockpit-map][data-idle=true]');
    await page.screenshot({ path: process.env.VIGIL_SCREENSHOT_COCKPIT_DRILL ?? '/tmp/vigil-cockpit-drill.png' });
    // Export what is shown: the buildings' values as CSV.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    assert.match(csv, /^indicator,name,standard,clause,confirmed,area_id,area,level,period/);
    const lines = csv
      .trim()
      .split(/\r\n/)
      .filter((l) => l.startsWith('vigil.incident-response-time,'));
    assert.equal(lines.length, index.atLevel('site').length, 'one line per building');
    assert.equal(lines.filter((l) => !/,site,\d{4},,/.test(l)).length, 80, 'the 80 buildings with incidents have a value');
    // Share of residents within 4 minutes of a fire station, from the routing engine (the demo's two fire stations).
    await vigil.capabilities.routing.loaded;
    await until(() => cockpit.fireCoverage!.last !== null, 'fire-station coverage from the road graph');
    const fire = cockpit.fireCoverage!.last!;
    const sitesById = vigil.capabilities.city.service.state.sites;
    const reached = [...fire.covered].reduce((n, id) => n + (sitesById.get(id)!.residents ?? 0), 0);
    const residents = [...sitesById.values()].reduce((n, x) => n + (x.residents ?? 0), 0);
    const cityFire = cockpit.service.value('iso37123.population-near-fire-station', index.cityId!, year);
    assert.deepEqual([cityFire.numerator!.value, cityFire.denominator!.value], [reached, residents]);
    assert.ok(cityFire.value! > 0 && cityFire.value! < 100, `a share, not all or nothing: ${cityFire.value}`);
    await page.locator('[data-testid=kpi-breadcrumb] button').click();
    await page.selectOption('[data-testid=kpi-indicator]', 'iso37123.population-near-fire-station');
    await page.waitForSelector(`[data-testid=kpi-city-value]:has-text("${cityFire.value!.toLocaleString('en', { maximumFractionDigits: 2 })} %")`);
    const fireRows = page.locator('[data-testid=kpi-neighbourhood-row]');
    await fireRows.first().waitFor();
    for (const hood of hoods) {
      const v = cockpit.service.value('iso37123.population-near-fire-station', hood.id, year).value!;
      // The rows follow the city value: wait for them to show the newly chosen indicator.
      await expectText(
        fireRows.filter({ hasText: hood.name }),
        new RegExp(`${v.toLocaleString('en', { maximumFractionDigits: 2 }).replace('.', '\\.')} %`),
        hood.name,
      );
    }
    await page.waitForSelector('[data-testid=cockpit-map][data-idle=true]');
    await page.screenshot({ path: process.env.VIGIL_SCREENSHOT_COCKPIT_FIRE ?? '/tmp/vigil-cockpit-fire.png' });

    // The city defines an agreement from the page: fire cover at least 50 % and the median response within 8 minutes, every month.
    await page.click('[data-testid=agreement-form] summary');
    await page.fill('input[aria-label="Agreement name"]', 'Fire cover and response 2026');
    await page.fill('input[aria-label=Provider]', 'Monaco Fire and Rescue (demo)');
    await page.selectOption('select[aria-label="Evaluation period"]', 'month');
    await page.fill('input[aria-label="First period"]', `${year}-01`);
    await page.selectOption('select[aria-label="KPI 1"]', 'iso37123.population-near-fire-station');
    await page.selectOption('select[aria-label="Comparator 1"]', '>=');
    await page.fill('input[aria-label="Target 1"]', '50');
    await page.getByRole('button', { name: 'Add a KPI' }).click();
    await page.selectOption('select[aria-label="KPI 2"]', 'vigil.incident-response-time');
    await page.selectOption('select[aria-label="Statistic 2"]', 'p50');
    await page.selectOption('select[aria-label="Area 2"]', { label: 'La Condamine (neighbourhood)' });
    await page.fill('input[aria-label="Target 2"]', '8');
    await page.fill('input[aria-label="Minimum samples 2"]', '5');
    await page
      .locator('[data-testid=agreement-form]')
      .screenshot({ path: process.env.VIGIL_SCREENSHOT_COCKPIT_FORM ?? '/tmp/vigil-cockpit-agreement-form.png' });
    await page.getByRole('button', { name: 'Define the agreement' }).click();
    await page.waitForSelector('[data-testid=agreement-result]:has-text("Agreement defined")');
    const defined = [...cockpit.state.agreements.values()].find((a) => a.name === 'Fire cover and response 2026')!;
    assert.deepEqual(
      defined.clauses.map((c) => [c.indicatorId, c.areaId, c.statistic, c.comparator, c.target, c.minimumCount]),
      [
        ['iso37123.population-near-fire-station', null, 'value', '>=', 50, 1],
        ['vigil.incident-response-time', condamine.id, 'p50', '<=', 8, 5],
      ],
    );
    const row = page.locator('[data-testid=agreement-row]', { hasText: 'Monaco Fire and Rescue (demo)' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Periods' }).click();
    // This month's evaluation, judged by hand from the two values: fire cover ≥ 50 %, La Condamine's median ≤ 8 min with at least 5 incidents.
    const thisMonth = cockpit.service.currentPeriod('month');
    const periodRow = page.locator(`[data-testid=agreement-period][data-period="${thisMonth}"]`);
    await periodRow.waitFor();
    const response = cockpit.service.value('vigil.incident-response-time', condamine.id, thisMonth);
    const fireMonth = cockpit.service.value('iso37123.population-near-fire-station', index.cityId!, thisMonth).value!;
    const responseOutcome = (response.count ?? 0) < 5 ? 'not-evaluable' : response.percentiles!.p50! <= 8 ? 'met' : 'missed';
    const expectedStatus = fireMonth < 50 || responseOutcome === 'missed' ? 'breached' : responseOutcome === 'met' ? 'met' : 'incomplete';
    const shown = await periodRow.innerText();
    assert.match(shown, new RegExp(`\\b${expectedStatus}\\b`), shown);
    assert.ok(shown.includes(`${response.percentiles!.p50!.toLocaleString('en', { maximumFractionDigits: 2 })} ≤ 8 · n = ${response.count}`), shown);
    const href = await periodRow.locator('[data-testid=agreement-report-html]').getAttribute('href');
    const html = await page.context().request.get(`${vigil.url}${href}`);
    assert.equal(html.status(), 200);
    assert.match(await html.text(), new RegExp(`Monaco Fire and Rescue \\(demo\\)[\\s\\S]*data-period="${thisMonth}"`));
    await page.screenshot({ path: process.env.VIGIL_SCREENSHOT_COCKPIT_AGREEMENT ?? '/tmp/vigil-cockpit-agreement.png', fullPage: true });

    // Import statistics from the page: a bad line is shown with its number; a good file is taken.
    await page.click('[data-testid=kpi-import] summary');
    await page.fill('input[aria-label=Source]', 'IMSEE test');
    await page.fill('textarea[aria-label=CSV]', 'variable,area,period,value\nfire-deaths,Atlantis,2025,1\n');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForSelector('[data-testid=kpi-import] .error');
    await expectText(page.locator('[data-testid=kpi-import] .error'), /line 2: unknown area "Atlantis"/);
    await page.fill('textarea[aria-label=CSV]', 'variable,area,period,value\nfire-deaths,Fontvieille,2025,1\n');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForSelector('[data-testid=kpi-import-result]:has-text("1 records imported")');
    assert.equal(cockpit.state.imports.filter((i) => i.kind === 'statistics').length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
