import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil, type RunningVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { signedIn } from '../../test/support/api-client.js';
import { publishedConsultation } from '../../test/support/consultations.js';
import { until } from '../../test/support/until.js';
import { CITIZEN_APP_API_KEY } from './model.js';

/*
 * "The reporter is told when it is resolved" and each participant sees the decision "with how
 * their input counted" — end to end on a demo node: the consent given with the report and the
 * answer, the notices due while no SMTP server is there (kept, not lost, across a restart), then
 * delivered through the e-mail channel adapter to the demo's SMTP sink (GET /api/demo/inbox),
 * each linking to the person's own status page. Then the privacy page finds the reporter and the
 * participant by their e-mail, and erasure removes them while the report and the answer stay.
 */

const base = { VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_NOTICE_TICK_MS: '200', VIGIL_NOTICE_RETRY_MS: '200' };
const REPORTER = 'lea.reporter@example.invalid';
const SECOND = 'marc.second@example.invalid';
const PARTICIPANT = 'paul.participant@example.invalid';

type Mail = { to: string[]; subject: string; text: string };

test('notices: reporters and participants who asked are told by e-mail (durable across a restart, to the demo inbox); privacy export and erasure find them', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-notices-'));
  // First node: no SMTP server (the demo sinks off): the notices become due and stay so.
  let vigil: RunningVigil = await serveVigil({ ...loadConfig({ ...base, VIGIL_DEMO_SINKS: 'false' }), dataDir, port: 0, host: '127.0.0.1' });
  const app = () => vigil.server.app;
  const open311 = async (fields: Record<string, string>) => {
    const r = await app().inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      payload: new URLSearchParams({ api_key: CITIZEN_APP_API_KEY, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      remoteAddress: `198.51.100.${Math.floor(Math.random() * 200) + 20}`,
    });
    return { status: r.statusCode, json: r.json() as { service_request_id: string; follow_url: string; description?: string }[] };
  };
  let first: { id: string; follow: string };
  let second: { id: string; follow: string };
  let answer: { contributionId: string; followToken: string };
  let consultationId: string;
  try {
    assert.equal(vigil.ctx.config.smtpUrl, null, 'this node has no SMTP server');
    // Consent is checked: e-mail notices need the address; an unknown channel is refused.
    const noAddress = await open311({ service_code: 'graffiti', lat: '43.7384', long: '7.4246', notify: 'email' });
    assert.equal(noAddress.status, 400);
    assert.match(JSON.stringify(noAddress.json), /notify=email needs the email/);
    assert.match(JSON.stringify((await open311({ service_code: 'graffiti', lat: '43.7384', long: '7.4246', notify: 'sms' })).json), /notify takes email, push/);
    assert.match(
      JSON.stringify(
        (await open311({ service_code: 'graffiti', lat: '43.7384', long: '7.4246', notify: 'push', push_subscription: '{"endpoint":"http://x"}' })).json,
      ),
      /https endpoint/,
    );

    const a = await open311({
      service_code: 'graffiti',
      lat: '43.7384',
      long: '7.4246',
      description: 'Tags on the wall of the stairs to the Rocher',
      email: REPORTER,
      first_name: 'Léa',
      notify: 'email',
    });
    assert.equal(a.status, 201, JSON.stringify(a.json));
    first = { id: a.json[0]!.service_request_id, follow: a.json[0]!.follow_url };
    const b = await open311({
      service_code: 'graffiti',
      lat: '43.73842',
      long: '7.42462',
      description: 'Same tags',
      email: SECOND,
      notify: 'email',
      notify_lang: 'fr',
    });
    assert.equal(b.status, 201, JSON.stringify(b.json));
    second = { id: b.json[0]!.service_request_id, follow: b.json[0]!.follow_url };
    // Consent is recorded with the report (channels, language, when); the addresses are not in the clear.
    const stored = vigil.capabilities.citizenReports.state.reports.get(first.id)!;
    assert.deepEqual(stored.notify?.channels, ['email']);
    assert.ok(stored.notify?.at);
    const [submitted] = await vigil.ctx.log.read({ typePrefixes: ['citizen-reports.report.submitted'], subject: `citizen-report:${first.id}`, limit: 1 });
    assert.doesNotMatch(JSON.stringify(submitted!.data), /lea\.reporter|follow=/, 'the address and the follow token are sealed');

    // The city triages: the second is merged into the first, the first resolved with a public note.
    const admin = await signedIn(vigil, 'admin');
    assert.equal((await admin('POST', `/api/citizen-reports/${second.id}/merge`, { into: first.id, note: 'Same wall' })).status, 200);
    const resolved = await admin('POST', `/api/citizen-reports/${first.id}/resolve`, { note: 'The wall was cleaned on Tuesday.' });
    assert.equal(resolved.status, 200, resolved.body);

    // A consultation: a member of the public answers and asks to be told the decision by e-mail.
    const analyst = await signedIn(vigil, 'analyst');
    consultationId = await publishedConsultation(analyst, {
      title: 'Lighting of the Rocher stairs',
      question: 'Should the stairs be lit all night?',
      information: 'Two options: all night, or until 01:00 with presence detectors.',
    });
    const publicAnswer = (payload: unknown) =>
      app().inject({
        method: 'POST',
        url: `/api/public/engagement/consultations/${consultationId}/answers`,
        payload: payload as object,
        remoteAddress: '203.0.113.40',
      });
    assert.equal(
      (await publicAnswer({ text: 'All night please', position: 'support', notify: ['email'] })).statusCode,
      400,
      'e-mail notice without an address',
    );
    const answered = await publicAnswer({
      text: 'All night please, the stairs are dark',
      position: 'support',
      name: 'Paul',
      email: PARTICIPANT,
      notify: ['email'],
    });
    assert.equal(answered.statusCode, 201, answered.body);
    answer = answered.json() as { contributionId: string; followToken: string };
    assert.equal((await analyst('POST', `/api/engagement/consultations/${consultationId}/close`)).status, 200);
    const decided = await analyst('POST', `/api/engagement/consultations/${consultationId}/decision`, {
      summary: 'Lit until 01:00, then on presence detectors',
      outcomes: [{ contributionId: answer.contributionId, effect: 'partly-adopted', explanation: 'The stairs stay lit when someone walks them.' }],
    });
    assert.equal(decided.status, 200, decided.body);

    // Without an SMTP server nothing is sent, and nothing is lost: the notices are due.
    await vigil.capabilities.citizenReports.notices.pass();
    await vigil.capabilities.engagement.notices.pass();
    // (The demo city's own reporters' notices are due too: the test looks at those of its two reports.)
    const ofMine = (id: string) => id.startsWith(`${first.id}:`) || id.startsWith(`${second.id}:`);
    assert.deepEqual([...vigil.capabilities.citizenReports.state.dueNotices.keys()].filter(ofMine).sort(), [
      `${first.id}:resolved:email`,
      `${second.id}:merged:email`,
      `${second.id}:resolved:email`,
    ]);
    assert.deepEqual([...vigil.capabilities.engagement.state.dueNotices.keys()], [`${answer.contributionId}:decided:email`]);
  } finally {
    await vigil.close();
  }

  // Second node on the same data, now with the demo's SMTP sink: the notices due are sent after the restart.
  vigil = await serveVigil({ ...loadConfig({ ...base, VIGIL_DEMO_SINKS: 'true' }), dataDir, port: 0, host: '127.0.0.1' });
  try {
    assert.ok(vigil.demoSinks, 'the demo sinks run');
    const admin = await signedIn(vigil, 'admin');
    const inbox = async (): Promise<Mail[]> => (await admin('GET', '/api/demo/inbox?limit=500')).json.mail as Mail[];
    const mailTo = async (to: string) => (await inbox()).filter((m) => m.to.includes(to));
    await until(
      async () => (await mailTo(REPORTER)).length >= 1 && (await mailTo(SECOND)).length >= 2 && (await mailTo(PARTICIPANT)).length >= 1,
      'the notices in the demo inbox',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(vigil.capabilities.citizenReports.state.reports.get(first.id)?.notices)}`);
    });

    const [toReporter] = await mailTo(REPORTER);
    assert.equal(toReporter!.subject, 'Your report is resolved: Graffiti');
    assert.match(toReporter!.text, /resolved by /);
    assert.match(toReporter!.text, /The wall was cleaned on Tuesday\./);
    assert.ok(
      toReporter!.text.includes(`Follow it with your personal link: ${first.follow.replace(/^https?:\/\/[^/]+/, vigil.ctx.publicUrl())}`),
      toReporter!.text,
    );
    const toSecond = (await mailTo(SECOND)).map((m) => m.subject).sort();
    assert.deepEqual(toSecond, ['Votre signalement a été joint à un autre : Graffiti', 'Votre signalement est résolu : Graffiti'], 'in the language asked');
    // The merge speaks of the report it joined in words (service, place, day), never by its id.
    const joinedMail = (await mailTo(SECOND)).find((m) => m.subject.startsWith('Votre signalement a été joint'))!;
    assert.match(joinedMail.text, /le même problème était déjà signalé \(« Graffiti », à proximité, reçu le \d{1,2} décembre\)/);
    assert.ok(!joinedMail.text.includes(first.id), joinedMail.text);
    const [toParticipant] = await mailTo(PARTICIPANT);
    assert.equal(toParticipant!.subject, 'Decision on "Lighting of the Rocher stairs": how your answer counted');
    assert.match(toParticipant!.text, /decided: Lit until 01:00, then on presence detectors/);
    assert.match(toParticipant!.text, /Partly adopted\. The stairs stay lit when someone walks them\./);
    assert.ok(toParticipant!.text.includes(`/citizen?answer=${encodeURIComponent(answer!.followToken)}`));

    // The outcome is recorded: nothing due, each sent once; triage staff see it on the report.
    await until(
      () => vigil.capabilities.citizenReports.state.dueNotices.size === 0 && vigil.capabilities.engagement.state.dueNotices.size === 0,
      'outcomes recorded',
    );
    const detail = (await admin('GET', `/api/citizen-reports/${first!.id}`)).json.report;
    assert.deepEqual(
      detail.notices.map((n: { what: string; channel: string; state: string; error: string | null }) => [n.what, n.channel, n.state, n.error]),
      [['resolved', 'email', 'sent', null]],
    );
    const merged = (await admin('GET', `/api/citizen-reports/${second!.id}`)).json.report;
    assert.deepEqual(
      merged.notices.map((n: { what: string; state: string }) => [n.what, n.state]),
      [
        ['merged', 'sent'],
        ['resolved', 'sent'],
      ],
      'each notice to the reporter, oldest first',
    );
    // ... and on the participant's answer.
    const answers = (await (await signedIn(vigil, 'analyst'))('GET', `/api/engagement/consultations/${consultationId!}`)).json.contributions;
    const told = answers.find((c: { contributionId: string }) => c.contributionId === answer!.contributionId);
    assert.deepEqual(
      told.notices.map((n: { what: string; channel: string; state: string }) => [n.what, n.channel, n.state]),
      [['decided', 'email', 'sent']],
    );
    assert.ok(!Number.isNaN(Date.parse(told.notices[0].at)));
    assert.equal((await mailTo(REPORTER)).length, 1, 'sent once');
    // The personal link in the message opens the reporter's status page.
    const token = new URL(first!.follow).searchParams.get('follow')!;
    const follow = await vigil.server.app.inject({ method: 'GET', url: `/api/public/citizen-reports/follow/${token}` });
    assert.equal(follow.json().report.status, 'resolved');

    // Privacy: the subject-access export finds the reporter and the participant by e-mail ...
    const exported = await admin('POST', '/api/privacy/subjects/export', { email: REPORTER, reason: 'request of Léa' });
    assert.equal(exported.status, 200, exported.body);
    const rec = exported.json.records as {
      kind: string;
      label: string;
      data: { reporter: { email: string; firstName: string }; notify: { channels: string[] } };
    }[];
    assert.deepEqual(
      rec.map((r) => r.kind),
      ['reporter'],
    );
    assert.equal(rec[0]!.data.reporter.firstName, 'Léa');
    assert.deepEqual(rec[0]!.data.notify.channels, ['email']);
    assert.match(rec[0]!.label, /citizen report Graffiti/);
    const participant = await admin('POST', '/api/privacy/subjects/export', { email: PARTICIPANT.toUpperCase() });
    assert.deepEqual(
      (participant.json.records as { kind: string }[]).map((r) => r.kind),
      ['participant'],
    );
    assert.match(JSON.stringify(participant.json.records[0].data), /All night please.*partly-adopted/);
    assert.equal((await (await signedIn(vigil, 'responder'))('POST', '/api/privacy/subjects/export', { email: REPORTER })).status, 403);

    // ... and erasure removes them, keeping the report and the answer, anonymised.
    const erased = await admin('POST', '/api/privacy/subjects/erase', { email: REPORTER });
    assert.deepEqual(
      (erased.json.erased as { kind: string }[]).map((e) => e.kind),
      ['reporter'],
    );
    assert.equal((await admin('POST', '/api/privacy/subjects/erase', { email: PARTICIPANT })).status, 200);
    const after = (await admin('GET', `/api/citizen-reports/${first!.id}`)).json.report;
    assert.equal(after.reporter, null);
    assert.equal(after.reporterErased, true);
    assert.equal(after.description, 'Tags on the wall of the stairs to the Rocher', 'the report stays');
    assert.equal((await admin('POST', '/api/privacy/subjects/export', { email: REPORTER })).json.records.length, 0);
    assert.equal((await admin('POST', '/api/privacy/subjects/export', { email: PARTICIPANT })).json.records.length, 0);
    const consultation = (await (await signedIn(vigil, 'analyst'))('GET', `/api/engagement/consultations/${consultationId!}`)).json;
    const kept = consultation.contributions.find((c: { contributionId: string }) => c.contributionId === answer!.contributionId);
    assert.equal(kept.text, 'All night please, the stairs are dark', 'the answer stays');
    assert.equal(kept.contact, null, 'without the name and e-mail');
    assert.equal(kept.outcome.effect, 'partly-adopted');
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
