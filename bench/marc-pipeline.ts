// The receiver's pipeline without the network: frames → parse → rules → durable
// append → ACK, in one process, with 200 frames in flight. Gives CPU time per frame,
// steadier than the TCP figure on a shared machine. Used while tuning bench:marc.
// BENCH_KIND=poll sends NULL polls instead of SIA-DCS alarms (the poll path: no event).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';
import { Dc09Framer } from '../src/adapters/protocols/dc09/dc09-framer.js';
import { signalFrame } from '../src/adapters/protocols/dc09/dc09-reply.js';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 40_000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 200);
const POLLS = process.env.BENCH_KIND === 'poll';
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-pipe-'));
const vigil = await serveVigil({
  ...loadConfig({ ...process.env, VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'warn', VIGIL_DATABASE_URL: '' }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});
const service = vigil.capabilities.alarms.ingest.dc09;
const framer = new Dc09Framer();
const frames = Array.from(
  { length: FRAMES },
  (_, n) =>
    framer.push(
      signalFrame({
        id: POLLS ? 'NULL' : 'SIA-DCS',
        seq: (n % 9999) + 1,
        account: (0x10000 + (n % IN_FLIGHT)).toString(16).toUpperCase(),
        data: POLLS ? '' : `Nri1/BA${(n % 999) + 1}`,
        now: Date.now(),
      }),
    ).frames[0]!,
);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < FRAMES) {
      const reply = await service.handleDc09(frames[next++]!, 'bench');
      if (!reply || !reply.toString('latin1').includes('"ACK"')) throw new Error(`not acknowledged: ${reply?.toString('latin1')}`);
    }
  }),
);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const out = {
  bench: 'marc-pipeline',
  kind: POLLS ? 'poll' : 'alarm',
  frames: FRAMES,
  framesPerSec: Math.round(FRAMES / (ms / 1000)),
  cpuUsPerFrame: +((cpu.user + cpu.system) / FRAMES).toFixed(1),
  wallUsPerFrame: +((ms * 1000) / FRAMES).toFixed(1),
};
console.log(JSON.stringify(out));
await vigil.close();
rmSync(dataDir, { recursive: true, force: true });
