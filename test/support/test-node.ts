import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveVigil, type OpenOptions, type RunningVigil } from '../../src/app.js';
import { loadConfig, type VigilConfig } from '../../src/kernel/config.js';
import { signedIn, type ApiCall } from './api-client.js';

/** How each node of `startTestNode` was started: the data folder made for it (removed at its stop), its settings. */
const started = new WeakMap<RunningVigil, { dataDir: string; config: VigilConfig; options: OpenOptions }>();

async function serveOver(dataDir: string, config: VigilConfig, options: OpenOptions): Promise<RunningVigil> {
  const vigil = await serveVigil(config, options);
  started.set(vigil, { dataDir, config, options });
  return vigil;
}

/**
 * A Vigil node started in this process for a test or a bench, on a free HTTP port on loopback, over
 * a fresh data folder (`vigil-<name>-…` in the temp folder): the DC-09 receiver and the embedded
 * MQTT broker off and nothing logged, unless `env` says otherwise (it is read as the environment
 * would be, on top of those). Stop it with `stopTestNode`, which also removes its folder.
 */
export async function startTestNode(name: string, env: Record<string, string> = {}, options: OpenOptions = {}): Promise<RunningVigil> {
  const dataDir = mkdtempSync(join(tmpdir(), `vigil-${name}-`));
  const config = {
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', ...env }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  };
  try {
    return await serveOver(dataDir, config, options);
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A restart: closes a node of `startTestNode` and starts another over the same data folder with the
 * same settings (new free ports where they were free ones); `stopTestNode` the new one.
 */
export async function restartTestNode(vigil: RunningVigil): Promise<RunningVigil> {
  const how = started.get(vigil);
  if (!how) throw new Error('restartTestNode: not a node of startTestNode');
  await vigil.close();
  return serveOver(how.dataDir, how.config, how.options);
}

/** Closes a node of `startTestNode` (none when its start failed) and removes the data folder made for it. */
export async function stopTestNode(vigil: RunningVigil | undefined): Promise<void> {
  if (!vigil) return;
  await vigil.close();
  const dataDir = started.get(vigil)?.dataDir;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/** A node of `startTestNode` whose API a test calls as demo users (`as`, signed in over HTTP); `close` stops it. */
export async function signedInNode(
  name: string,
  env: Record<string, string> = {},
): Promise<{ vigil: RunningVigil; as: (user: string) => Promise<ApiCall>; close: () => Promise<void> }> {
  const vigil = await startTestNode(name, env);
  return { vigil, as: (user) => signedIn(vigil, user), close: () => stopTestNode(vigil) };
}
