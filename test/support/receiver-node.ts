import { serveVigil, type RunningVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import type { Clock } from '../../src/kernel/time.js';
import type { EventLog } from '../../src/platform/event-log.js';
import { withReceiverMode } from './dc09-panel.js';

/**
 * A node for the receiver's durability tests (test/durability/receiver-*.test.ts and the kill -9
 * child, receiver-worker.ts): over `dataDir`, the DC-09 receiver on a free port in the given mode
 * (thread or main), no demo, nothing logged; `env` adds settings (the child's embedded broker, no
 * per-source limit); `testHooks` lets the test crash the receiver thread (VIGIL_DC09_TEST_HOOKS).
 */
export async function startReceiverNode(
  dataDir: string,
  options: { mode: 'thread' | 'main'; env?: Record<string, string>; testHooks?: boolean; clock?: Clock },
): Promise<RunningVigil> {
  const hooksBefore = process.env.VIGIL_DC09_TEST_HOOKS;
  if (options.testHooks) process.env.VIGIL_DC09_TEST_HOOKS = '1';
  try {
    return await withReceiverMode(options.mode, () =>
      serveVigil(
        {
          ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO: 'false', ...options.env }),
          dataDir,
          port: 0,
          host: '127.0.0.1',
        },
        options.clock ? { clock: options.clock } : {},
      ),
    );
  } finally {
    if (hooksBefore === undefined) delete process.env.VIGIL_DC09_TEST_HOOKS;
    else process.env.VIGIL_DC09_TEST_HOOKS = hooksBefore;
  }
}

/**
 * The alarm signals in the log after `afterSeq` (of `accounts` only, when given): how many times each
 * alarm (account:zone) is there, and the journal record of each that came through the receiver thread.
 */
export async function storedAlarms(
  log: EventLog,
  options: { afterSeq?: number; accounts?: ReadonlySet<string> } = {},
): Promise<{ perAlarm: Map<string, number>; journal: number[] }> {
  const perAlarm = new Map<string, number>();
  const journal: number[] = [];
  for (let after = options.afterSeq ?? 0; ;) {
    const batch = await log.read({ afterSeq: after, limit: 10_000, typePrefixes: ['alarms.signal.received'] });
    if (batch.length === 0) break;
    for (const e of batch) {
      const s = (e.data as { signal: { account: string; zone: string; journal?: number } }).signal;
      if (options.accounts && !options.accounts.has(s.account)) continue;
      const key = `${s.account}:${Number(s.zone)}`;
      perAlarm.set(key, (perAlarm.get(key) ?? 0) + 1);
      if (s.journal !== undefined) journal.push(s.journal);
    }
    after = batch.at(-1)!.seq;
  }
  return { perAlarm, journal };
}
