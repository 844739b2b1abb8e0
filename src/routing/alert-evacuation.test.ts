import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inArea, targetAreaOf } from '../alerts/contract.js';
import { flood } from '../../test/support/alert-fixtures.js';
import { signedIn } from '../../test/support/api-client.js';
import { smtpServer } from '../../test/support/smtp-server.js';
import { hazardOf } from './alert-evacuation.js';
import { until } from '../../test/support/until.js';
import { startTestNode, stopTestNode } from '../../test/support/test-node.js';

/** An alert that asks Fontvieille to evacuate: each resident's e-mail and the citizen app carry a foot route out of the area. */
test('evacuation guidance: an Evacuate alert carries each resident a route to an assembly point outside the hazard, in their language', async () => {
  const smtp = await smtpServer();
  const vigil = await startTestNode('evacuation', { VIGIL_SMTP_URL: smtp.url });
  try {
    await vigil.capabilities.routing.loaded;
    const author = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    // The flood spreads: the plan must keep walkers ahead of it, not only leave today's footprint.
    const spreading = {
      ...flood,
      channels: ['email'],
      info: flood.info.map((i) => ({ ...i, parameter: [{ valueName: 'hazardSpreadMPerMin', value: '20' }] })),
    };
    const { json } = await author('POST', '/api/alerts', spreading);
    assert.equal(json.alert ? 'ok' : JSON.stringify(json), 'ok');
    await author('POST', `/api/alerts/${json.alert.alertId}/submit`);
    await second('POST', `/api/alerts/${json.alert.alertId}/approve`);
    const alert = vigil.capabilities.alerts.service.state.alerts.get(json.alert.alertId)!;
    assert.equal(hazardOf(alert).spreadMPerMin, 20);
    const area = targetAreaOf(alert.cap.info![0]!.area!);
    const residents = vigil.capabilities.alerts.subscribers.state.within(area).filter((s) => s.email);
    assert.ok(residents.length > 10);
    // The demo's citizen reports send their reporters notices through the same SMTP server: read the alert's mails.
    const alertMails = () => smtp.received.filter((m) => m.headers.get('x-vigil-alert') === alert.alertId);
    await until(() => alertMails().length >= residents.length, `${residents.length} e-mails`);
    // Every resident of Fontvieille is told where to walk, in French or in English as they chose.
    // Those the spreading flood would catch on the way are told to shelter in place instead.
    const routed = alertMails().filter((m) =>
      /(Walk|Marchez) .*(to assembly point|jusqu'au point de rassemblement) .+, \d+ m, (about|environ) \d+ min\./.test(m.text ?? ''),
    );
    const shelter = alertMails().filter((m) => /No safe walking route: shelter in place|Aucun itinéraire sûr à pied/.test(m.text ?? ''));
    assert.equal(routed.length + shelter.length, alertMails().length, 'every e-mail says where to walk or to stay');
    assert.ok(routed.length > shelter.length, `${routed.length} routed, ${shelter.length} told to shelter`);
    assert.ok(
      alertMails().some((m) => /Marchez .* point de rassemblement/.test(m.text ?? '')) && alertMails().some((m) => /Walk .* assembly point/.test(m.text ?? '')),
    );

    // The citizen app: from a building in Fontvieille, the route in each language; outside any evacuated place, none.
    const inside = residents[0]!.locations.find((l) => inArea(l.position, area))!.position;
    const here = (await (await fetch(`${vigil.url}/api/public/alerts?lat=${inside[1]}&lon=${inside[0]}`)).json()) as {
      alerts: { alertId: string; covers: boolean; guidance: string | null; guidanceByLanguage: Record<string, string | null> }[];
    };
    const view = here.alerts.find((a) => a.alertId === alert.alertId)!;
    assert.equal(view.covers, true);
    assert.match(view.guidanceByLanguage['en-GB']!, /^Walk .* to assembly point .+, \d+ m, about \d+ min\.$/);
    assert.match(view.guidanceByLanguage['fr-MC']!, /^Marchez .* jusqu'au point de rassemblement .+, \d+ m, environ \d+ min\.$/);
    const far = (await (await fetch(`${vigil.url}/api/public/alerts?lat=43.7470&lon=7.4370`)).json()) as {
      alerts: { alertId: string; guidance: string | null }[];
    };
    assert.equal(far.alerts.find((a) => a.alertId === alert.alertId)!.guidance, null, 'Larvotto is not evacuated');
    // Without a place: the assembly points in use.
    const anywhere = (await (await fetch(`${vigil.url}/api/public/alerts`)).json()) as { alerts: { alertId: string; guidance: string | null }[] };
    assert.match(anywhere.alerts.find((a) => a.alertId === alert.alertId)!.guidance!, /^Points de rassemblement : .+\.$/);
  } finally {
    await stopTestNode(vigil);
    await smtp.close();
  }
});
