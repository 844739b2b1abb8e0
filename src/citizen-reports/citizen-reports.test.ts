import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jpegWithExif, TINY_JPEG } from '../../test/support/tiny-jpeg.js';
import { FormError, attributesOf, parseMultipart, parseUrlEncoded } from './form.js';
import { CITIZEN_APP_API_KEY } from './model.js';
import { toXml, xmlText } from './open311-format.js';
import { PhotoError, stripPhoto } from './photo.js';
import { joinedPhrase, mergedStatusNote } from './public-notes.js';
import { ReportsState } from './reports-state.js';
import { checkClient, checkReport, parseRequestsQuery, triageRefusal, type RequestContext } from './rules.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { CitizenReport } from './model.js';

const CASINO: [number, number] = [7.4275, 43.7395];
const ctx: RequestContext = {
  jurisdictionId: 'monaco',
  apiKeys: new Map([[CITIZEN_APP_API_KEY, 'vigil-citizen-app']]),
  locate: (a) => (/casino/i.test(a) ? { position: CASINO, address: 'Place du Casino' } : null),
  inCity: (p) => p[0] > 7.4 && p[0] < 7.45 && p[1] > 43.72 && p[1] < 43.76,
};
const form = (s: string) => parseUrlEncoded(s);

test('rules: a well-formed report, every problem of a bad one, api_key and jurisdiction', () => {
  const ok = checkReport(
    form('service_code=blocked-emergency-exit&lat=43.7395&long=7.4275&description=Exit+chained&attribute[building_open]=yes&email=a%40b.mc'),
    ctx,
    'app',
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.value.position, CASINO);
  assert.equal(ok.value.reporter?.email, 'a@b.mc');
  assert.deepEqual(ok.value.attributes, { building_open: 'yes' });

  const bad = checkReport(
    form('service_code=blocked-emergency-exit&lat=91&long=7.4&attribute[building_open]=maybe&attribute[colour]=red&email=nope'),
    ctx,
    'app',
  );
  assert.ok(!bad.ok);
  assert.equal(bad.status, 400);
  const text = bad.errors.map((e) => e.description).join('\n');
  for (const want of [/lat must be/, /building_open\] must be one of yes, no/, /colour\] is not an attribute/, /email is not/]) assert.match(text, want);
  assert.ok(bad.errors.every((e) => e.code === 400));

  assert.match(JSON.stringify(checkReport(form('service_code=nope&lat=43.73&long=7.42'), ctx, 'app')), /service_code nope was not found/);
  assert.match(JSON.stringify(checkReport(form('service_code=graffiti'), ctx, 'app')), /a location is required/);
  assert.match(JSON.stringify(checkReport(form('service_code=graffiti&lat=48.85&long=2.35'), ctx, 'app')), /outside the city/);
  const byAddress = checkReport(form('service_code=graffiti&address_string=place+du+casino'), ctx, 'app');
  assert.ok(byAddress.ok && byAddress.value.address === 'Place du Casino');
  assert.match(
    JSON.stringify(checkReport(form('service_code=suspicious-unattended-object&lat=43.73&long=7.42'), ctx, 'app')),
    /object_description\] is required/,
  );

  assert.deepEqual(checkClient(form('api_key=wrong'), ctx), {
    ok: false,
    status: 403,
    errors: [{ code: 403, description: 'Invalid api_key received', reason: 'open311.api-key' }],
  });
  assert.equal((checkClient(form(''), ctx) as { status: number }).status, 403);
  assert.equal((checkClient(form(`api_key=${CITIZEN_APP_API_KEY}&jurisdiction_id=paris`), ctx) as { status: number }).status, 404);
  assert.deepEqual(checkClient(form(`api_key=${CITIZEN_APP_API_KEY}&jurisdiction_id=monaco`), ctx), { ok: true, value: 'vigil-citizen-app' });
});

test('rules: GET requests filters and triage steps by status', () => {
  const now = Date.parse('2026-12-04T10:00:00Z');
  const q = parseRequestsQuery({ service_code: 'graffiti,noise', status: 'open', start_date: '2026-12-01T00:00:00Z' }, now);
  assert.ok(q.ok);
  assert.deepEqual(q.value.serviceCodes, ['graffiti', 'noise']);
  assert.equal(q.value.end, Date.parse('2026-12-01T00:00:00Z') + 90 * 86_400_000);
  assert.ok(!parseRequestsQuery({ start_date: 'yesterday' }, now).ok);
  assert.ok(!parseRequestsQuery({ status: 'pending' }, now).ok);
  assert.ok(!parseRequestsQuery({ start_date: '2026-12-02T00:00:00Z', end_date: '2026-12-01T00:00:00Z' }, now).ok);
  const d = parseRequestsQuery({}, now);
  assert.ok(d.ok && d.value.end === now && d.value.start === now - 90 * 86_400_000);

  assert.equal(triageRefusal('acknowledge', { status: 'received', incident: null }), null);
  assert.match(triageRefusal('acknowledge', { status: 'acknowledged', incident: null })!, /already acknowledged/);
  assert.match(triageRefusal('resolve', { status: 'resolved', incident: null })!, /already resolved/);
  assert.match(triageRefusal('escalate', { status: 'in-progress', incident: { incidentId: 'i', reference: 'INC-0001' } })!, /INC-0001/);
  assert.equal(triageRefusal('resolve', { status: 'in-progress', incident: { incidentId: 'i', reference: 'INC-0001' } }), null);
  assert.match(triageRefusal('merge', { status: 'merged', incident: null })!, /already merged/);
});

test('photos: EXIF, comments and the GPS position are stripped; the position is read first; not-images are refused', () => {
  const phone = jpegWithExif(43.7395, 7.4275);
  const out = stripPhoto(phone);
  assert.equal(out.contentType, 'image/jpeg');
  assert.deepEqual(out.gps, [7.4275, 43.7395]);
  assert.ok(!out.data.includes(Buffer.from('Exif')), 'no EXIF left');
  assert.ok(!out.data.includes(Buffer.from('VigilCam')), 'no camera make left');
  assert.ok(!out.data.includes(Buffer.from('taken at home')), 'no comment left');
  assert.ok(out.data.includes(Buffer.from('ICC_PROFILE')), 'the colour profile stays');
  assert.deepEqual(out.data, TINY_JPEG, 'what is left is the picture the camera encoded');
  assert.equal(stripPhoto(TINY_JPEG).gps, null);
  assert.throws(() => stripPhoto(Buffer.from('<svg onload=alert(1)>')), PhotoError);
  assert.throws(() => stripPhoto(TINY_JPEG.subarray(0, 200)), PhotoError);
});

test('duplicates: an open report of the same service within 50 m and 7 days, from the grid', () => {
  const s = new ReportsState();
  let seq = 0;
  const submit = (id: string, code: string, position: [number, number], at: string): void => {
    const report: CitizenReport = {
      reportId: id,
      serviceCode: code,
      orgId: 'org',
      position,
      address: null,
      description: '',
      attributes: {},
      mediaUrl: null,
      photo: null,
      photoPosition: null,
      requestedAt: at,
      token: `t${id}`,
      followHash: `h${id}`,
      via: 'test',
      nearbyOf: null,
    };
    s.apply({ seq: ++seq, type: 'citizen-reports.report.submitted', at, data: { report, reporter: null } } as unknown as StoredEvent);
  };
  submit('a', 'graffiti', CASINO, '2026-12-01T10:00:00Z');
  submit('b', 'noise', [7.4276, 43.7395], '2026-12-01T10:00:00Z');
  const t = Date.parse('2026-12-02T10:00:00Z');
  assert.equal(s.nearbyOpen('graffiti', [7.4279, 43.7396], t)?.reportId, 'a', '~33 m away');
  assert.equal(s.nearbyOpen('graffiti', [7.4285, 43.7395], t), null, '~80 m away');
  assert.equal(s.nearbyOpen('graffiti', CASINO, Date.parse('2026-12-09T10:00:01Z')), null, 'older than 7 days');
  // Across a grid line (0.001°): still found.
  submit('c', 'flooding', [7.42099, 43.73999], '2026-12-01T10:00:00Z');
  assert.equal(s.nearbyOpen('flooding', [7.42101, 43.74001], t)?.reportId, 'c');
  s.apply({
    seq: ++seq,
    type: 'citizen-reports.report.resolved',
    at: '2026-12-01T11:00:00Z',
    data: { reportId: 'a', note: 'cleaned' },
  } as unknown as StoredEvent);
  assert.equal(s.nearbyOpen('graffiti', CASINO, t), null, 'resolved reports are not duplicates');
});

test('forms (property): url-encoded and multipart forms give back the fields they were built from; bad bodies are FormErrors, never crashes', () => {
  const name = fc.stringMatching(/^[a-z_[\]]{1,20}$/);
  const value = fc.string({ maxLength: 200 });
  const fields = fc.uniqueArray(fc.tuple(name, value), { maxLength: 20, selector: ([n]) => n });
  fc.assert(
    fc.property(fields, (pairs) => {
      const encoded = pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
      const parsed = parseUrlEncoded(encoded);
      for (const [n, v] of pairs) assert.deepEqual(parsed.fields.get(n), [v]);
      const boundary = 'xYz0123';
      const body = Buffer.concat([
        ...pairs.map(([n, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`)),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
        TINY_JPEG,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const multi = parseMultipart(body, boundary);
      for (const [n, v] of pairs) if (!v.includes(`--${boundary}`)) assert.deepEqual(multi.fields.get(n), [v]);
      assert.deepEqual(multi.files[0]?.data, TINY_JPEG);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.string({ maxLength: 300 }), (bytes, text) => {
      for (const run of [() => parseMultipart(Buffer.from(bytes), 'b'), () => parseUrlEncoded(text), () => stripPhoto(Buffer.from(bytes))]) {
        try {
          run();
        } catch (e) {
          assert.ok(e instanceof FormError || e instanceof PhotoError, String(e));
        }
      }
    }),
    { numRuns: 500 },
  );
  const proto = attributesOf(parseUrlEncoded('attribute[__proto__]=x&attribute[a][]=1&attribute[a][]=2'));
  assert.deepEqual(proto.a, ['1', '2']);
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test('XML (property): any text becomes a well-formed element', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
      const x = xmlText(s);
      assert.ok(!/[<>]|&(?!(amp|lt|gt|quot|apos);)/.test(x), x);
      // eslint-disable-next-line no-control-regex -- the characters XML cannot carry are the point
      assert.ok(!/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(x));
    }),
  );
  assert.equal(
    toXml('errors', [{ code: 400, description: 'a < b' }]),
    '<?xml version="1.0" encoding="UTF-8"?>\n<errors><error><code>400</code><description>a &lt; b</description></error></errors>',
  );
});

test('a merged report speaks of the one it joined in words, in each language, with the link to follow it', () => {
  // 23:30 UTC on 1 December is already 2 December in Monaco.
  const joined = { service: 'Flooding', address: 'Rue Grimaldi', requestedAt: '2026-12-01T23:30:00.000Z' };
  const link = 'https://vigil.example/citizen?report=rep_1#reports';
  assert.equal(
    mergedStatusNote(joined, link, null, 'en', 'Europe/Monaco'),
    'The same problem was already reported: "Flooding", Rue Grimaldi, received 2 December. This report now follows that one; follow it here: https://vigil.example/citizen?report=rep_1#reports',
  );
  assert.equal(
    mergedStatusNote({ ...joined, service: 'Inondation' }, link, 'Même rue, même flaque.', 'fr', 'Europe/Monaco'),
    'Le même problème avait déjà été signalé : « Inondation », Rue Grimaldi, reçu le 2 décembre. Ce signalement suit désormais celui-là ; suivez-le ici : https://vigil.example/citizen?report=rep_1#reports\nMême rue, même flaque.',
  );
  // Only a position was given: "nearby", never a bare id.
  assert.equal(joinedPhrase({ ...joined, address: null }, 'en', 'UTC'), '"Flooding", nearby, received 1 December');
  assert.equal(joinedPhrase({ ...joined, address: null, service: 'Inondation' }, 'fr', 'UTC'), '« Inondation », à proximité, reçu le 1 décembre');
});
