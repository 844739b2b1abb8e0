// bench:marc's load generator spread over worker threads (BENCH_LOAD_WORKERS): each worker
// drives its share of the panels (connections first..first+count-1) for the mix and paced
// phases, so 10 000 panels do not all wait on one JavaScript thread of the generator.
// Messages in: connect, flat, paced, close; each answered once done.
import { parentPort } from 'node:worker_threads';
import { Panel, panelAccount } from './marc-load.js';

export type LoadCommand =
  | { cmd: 'connect'; port: number; first: number; count: number }
  | { cmd: 'flat'; seconds: number }
  | { cmd: 'paced'; seconds: number; intervalMs: number }
  | { cmd: 'close' };
export type LoadAnswer = { cmd: 'connect' } | { cmd: 'flat'; acked: number; nacked: number } | { cmd: 'paced'; latencies: number[] } | { cmd: 'close' };

/** 9 polls to 1 alarm, the alarms spread over the panels (i is the panel's global index). */
export const mixKind = (i: number, n: number): 'alarm' | 'poll' => ((n + i) % 10 === 0 ? 'alarm' : 'poll');

/** Connects `count` panels from `first`, a few hundred at a time (the listen backlog is finite). */
export async function connectPanels(port: number, first: number, count: number): Promise<Panel[]> {
  const panels: Panel[] = [];
  for (let at = 0; at < count; at += 250) {
    const n = Math.min(250, count - at);
    panels.push(...(await Promise.all(Array.from({ length: n }, (_, k) => Panel.connect(port, panelAccount(first + at + k))))));
  }
  return panels;
}

/** Every panel sends the mix as fast as its replies come back for `seconds`. */
export async function flatMix(panels: Panel[], first: number, seconds: number): Promise<{ acked: number; nacked: number }> {
  let acked = 0;
  let nacked = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    panels.map(async (p, k) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const r = await p.send(mixKind(first + k, n), (n % 999) + 1);
        if (r.ack) acked++;
        else nacked++;
      }
    }),
  );
  return { acked, nacked };
}

/** Each panel sends one frame every `intervalMs` (a late reply delays its next); returns every ACK latency. */
export async function pacedMix(panels: Panel[], first: number, seconds: number, intervalMs: number): Promise<number[]> {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    panels.map(async (p, k) => {
      let next = start + Math.random() * intervalMs;
      for (let n = 0; next < end; n++) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        latencies.push((await p.send(mixKind(first + k, n), (n % 999) + 1)).ms);
        next += intervalMs;
      }
    }),
  );
  return latencies;
}

if (parentPort) {
  const port = parentPort;
  let panels: Panel[] = [];
  let first = 0;
  port.on('message', (m: LoadCommand) => {
    void (async (): Promise<LoadAnswer> => {
      switch (m.cmd) {
        case 'connect':
          first = m.first;
          panels = await connectPanels(m.port, m.first, m.count);
          return { cmd: 'connect' };
        case 'flat':
          return { cmd: 'flat', ...(await flatMix(panels, first, m.seconds)) };
        case 'paced':
          return { cmd: 'paced', latencies: await pacedMix(panels, first, m.seconds, m.intervalMs) };
        case 'close':
          panels.forEach((p) => p.close());
          return { cmd: 'close' };
      }
    })().then((answer) => port.postMessage(answer));
  });
}
