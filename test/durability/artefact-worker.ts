// Child process of artefact-kill9.test.ts: a Vigil node on the SQLite store in the given folder.
// `serve`: seeds the demo, opens a case as the CSIRT analyst and prints `ready <url> <cookie> <caseId>`,
// then serves until killed. `check <caseId>`: opens the same store and prints what it holds of that
// case's artefacts and what the artefact store holds on disk, then exits.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serveVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { signInCookie, signedIn } from '../support/api-client.js';

const [dataDir, mode, caseId] = process.argv.slice(2);
const vigil = await serveVigil({
  ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off' }),
  dataDir: dataDir!,
  port: 0,
  host: '127.0.0.1',
});
await vigil.demoLoaded;
if (mode === 'serve') {
  const analyst = await signedIn(vigil, 'csirt');
  const cookie = await signInCookie(vigil, 'csirt');
  const opened = await analyst('POST', '/api/csirt/cases', { title: 'Firmware image of a siren controller' });
  process.stdout.write(`ready ${vigil.url} ${cookie} ${opened.json.case.caseId}\n`);
} else {
  const store = join(dataDir!, 'csirt', 'artefacts');
  const files = readdirSync(store, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name).slice(store.length + 1));
  const c = vigil.capabilities.csirt.service.state.cases.get(caseId!);
  process.stdout.write(`checked ${JSON.stringify({ case: c ? c.ref : null, artefacts: c?.artefacts.length ?? null, files })}\n`);
  await vigil.close();
  process.exit(0);
}
