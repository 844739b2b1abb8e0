import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { serveVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { signedIn } from '../../test/support/api-client.js';
import { jpegWithExif, TINY_JPEG } from '../../test/support/tiny-jpeg.js';
import { CITIZEN_APP_API_KEY } from './model.js';

/*
 * Open311 GeoReport v2 conformance, as a client sees it over HTTP: discovery, services,
 * a definition, POST (form and multipart with a photo), GET with filters, one request,
 * tokens — each in JSON and XML — and the errors in the specification's form.
 */

const KEY = 'partner-app-key-0123456789';
const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
/** A day as the citizen reads it in the city (Monaco, the default zone). */
const dayOf = (iso: string, lang: 'en' | 'fr'): string =>
  new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: 'Europe/Monaco', day: 'numeric', month: 'long' }).format(new Date(iso));
const xml = (body: string) => {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => void (level !== 'warning' && errors.push(msg)) }).parseFromString(body, 'text/xml');
  assert.deepEqual(errors, [], body.slice(0, 300));
  return doc;
};
const texts = (doc: ReturnType<typeof xml>, tag: string): string[] => Array.from(doc.getElementsByTagName(tag)).map((e) => e.textContent ?? '');

function multipart(fields: Record<string, string>, photo: Buffer): { body: Buffer; type: string } {
  const b = 'vigil-test-boundary-7';
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="media"; filename="exit.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    photo,
    Buffer.from(`\r\n--${b}--\r\n`),
  );
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${b}` };
}

test('Open311 GeoReport v2: discovery, services, definitions, POST (form, multipart photo), GET filters, tokens, JSON and XML, errors; then triage by the fire service and the reporter sees it resolved', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-open311-'));
  const vigil = await serveVigil({
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_OPEN311_API_KEYS: `partner=${KEY}`,
      VIGIL_OPEN311_JURISDICTION: 'monaco.mc',
      VIGIL_REPORTS_PER_DEVICE: '3',
    }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  const app = vigil.server.app;
  const get = (url: string) => app.inject({ method: 'GET', url });
  const post = (url: string, payload: string | Buffer, type = 'application/x-www-form-urlencoded') =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });
  try {
    // Discovery
    const dj = await get('/open311/discovery.json');
    assert.equal(dj.statusCode, 200);
    assert.equal(dj.json().endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
    assert.deepEqual(dj.json().endpoints[0].formats, ['text/xml', 'application/json']);
    const dx = await get('/open311/discovery.xml');
    assert.match(dx.headers['content-type'] as string, /^text\/xml; charset=utf-8/);
    assert.match(dx.body, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
    assert.deepEqual(texts(xml(dx.body), 'format'), ['text/xml', 'application/json']);

    // Services and a definition
    const sj = (await get('/open311/v2/services.json')).json() as { service_code: string; description: string; metadata: boolean; type: string }[];
    assert.equal(sj.length, 7);
    const exit = sj.find((s) => s.service_code === 'blocked-emergency-exit')!;
    assert.match(exit.description, /call 112/);
    assert.equal(exit.type, 'realtime');
    for (const code of ['suspicious-unattended-object', 'flooding']) assert.match(sj.find((s) => s.service_code === code)!.description, /112/);
    const sx = xml((await get('/open311/v2/services.xml?locale=fr')).body);
    assert.ok(texts(sx, 'service_name').includes('Issue de secours bloquée'));
    const def = (await get('/open311/v2/services/blocked-emergency-exit.json')).json();
    assert.equal(def.service_code, 'blocked-emergency-exit');
    assert.deepEqual(
      def.attributes.map((a: { code: string; required: boolean; variable: boolean }) => [a.code, a.required, a.variable]),
      [
        ['building_open', true, true],
        ['building_name', false, true],
      ],
    );
    const defx = xml((await get('/open311/v2/services/blocked-emergency-exit.xml')).body);
    assert.equal(defx.documentElement!.nodeName, 'service_definition');
    assert.deepEqual(texts(defx, 'key'), ['yes', 'no']);

    // Errors, in the specification's form
    const e404 = await get('/open311/v2/services/pothole.xml');
    assert.equal(e404.statusCode, 404);
    const ex = xml(e404.body);
    assert.equal(ex.documentElement!.nodeName, 'errors');
    assert.deepEqual(texts(ex, 'code'), ['404']);
    const badKey = await post('/open311/v2/requests.json', form({ api_key: 'nope', service_code: 'graffiti', lat: '43.7395', long: '7.4275' }));
    assert.equal(badKey.statusCode, 403);
    assert.deepEqual(badKey.json(), [{ code: 403, description: 'Invalid api_key received', reason: 'open311.api-key' }]);
    const badJur = await post(
      '/open311/v2/requests.xml',
      form({ api_key: KEY, jurisdiction_id: 'paris.fr', service_code: 'graffiti', lat: '43.7395', long: '7.4275' }),
    );
    assert.equal(badJur.statusCode, 404);
    assert.deepEqual(texts(xml(badJur.body), 'description'), ['jurisdiction_id provided was not found']);
    const missing = await post('/open311/v2/requests.json', form({ api_key: KEY, service_code: 'blocked-emergency-exit' }));
    assert.equal(missing.statusCode, 400);
    assert.ok(missing.json().length >= 2, 'every problem is listed');
    assert.ok(missing.json().every((e: { code: number }) => e.code === 400));
    assert.equal((await post('/open311/v2/requests.json', '{"service_code":"graffiti"}', 'application/json')).statusCode, 400);
    assert.equal((await get('/open311/v2/requests.json?start_date=yesterday')).statusCode, 400);

    // POST a request with a form (a partner's app), then with a photo (the citizen app)
    const r1 = await post(
      '/open311/v2/requests.json',
      form({
        api_key: KEY,
        jurisdiction_id: 'monaco.mc',
        service_code: 'graffiti',
        lat: '43.7395',
        long: '7.4275',
        description: 'Tag on the wall',
        email: 'ana@example.mc',
        first_name: 'Ana',
      }),
    );
    assert.equal(r1.statusCode, 201, r1.body);
    const [created] = r1.json() as { service_request_id: string; token: string; service_notice: string; follow_url: string }[];
    assert.match(created!.service_request_id, /^rep_/);
    const photo = jpegWithExif(43.7402, 7.4281);
    const mp = multipart(
      {
        api_key: CITIZEN_APP_API_KEY,
        service_code: 'blocked-emergency-exit',
        lat: '43.7391',
        long: '7.4269',
        description: 'Fire exit chained shut behind the theatre',
        'attribute[building_open]': 'yes',
        device_id: 'device-1',
        phone: '+377 93 15 00 00',
      },
      photo,
    );
    const r2 = await post('/open311/v2/requests.xml', mp.body, mp.type);
    assert.equal(r2.statusCode, 201, r2.body);
    const r2x = xml(r2.body);
    const exitId = texts(r2x, 'service_request_id')[0]!;
    assert.match(texts(r2x, 'service_notice')[0]!, /call 112/);
    assert.match(texts(r2x, 'service_notice')[0]!, /Monaco Fire and Rescue/);
    const followToken = new URL(texts(r2x, 'follow_url')[0]!).searchParams.get('follow')!;
    // The photo kept is the picture only: no EXIF, no GPS (no consent given), no comment.
    const stored = vigil.capabilities.citizenReports.state.reports.get(exitId)!;
    assert.equal(stored.photoPosition, null);
    assert.equal(stored.photo?.locationKept, false);
    const media = await get(`/open311/v2/media/${exitId}`);
    assert.equal(media.headers['content-type'], 'image/jpeg');
    assert.deepEqual(media.rawPayload, TINY_JPEG);
    // With consent the photo's position is kept (apart from the picture).
    const consent = multipart(
      { api_key: CITIZEN_APP_API_KEY, service_code: 'flooding', lat: '43.7310', long: '7.4190', photo_location_consent: 'true' },
      photo,
    );
    const r3 = await post('/open311/v2/requests.json', consent.body, consent.type);
    assert.equal(r3.statusCode, 201, r3.body);
    assert.deepEqual(vigil.capabilities.citizenReports.state.reports.get(r3.json()[0].service_request_id)!.photoPosition, [7.4281, 43.7402]);
    // Nothing personal in the log in clear.
    const logged = JSON.stringify(await vigil.ctx.log.read({ typePrefixes: ['citizen-reports.'] }));
    assert.ok(!logged.includes('ana@example.mc') && !logged.includes('93 15 00 00') && !logged.includes('VigilCam'));

    // A second report of the same exit nearby is linked to the first.
    const dup = await post(
      '/open311/v2/requests.json',
      form({ api_key: KEY, service_code: 'blocked-emergency-exit', lat: '43.73912', long: '7.42693', 'attribute[building_open]': 'no', device_id: 'device-2' }),
    );
    assert.match(dup.json()[0].service_notice, /similar report nearby/);
    const dupId = dup.json()[0].service_request_id as string;
    const dupFollow = new URL(dup.json()[0].follow_url as string).searchParams.get('follow')!;
    assert.equal(vigil.capabilities.citizenReports.state.reports.get(dupId)!.nearbyOf, exitId);

    // GET requests: filters, one request, tokens — JSON and XML
    // The demo city has reports of its own from past days: the test looks at the four it posted.
    const posted = new Set([created!.service_request_id, exitId, r3.json()[0].service_request_id as string, dupId]);
    const ours = <T extends { service_request_id: string }>(list: T[]): T[] => list.filter((r) => posted.has(r.service_request_id));
    const all = (await get('/open311/v2/requests.json')).json() as {
      service_request_id: string;
      status: string;
      lat: number;
      media_url: string | null;
      requested_datetime: string;
    }[];
    assert.equal(ours(all).length, 4);
    assert.equal(all[0]!.service_request_id, dupId, 'newest first');
    assert.ok(
      all.every((r, i) => i === 0 || Date.parse(r.requested_datetime) <= Date.parse(all[i - 1]!.requested_datetime)),
      'newest first',
    );
    assert.ok(!JSON.stringify(all).includes('ana@example.mc'), 'no personal data');
    assert.match(all.find((r) => r.service_request_id === exitId)!.media_url!, new RegExp(`/open311/v2/media/${exitId}$`));
    assert.deepEqual(
      ours((await get('/open311/v2/requests.json?service_code=graffiti,flooding')).json() as { service_request_id: string; service_code: string }[])
        .map((r) => r.service_code)
        .sort(),
      ['flooding', 'graffiti'],
    );
    assert.equal(ours((await get('/open311/v2/requests.json?status=closed')).json()).length, 0);
    assert.ok(((await get('/open311/v2/requests.json?status=closed')).json() as { status: string }[]).every((r) => r.status === 'closed'));
    assert.equal((await get('/open311/v2/requests.json?end_date=2020-01-01T00:00:00Z')).json().length, 0);
    assert.equal(
      (await get(`/open311/v2/requests.json?service_request_id=${exitId},${created!.service_request_id}&status=closed`)).json().length,
      2,
      'ids override other filters',
    );
    const one = xml((await get(`/open311/v2/requests/${exitId}.xml`)).body);
    assert.deepEqual(texts(one, 'status'), ['open']);
    assert.deepEqual(texts(one, 'agency_responsible'), ['Monaco Fire and Rescue']);
    assert.equal((await get('/open311/v2/requests/rep_nope.json')).statusCode, 404);
    const tok = (await get(`/open311/v2/tokens/${created!.token}.json`)).json();
    assert.deepEqual(tok, [{ service_request_id: created!.service_request_id, token: created!.token }]);
    assert.deepEqual(texts(xml((await get(`/open311/v2/tokens/${created!.token}.xml`)).body), 'service_request_id'), [created!.service_request_id]);

    // Rate limit per device (3 an hour here): the 4th well-formed report from device-1 is refused, in Open311's form.
    for (let i = 0; i < 2; i++) {
      const ok = await post('/open311/v2/requests.json', form({ api_key: KEY, service_code: 'noise', lat: '43.7380', long: '7.4200', device_id: 'device-1' }));
      assert.equal(ok.statusCode, 201, ok.body);
    }
    const limited = await post(
      '/open311/v2/requests.json',
      form({ api_key: KEY, service_code: 'noise', lat: '43.7380', long: '7.4200', device_id: 'device-1' }),
    );
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(limited.json()[0].code, 429);
    // Vigil's reason beside the specification's code: the citizen app says "try again in N min" in its reader's language.
    assert.equal(limited.json()[0].reason, 'open311.rate-limited');
    assert.ok(limited.json()[0].params.minutes >= 1);

    // Triage: the fire service sees its reports (the police's noise reports not), reads the reporter (recorded), merges, makes an incident, resolves.
    const fire = await signedIn(vigil, 'responder');
    const list = await fire('GET', '/api/citizen-reports');
    assert.equal(list.status, 200);
    const ids = list.json.reports.map((r: { reportId: string }) => r.reportId);
    assert.ok(ids.includes(exitId) && ids.includes(dupId) && !ids.includes(created!.service_request_id));
    assert.equal(list.json.reports[0].reporter, null);
    const detail = await fire('GET', `/api/citizen-reports/${exitId}`);
    assert.equal(detail.json.report.reporter.phone, '+377 93 15 00 00');
    assert.equal((await vigil.ctx.log.read({ typePrefixes: ['privacy.personal.read'] })).length, 1, 'the read of the reporter is recorded');
    const police = await signedIn(vigil, 'commander');
    assert.equal((await police('GET', `/api/citizen-reports/${exitId}`)).status, 200, 'the police read what the fire service shares with them');
    assert.equal((await police('GET', `/api/citizen-reports/${exitId}`)).json.report.reporter, null, 'but not its reporter');
    const guard = await signedIn(vigil, 'guard');
    assert.equal((await guard('GET', `/api/citizen-reports/${exitId}`)).status, 404);
    assert.equal((await guard('POST', `/api/citizen-reports/${exitId}/acknowledge`, {})).status, 404);

    assert.equal((await fire('POST', `/api/citizen-reports/${dupId}/merge`, { into: exitId, note: 'Same exit' })).status, 200);
    assert.equal((await fire('POST', `/api/citizen-reports/${exitId}/acknowledge`, {})).status, 200);
    assert.equal((await fire('POST', `/api/citizen-reports/${exitId}/acknowledge`, {})).status, 409);
    const inc = await fire('POST', `/api/citizen-reports/${exitId}/incident`, {});
    assert.equal(inc.status, 201, inc.body);
    const incident = vigil.capabilities.incidents.service.state.incidents.get(inc.json.report.incident.incidentId)!;
    assert.equal(incident.source, 'citizen');
    assert.equal(incident.orgId, stored.orgId);
    assert.equal((await fire('POST', `/api/citizen-reports/${exitId}/resolve`, { note: 'The exit was unchained and the manager fined.' })).status, 200);

    // The reporter follows it with the personal link, no account; so does the one whose report was merged.
    const seen = await get(`/api/public/citizen-reports/follow/${followToken}`);
    assert.equal(seen.json().report.status, 'resolved');
    assert.equal(seen.json().report.publicNote, 'The exit was unchained and the manager fined.');
    assert.match(seen.json().report.incidentReference, /^INC-/);
    assert.equal((await get('/api/public/citizen-reports/follow/not-a-token')).statusCode, 404);
    const closed = (await get(`/open311/v2/requests.json?service_request_id=${exitId},${dupId}`)).json() as { status: string; status_notes: string }[];
    assert.deepEqual(
      closed.map((r) => r.status),
      ['closed', 'closed'],
    );
    // The merged report's public note speaks of the report it joined in words, and links to its public page.
    const exitPage = `${vigil.ctx.publicUrl()}/citizen?report=${exitId}#reports`;
    assert.equal(
      closed[1]!.status_notes,
      `The same problem was already reported: "Blocked emergency exit", nearby, received ${dayOf(stored.requestedAt, 'en')}. This report now follows that one; follow it here: ${exitPage}\nSame exit`,
    );
    const closedFr = texts(xml((await get(`/open311/v2/requests/${dupId}.xml?locale=fr`)).body), 'status_notes')[0]!;
    assert.equal(
      closedFr,
      `Le même problème avait déjà été signalé : « Issue de secours bloquée », à proximité, reçu le ${dayOf(stored.requestedAt, 'fr')}. Ce signalement suit désormais celui-là ; suivez-le ici : ${exitPage}\nSame exit`,
    );
    assert.deepEqual(texts(xml((await get(`/open311/v2/requests/${dupId}.xml?locale=fr`)).body), 'service_name'), ['Issue de secours bloquée']);
    // Its reporter's status page says the same, with what the app needs to open that report.
    const dupSeen = (await get(`/api/public/citizen-reports/follow/${dupFollow}`)).json().report;
    assert.equal(dupSeen.status, 'resolved', 'a merged report follows the one it joined');
    assert.deepEqual(dupSeen.joined, {
      reportId: exitId,
      serviceName: { en: 'Blocked emergency exit', fr: 'Issue de secours bloquée' },
      address: null,
      requestedAt: stored.requestedAt,
      status: 'closed',
      mergeNote: 'Same exit',
    });
    const figures = (await fire('GET', '/api/citizen-reports')).json.figures;
    const fireOwns = [...vigil.capabilities.citizenReports.state.reports.values()].filter((r) => r.orgId === stored.orgId).length;
    assert.equal(figures.received, fireOwns, "the fire service's figures count the reports it owns");
    assert.ok(fireOwns >= 3);
    assert.ok(figures.medianHoursToResolve !== null);

    // The cockpit counts the reports (city-wide, per 100 000 residents) and the time to resolve them.
    const analyst = await signedIn(vigil, 'analyst');
    const rate = (await analyst('GET', '/api/cockpit/indicators/vigil.citizen-reports-rate/values?level=city')).json.values;
    assert.equal(rate.length, 1);
    assert.ok(rate[0].value > 0, JSON.stringify(rate[0]));
    const resolveTime = (await analyst('GET', '/api/cockpit/indicators/vigil.citizen-report-resolve-time/values?level=city')).json.values;
    assert.ok(Number.isFinite(resolveTime[0].value) && resolveTime[0].value >= 0, JSON.stringify(resolveTime[0]));
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
