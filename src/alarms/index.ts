import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MqttTopicRouter } from '../adapters/protocols/mqtt/topic-router.js';
import type { CityReadPort } from '../city/contract.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import type { Subscription } from '../platform/event-bus.js';
import { AccountsPlans } from './accounts-plans/accounts-plans.js';
import { PlanNotifier } from './accounts-plans/plan-notifier.js';
import { AlarmsState } from './alarms-state.js';
import type { AlarmsReadPort } from './contract.js';
import { CameraIngest } from './ingest/camera-ingest.js';
import { Dc09Ingest } from './ingest/dc09-ingest.js';
import { Receiver, type MqttAccess, type ReceiverPorts } from './ingest/receiver.js';
import type { ReceiverThreadHealth, ReceiverThreadIds } from './ingest/receiver-thread-host.js';
import { alarmEvent } from './events.js';
import { SensorIngest } from './ingest/sensor-ingest.js';
import { AlarmQueue } from './queue.js';
import { alarmsRoutes } from './routes.js';
import { SignalRecorder } from './signal-recorder.js';
import { AlarmStats, type AlarmFigures } from './stats.js';
import { HEARD_SUBJECT, PathSupervisor, RESTORE_DEFAULTS, type HeardAnnouncement } from './supervision/path-supervisor.js';
import { receiverFaultSignal } from './supervision/receiver-fault.js';
import { ScheduleWatch } from './supervision/schedules.js';
import { alarmsLiveView } from './live-view.js';

export { checkSensorMessage, parseSensorMessage } from './ingest/sensor-message.js';
export { AlarmsState } from './alarms-state.js';

export interface AlarmsCapability extends Capability {
  /** The read model (queue, signals, accounts, plans); others read it through `AlarmsReadPort`. */
  state: AlarmsState;
  read: AlarmsReadPort;
  /** Where signals become durable alarms (crowd raises its alarms here: `AlarmSignalsPort`). */
  signals: SignalRecorder;
  ingest: { dc09: Dc09Ingest; sensors: SensorIngest; cameras: CameraIngest };
  queue: AlarmQueue;
  /** Accounts, action plans, keyholders. */
  plans: AccountsPlans;
  notifier: PlanNotifier;
  supervision: PathSupervisor;
  schedules: ScheduleWatch;
  stats: AlarmStats;
  /** The MQTT topic router the receiver delivers to (in-process delivery for tests and benches). */
  mqtt: MqttTopicRouter;
  /** Ports the DC-09 receiver listens on once started (null when disabled). */
  receiver: ReceiverPorts;
  /** Resolves once every DC-09 frame answered so far is recorded in the log (the receiver thread records after its ACK; tests). */
  receiverSettled(): Promise<void>;
  /** The DC-09 receiver thread's state for /api/health (null when DC-09 is off or on the main thread). */
  receiverHealth(): ReceiverThreadHealth | null;
  /** The DC-09 receiver thread's and its journal writer's thread ids (Linux) and niceness (null when DC-09 is off or on the main thread). */
  receiverThreads(): ReceiverThreadIds | null;
  /** Tests: the receiver thread crashes (with VIGIL_DC09_TEST_HOOKS=1 only). */
  crashReceiverForTests(): void;
  /** Tests (VIGIL_DC09_TEST_HOOKS=1 only): the receiver journal's commits fail while `on`; the main thread records no journalled frame while paused. */
  receiverTestHooks(): { failWrites(on: boolean): void; pauseRecording(on: boolean): void; superviseBacklog(): void } | null;
}

const SUPERVISION_TICK_MS = 250;

/** The monitoring and alarm receiving centre. */
export function createAlarmsCapability(
  ctx: AppContext,
  deps: { city: CityReadPort; registry: Registry; mqtt: MqttTopicRouter; mqttAccess: MqttAccess },
): AlarmsCapability {
  const frames = new Counter({
    name: 'vigil_dc09_frames_total',
    help: 'DC-09 frames by outcome (ack, ack-poll, ack-duplicate, nak-crc, nak-time, duh-key, …)',
    labelNames: ['outcome'],
    registers: [deps.registry],
  });
  const quirks = new Counter({
    name: 'vigil_dc09_quirks_total',
    help: 'Accepted deviations from DC-09 by kind',
    labelNames: ['quirk'],
    registers: [deps.registry],
  });
  const discarded = new Counter({
    name: 'vigil_dc09_discarded_bytes_total',
    help: 'Bytes on DC-09 connections that belonged to no frame',
    registers: [deps.registry],
  });
  const dropped = new Counter({
    name: 'vigil_dc09_dropped_total',
    help: 'DC-09 frames, datagrams and connections dropped by a limit before parsing (rate, udp-queue, connections, quarantine)',
    labelNames: ['reason'],
    registers: [deps.registry],
  });
  // Each frame counts once: the labelled children are looked up once per label (the outcomes and quirks are a fixed set).
  const children = new Map<string, { inc(n?: number): void }>();
  const child = (counter: Counter<string>, label: string, value: string): { inc(n?: number): void } => {
    const key = `${label}\0${value}`;
    let c = children.get(key);
    if (!c) children.set(key, (c = counter.labels({ [label]: value })));
    return c;
  };
  const ackTime = new Histogram({
    name: 'vigil_dc09_ack_seconds',
    help: "Time from a DC-09 frame's bytes read to its ACK written (the journal's commit included): the node's part of a panel's ACK time",
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [deps.registry],
  });
  const counters = {
    frames: (o: string, n = 1) => child(frames, 'outcome', o).inc(n),
    quirk: (q: string, n = 1) => child(quirks, 'quirk', q).inc(n),
    acked: (ms: readonly number[]) => {
      for (const m of ms) ackTime.observe(m / 1000);
    },
  };
  const { city } = deps;
  const state = new AlarmsState(ctx.secrets);
  state.timeZone = ctx.config.timeZone;
  const notifier = new PlanNotifier(ctx, state, city);
  const signals = new SignalRecorder(ctx, state, city, notifier);
  const supervision = new PathSupervisor(ctx, state, city, signals);
  const schedules = new ScheduleWatch(ctx, state, city, signals);
  const queue = new AlarmQueue(ctx, state, city, signals);
  const plans = new AccountsPlans(ctx, state, city, supervision);
  const stats = new AlarmStats(state, city);
  const ingest = {
    dc09: new Dc09Ingest(ctx, state, city, supervision, signals, counters),
    sensors: new SensorIngest(ctx, city, supervision, signals, counters),
    cameras: new CameraIngest(ctx, city, supervision, signals),
  };
  const receiver = new Receiver(
    ctx,
    deps.mqtt,
    ingest.dc09,
    (bytes) => discarded.inc(bytes),
    city,
    deps.mqttAccess,
    (reason, n = 1) => dropped.inc({ reason }, n),
    {
      state,
      counters,
      // Shown to the operators like a transmission path fault: on the live feed, in the log, and as a
      // technical alarm in the queue (city-wide), restored when the receiver is receiving again.
      fault: (reason, downMs) =>
        signals.recordSignals(
          [receiverFaultSignal(ctx.config.nodeId, reason, ctx.clock.now())],
          [
            reason === null
              ? alarmEvent('alarms.receiver.restored', `receiver:${ctx.config.nodeId}`, null, 'system:supervision', { node: ctx.config.nodeId, downMs })
              : alarmEvent('alarms.receiver.failed', `receiver:${ctx.config.nodeId}`, null, 'system:supervision', { node: ctx.config.nodeId, reason }),
          ],
        ),
    },
  );
  // The receiver thread's backlog and state at scrape time (nothing is set when DC-09 is off or on the main thread).
  const receiverGauge = (name: string, help: string, pick: (h: ReceiverThreadHealth) => number): Gauge =>
    new Gauge({
      name,
      help,
      registers: [deps.registry],
      collect() {
        const h = receiver.health();
        if (h) this.set(pick(h));
      },
    });
  receiverGauge(
    'vigil_dc09_unrecorded_frames',
    'DC-09 frames journalled and ACKed that the main thread has yet to record in the log (receiver thread)',
    (h) => h.unrecorded,
  );
  receiverGauge('vigil_dc09_receiver_up', 'The DC-09 receiver thread is receiving (1) or down and being started again (0)', (h) => (h.status === 'ok' ? 1 : 0));
  new Counter({
    name: 'vigil_dc09_receiver_restarts_total',
    help: 'Times the DC-09 receiver thread was started again after it died',
    registers: [deps.registry],
    collect() {
      const h = receiver.health();
      if (h) {
        this.reset();
        this.inc(h.restarts);
      }
    },
  });
  // The sensor topic is ours; people counts on it are crowd's (a route of their own, by message type).
  deps.mqtt.route({ filter: ctx.config.mqttTopic, handle: async (message) => void (await ingest.sensors.handle(message)) });
  ctx.reactions.on('alarms.sensor-message-refused', ({ topic, problem }) => ingest.sensors.refused(topic, problem));
  // EN 50518 figures at scrape time, over every organisation's alarms, from the read
  // model (so a restart does not double-count).
  const gauge = (name: string, help: string, pick: (s: AlarmFigures) => number | null): Gauge =>
    new Gauge({
      name,
      help,
      registers: [deps.registry],
      collect() {
        const v = pick(stats.stats('all'));
        this.set(v ?? Number.NaN);
      },
    });
  gauge('vigil_alarms_open', 'Open alarms (not closed)', (st) => st.open);
  gauge('vigil_alarms_ack_within_30s_ratio', 'Share of acknowledged alarms acknowledged within 30 s (EN 50518)', (st) => st.within30s);
  gauge('vigil_alarms_ack_within_60s_ratio', 'Share of acknowledged alarms acknowledged within 60 s (EN 50518)', (st) => st.within60s);
  gauge('vigil_alarms_ack_median_seconds', 'Median time from alarm to acknowledgement', (st) => st.medianAckSeconds);
  gauge('vigil_alarms_close_median_seconds', 'Median time from alarm to closing', (st) => st.medianCloseSeconds);
  gauge('vigil_alarms_false_ratio', 'Share of closed alarms resolved as false', (st) => st.falseAlarmRate);
  let tick: NodeJS.Timeout | null = null;
  let checkpoint: NodeJS.Timeout | null = null;
  let checkpointing = false;
  let ticking = false;
  let heardSubscription: Subscription | null = null;
  let lastScheduleCheck = 0;
  const capability: AlarmsCapability = {
    name: 'alarms',
    projections: [state],
    routes: alarmsRoutes({ state, queue, plans, stats, cameras: ingest.cameras, city }),
    liveViews: [alarmsLiveView()],
    state,
    read: state,
    signals,
    ingest,
    queue,
    plans,
    notifier,
    supervision,
    schedules,
    stats,
    mqtt: deps.mqtt,
    receiver: { tcpPort: null, udpPort: null, mqttPort: null },
    receiverSettled: () => receiver.settled(),
    receiverHealth: () => receiver.health(),
    receiverThreads: () => receiver.threadIds(),
    crashReceiverForTests: () => receiver.crashThreadForTests(),
    receiverTestHooks: () => {
      const thread = receiver.threadForTests;
      if (!thread?.testHooks) return null;
      return {
        failWrites: (on) => thread.failJournalWritesForTests(on),
        pauseRecording: (on) => thread.pauseRecordingForTests(on),
        superviseBacklog: () => thread.superviseBacklog(),
      };
    },
    async start() {
      await supervision.watchFromCheckpoint();
      // A new leader starts from the last saved heard state (the previous leader's), else a full interval of grace.
      ctx.leadership.onChange((leader) => {
        if (leader) supervision.watchFromCheckpoint().catch((error: unknown) => ctx.logger.error({ err: error }, 'could not restore path supervision'));
      });
      // The heard state is saved every few seconds and at shutdown, never per poll.
      checkpoint = setInterval(() => {
        if (checkpointing) return;
        checkpointing = true;
        supervision
          .checkpointHeard(false)
          .catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not checkpoint the supervision heard state'))
          .finally(() => (checkpointing = false));
      }, RESTORE_DEFAULTS.checkpointPeriodMs);
      checkpoint.unref();
      heardSubscription = await ctx.bus.subscribe<HeardAnnouncement>(HEARD_SUBJECT, (m) => supervision.onHeardAnnouncement(m.payload));
      tick = setInterval(() => {
        if (ticking) return;
        ticking = true;
        // Followers only pass on what they heard; the leader alone raises timer alarms.
        if (!ctx.leadership.isLeader()) {
          supervision
            .announceHeard()
            .catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not announce heard paths'))
            .finally(() => (ticking = false));
          return;
        }
        supervision
          .superviseTick()
          .then(() => queue.holdTick())
          .then(() => queue.escalateTick())
          .then(async () => {
            // Opening hours are checked every 15 s; minutes matter there, not milliseconds.
            if (Date.now() - lastScheduleCheck < 15_000) return;
            lastScheduleCheck = Date.now();
            await schedules.scheduleTick();
          })
          .catch((error: unknown) => ctx.logger.error({ err: error }, 'supervision tick failed'))
          .finally(() => (ticking = false));
      }, SUPERVISION_TICK_MS);
      tick.unref();
    },
    async listen() {
      capability.receiver = await receiver.listen();
    },
    async stop() {
      if (tick) clearInterval(tick);
      if (checkpoint) clearInterval(checkpoint);
      notifier.stop();
      await heardSubscription?.unsubscribe();
      await receiver.stop();
      // Nothing is heard after this: the next start keeps every path's deadline exactly.
      await supervision.checkpointHeard(true).catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not save the supervision heard state'));
    },
  };
  return capability;
}
