// Child process of delivery-kill9.test.ts: a Vigil node on the SQLite store in the given
// folder, sending e-mail to the given SMTP server. `issue`: seeds the demo, registers
// subscribers inside Fontvieille, issues an e-mail alert over them and prints its id,
// then keeps delivering until killed. `resume`: opens the same store and prints the
// e-mail channel's progress once the resumer has finished it.
import { serveVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { flood } from '../support/alert-fixtures.js';
import { signedIn } from '../support/api-client.js';

const [dataDir, smtpUrl, mode, count] = process.argv.slice(2);
const vigil = await serveVigil({
  ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_SMTP_URL: smtpUrl!, VIGIL_ROUTING_OSM: 'off' }),
  dataDir: dataDir!,
  port: 0,
  host: '127.0.0.1',
});
if (mode === 'issue') {
  for (let i = 0; i < Number(count); i++) {
    await vigil.capabilities.alerts.subscribers.register(
      {
        language: 'en-GB',
        email: `person${i}@example.org`,
        locations: [{ kind: 'home', lat: 43.729 + (i % 20) * 0.0001, lon: 7.416 + Math.floor(i / 20) * 0.0001 }],
        consent: true,
      },
      'kill9-test',
    );
  }
  const author = await signedIn(vigil, 'alert-officer');
  const second = await signedIn(vigil, 'duty-officer');
  const created = await author('POST', '/api/alerts', { ...flood, channels: ['email'], info: flood.info.map((i) => ({ ...i, responseType: ['Prepare'] })) });
  const alertId = created.json.alert.alertId as string;
  await author('POST', `/api/alerts/${alertId}/submit`);
  const approved = await second('POST', `/api/alerts/${alertId}/approve`);
  process.stdout.write(`issued ${alertId} ${approved.status}\n`);
} else {
  const alertId = mode!;
  // Bounded: a resumer that never finishes fails the test instead of hanging it.
  setTimeout(() => process.exit(3), 120_000).unref();
  for (;;) {
    const email = vigil.capabilities.alerts.delivery.of(alertId).find((p) => p.channel === 'email');
    if (email?.status === 'done') {
      process.stdout.write(`done ${JSON.stringify({ queued: email.queued, sent: email.sent, failed: email.failed, note: email.note })}\n`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await vigil.close();
  process.exit(0);
}
