import { parseKey } from '../adapters/protocols/dc09/dc09-crypto.js';
import type { RawFrame } from '../adapters/protocols/dc09/dc09-framer.js';
import { parseFrame, type Dc09Event, type Dc09Message } from '../adapters/protocols/dc09/dc09-message.js';
import { ackFrame, duhFrame, nakFrame } from '../adapters/protocols/dc09/dc09-reply.js';
import type { CityState } from '../city/city-state.js';
import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { canSeeOrg, type Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import type { AlarmsState } from './alarms-state.js';
import { cidMeaning, siaMeaning } from './codes.js';
import { alarmEvent, type AlarmEvents } from './events.js';
import { CONFIRMATION_WINDOW_SECONDS, KIND_PRIORITY, RESTORE_DELAY_SECONDS, SUPERVISION_PRESETS, type AccountConfig, type AccountSchedule, type ActionPlan, type Alarm, type Keyholder, type Resolution, type Signal } from './model.js';
import type { Device } from '../city/model.js';
import { haversineM } from '../kernel/geo.js';
import { zonedParts } from '../kernel/time.js';
import { parseSensorMessage, sensorSignalFields } from './sensor-message.js';
import { SupervisionMonitor } from './supervision.js';
import { checkPeopleCount } from '../crowd/count-message.js';
import type { PeopleCount } from '../crowd/model.js';
import { PlanNotifier } from './plan-notifier.js';

/** Where followers announce the transmission paths they heard (not stored: a missed one costs at most a late poll). */
export const HEARD_SUBJECT = 'alarms.supervision.heard';
export interface HeardAnnouncement {
  node: string;
  /** [path, epoch ms heard] */
  heard: [string, number][];
}

/** An alarm nobody claimed for this long is escalated to supervisors (EN 50518: most within 30 s). */
export const ESCALATE_AFTER_MS = 30_000;

/** A new alarm-phase signal joins the account's open alarm if it was raised this recently. */
export const CORRELATION_WINDOW_MS = CONFIRMATION_WINDOW_SECONDS * 1000;

export interface ReceiverCounters {
  frames: (outcome: string) => void;
  quirk: (name: string) => void;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const isPhone = (p: string): boolean => /^\+?[0-9 ()./-]{3,40}$/.test(p) && p.replace(/\D/g, '').length >= 3;

function checkNotifyUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest(`notification URL "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw badRequest('a notification URL is http: or https:');
}
const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

function checkSchedule(schedule: AccountSchedule): void {
  if (schedule.days.length !== 7) throw badRequest('a schedule has 7 days, Sunday first (null for a closed day)');
  for (const day of schedule.days) {
    if (day === null) continue;
    if (!HHMM.test(day.open) || !HHMM.test(day.close)) throw badRequest('opening and closing times are HH:MM');
    if (minutesOf(day.open) >= minutesOf(day.close)) throw badRequest('a day opens before it closes');
  }
  if (!(schedule.graceMinutes >= 0 && schedule.graceMinutes <= 240)) throw badRequest('grace is 0–240 minutes');
}

/** Signals of one panel account, or of one sensor, belong to the same burst. */
const correlationKey = (s: Signal): string => s.account ?? (s.deviceId ? `device:${s.deviceId}` : `signal:${s.signalId}`);

/**
 * The monitoring centre: turns received transmissions into durable signals, signals
 * into alarms by rules, and carries alarms through claim, acknowledgement and
 * closing. Transmission paths are supervised.
 */
export class AlarmsService {
  readonly supervision: SupervisionMonitor;
  readonly notifier: PlanNotifier;
  /** Paths heard on this node while another node leads, sent to the leader each tick. */
  private readonly heardElsewhere = new Map<string, number>();
  private watchedVersion = -1;
  /** A noise sensor's ambient reading (dB(A)): public alerting sets sirens and loudspeakers above it (see app.ts). */
  onNoiseReading: (deviceId: string, laeqDb: number, at: number) => Promise<unknown> = async () => {};
  /** A people counter's reading (MQTT `people-count` or camera analytics): crowd density takes it (see app.ts). */
  onPeopleCount: (reading: PeopleCount) => Promise<'recorded' | string> = async () => 'unknown-counter';

  constructor(
    private readonly ctx: AppContext,
    readonly state: AlarmsState,
    private readonly city: CityState,
    private readonly counters: ReceiverCounters = { frames: () => {}, quirk: () => {} },
  ) {
    this.supervision = new SupervisionMonitor(ctx.clock.now());
    this.notifier = new PlanNotifier(ctx, state, city);
  }

  /** Records events; alarms they raise start their plan's automatic notifications once durable. */
  private async recordAndNotify(events: NewEvent[]): Promise<void> {
    await this.ctx.record(events);
    const raised: Alarm[] = [];
    for (const e of events) if (e.type === 'alarms.alarm.raised') raised.push((e.data as AlarmEvents['alarms.alarm.raised']).alarm);
    if (raised.length > 0) this.notifier.alarmsRaised(raised);
  }

  /** Starts supervising every configured path (after a restart each gets a full interval of grace). */
  watchConfiguredPaths(): void {
    const now = this.ctx.clock.now();
    for (const a of this.state.accounts.values()) if (a.supervisionSeconds) this.supervision.watch(a.account, a.supervisionSeconds, now);
    this.watchedVersion = this.state.accountsVersion;
  }

  /** Accounts configured since (on any node): start, change or stop supervising their paths. */
  private reconcileWatches(): void {
    if (this.watchedVersion === this.state.accountsVersion) return;
    this.watchedVersion = this.state.accountsVersion;
    const now = this.ctx.clock.now();
    for (const a of this.state.accounts.values()) {
      if (!a.supervisionSeconds) this.supervision.unwatch(a.account);
      else if (this.supervision.intervalOf(a.account) !== a.supervisionSeconds) this.supervision.watch(a.account, a.supervisionSeconds, now);
    }
  }

  /**
   * A transmission path was heard. The leader supervises; another node tells it —
   * an announcement per tick listing what it heard (polls are not events: a million
   * paths polling every 90 s would be 11 000 events a second).
   */
  private async heardPath(path: string, now: number): Promise<void> {
    if (!this.ctx.leadership.isLeader()) {
      this.heardElsewhere.set(path, now);
      return;
    }
    const restore = this.supervision.heard(path, now);
    if (restore) await this.recordPathRestored(path, restore.lateMs);
  }

  /** On a follower: sends what it heard since the last tick to the leader. */
  async announceHeard(): Promise<number> {
    if (this.heardElsewhere.size === 0) return 0;
    const heard = [...this.heardElsewhere];
    this.heardElsewhere.clear();
    await this.ctx.bus.announce(HEARD_SUBJECT, { node: this.ctx.config.nodeId, heard } satisfies HeardAnnouncement);
    return heard.length;
  }

  /** On the leader: paths another node heard. */
  async onHeardAnnouncement(message: HeardAnnouncement): Promise<void> {
    if (!this.ctx.leadership.isLeader() || !Array.isArray(message.heard)) return;
    for (const entry of message.heard) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') continue;
      await this.heardPath(entry[0], entry[1]);
    }
  }

  async configureAccount(input: { account: string; key?: string | null; keyFormat?: 'hex' | 'ascii' | 'auto'; clockOffsetMinutes?: number; supervisionSeconds?: number | null; preset?: string | null; schedule?: AccountSchedule | null }, by: Principal | 'system'): Promise<Omit<AccountConfig, 'key'> & { hasKey: boolean }> {
    const account = input.account.toUpperCase();
    if (!/^[0-9A-F]{3,16}$/.test(account)) throw badRequest('an account is 3–16 hexadecimal characters');
    const old = this.state.accounts.get(account);
    const key = input.key === undefined ? (old?.key ?? null) : input.key;
    const keyFormat = input.keyFormat ?? old?.keyFormat ?? 'auto';
    if (key !== null && !parseKey(key, keyFormat)) throw badRequest('a key is 32, 48 or 64 hex characters, or 16, 24 or 32 ASCII characters');
    let supervisionSeconds = input.supervisionSeconds === undefined ? (old?.supervisionSeconds ?? null) : input.supervisionSeconds;
    const preset = input.preset === undefined ? (old?.preset ?? null) : input.preset;
    if (preset !== null) {
      const seconds = SUPERVISION_PRESETS[preset];
      if (!seconds) throw badRequest(`unknown preset ${preset}; known: ${Object.keys(SUPERVISION_PRESETS).join(', ')}`);
      if (input.supervisionSeconds === undefined) supervisionSeconds = seconds;
    }
    const device = this.city.devicesByAccount.get(account);
    const orgId = device?.orgId ?? (by === 'system' ? null : by.orgId);
    if (by !== 'system' && device && device.orgId !== by.orgId && !by.roles.includes('admin')) throw new VigilError('forbidden', `account ${account} belongs to another organisation`);
    const schedule = input.schedule === undefined ? (old?.schedule ?? null) : input.schedule;
    if (schedule) checkSchedule(schedule);
    const config = { account, keyFormat, clockOffsetMinutes: input.clockOffsetMinutes ?? old?.clockOffsetMinutes ?? 0, supervisionSeconds, preset, schedule };
    await this.ctx.record([alarmEvent('alarms.account.configured', `account:${account}`, orgId, by === 'system' ? 'system' : by.actor, { ...config, keySecret: key === null ? null : this.ctx.secrets.seal(key) })]);
    const now = this.ctx.clock.now();
    if (supervisionSeconds) this.supervision.watch(account, supervisionSeconds, now);
    else this.supervision.unwatch(account);
    return { ...config, hasKey: key !== null };
  }

  /** One DC-09 frame in, the reply out — an ACK only after the signal is durable. */
  async handleDc09(frame: RawFrame, remote: string): Promise<Buffer | null> {
    const now = this.ctx.clock.now();
    const result = parseFrame(frame, {
      now,
      settingsFor: (account) => {
        const a = account ? this.state.accounts.get(account) : undefined;
        return a ? { key: a.key ? parseKey(a.key, a.keyFormat) : null, clockOffsetMinutes: a.clockOffsetMinutes } : null;
      },
    });
    if (!result.ok) {
      this.counters.frames(`${result.failure.reply.toLowerCase()}-${result.failure.problem}`);
      this.ctx.logger.warn({ remote, problem: result.failure.problem, message: result.failure.message }, 'DC-09 frame refused');
      if (result.failure.reply === 'DUH') {
        const p = result.failure.partial;
        return duhFrame({ seq: p.seq ?? '0000', receiver: p.receiver ?? null, prefix: p.prefix ?? '0', account: p.account ?? null });
      }
      return nakFrame(now);
    }
    const m = result.message;
    for (const q of m.quirks) this.counters.quirk(q);
    if (m.account) await this.heardPath(m.account, now);
    if (m.events.length > 0) await this.recordSignals(m.events.map((e) => this.signalFromDc09(m, e, now)));
    this.counters.frames(m.id === 'NULL' ? 'ack-poll' : 'ack');
    const config = m.account ? this.state.accounts.get(m.account) : undefined;
    return ackFrame(m, now, m.encrypted && config?.key ? parseKey(config.key, config.keyFormat) : null);
  }

  private signalFromDc09(m: Dc09Message, e: Dc09Event, now: number): Signal {
    const device = m.account ? this.city.devicesByAccount.get(m.account) : undefined;
    const flags = [...m.quirks];
    if (m.account && !device && !this.state.accounts.has(m.account)) flags.push('unknown-account');
    const x = m.xdata.find((d) => d.type === 'X');
    const y = m.xdata.find((d) => d.type === 'Y');
    const position: [number, number] | null = x && y && Number.isFinite(Number(x.value)) && Number.isFinite(Number(y.value)) ? [Number(x.value), Number(y.value)] : device?.position ?? null;
    let base: Pick<Signal, 'protocol' | 'code' | 'kind' | 'phase' | 'description' | 'zone' | 'user' | 'area' | 'text'>;
    if (e.protocol === 'sia') {
      const meaning = siaMeaning(e.code);
      if (!meaning.known) flags.push('unknown-code');
      base = {
        protocol: 'sia-dcs', code: e.code, kind: meaning.kind, phase: meaning.phase, description: meaning.description,
        zone: meaning.concerns === 'zone' ? e.number : null, user: meaning.concerns === 'user' ? e.number : e.user, area: meaning.concerns === 'area' ? e.number : e.area,
        text: e.text ?? m.xdata.find((d) => d.type === 'I')?.value ?? null,
      };
    } else {
      const meaning = cidMeaning(e.code, e.qualifier);
      if (!meaning.known) flags.push('unknown-code');
      if (e.qualifier === 6) flags.push('previously-reported');
      base = {
        protocol: 'contact-id', code: e.code, kind: meaning.kind, phase: meaning.phase, description: meaning.description,
        zone: meaning.concerns === 'zone' ? e.zoneOrUser : null, user: meaning.concerns === 'user' ? e.zoneOrUser : null, area: e.partition,
        text: m.xdata.find((d) => d.type === 'I')?.value ?? null,
      };
    }
    return {
      signalId: newId('sig'), account: m.account, ...base,
      occurredAt: m.timestamp ? m.timestamp.toISOString() : null, receivedAt: new Date(now).toISOString(),
      position, siteId: device?.siteId ?? null, deviceId: device?.id ?? null, flags,
    };
  }

  /**
   * One MQTT sensor message (topic vigil/sensors/<deviceId>/events). Resolves once
   * the signal is durable; invalid payloads are dropped with the reason (redelivery
   * would not make them valid), unknown devices are recorded and flagged.
   */
  async handleSensorMessage(topic: string, payload: Buffer): Promise<'recorded' | 'heartbeat' | 'noise' | 'people-count' | 'invalid'> {
    const deviceId = topic.split('/')[2] ?? '';
    const parsed = parseSensorMessage(payload);
    if (!parsed.ok) {
      this.counters.frames('mqtt-invalid');
      this.ctx.logger.warn({ topic, problem: parsed.problem }, 'sensor message refused');
      return 'invalid';
    }
    const now = this.ctx.clock.now();
    const device = this.city.devices.get(deviceId);
    await this.heardPath(`device:${deviceId}`, now);
    if (parsed.message.type === 'noise') {
      await this.onNoiseReading(deviceId, parsed.message.value!, parsed.message.at ? Date.parse(parsed.message.at) : now);
      return 'noise';
    }
    if (parsed.message.type === 'people-count') {
      const m = parsed.message;
      const outcome = await this.onPeopleCount({ counterId: deviceId, at: m.at ? Date.parse(m.at) : now, ...(m.value !== undefined ? { count: m.value } : { in: m.in ?? 0, out: m.out ?? 0 }) });
      if (outcome !== 'recorded') this.ctx.logger.warn({ topic, outcome }, 'people count refused');
      return 'people-count';
    }
    const fields = sensorSignalFields(parsed.message);
    if (!fields) return 'heartbeat';
    await this.recordSignals([{
      signalId: newId('sig'), account: null, protocol: 'mqtt', ...fields, zone: device?.zoneId ? String(this.city.zones.get(device.zoneId)?.number ?? '') || null : null,
      user: null, area: null, occurredAt: parsed.message.at ? new Date(parsed.message.at).toISOString() : null, receivedAt: new Date(now).toISOString(),
      position: device?.position ?? null, siteId: device?.siteId ?? null, deviceId: device ? device.id : deviceId, flags: device ? [] : ['unknown-device'],
      ...(parsed.message.value !== undefined ? { reading: { value: parsed.message.value, unit: parsed.message.unit ?? null } } : {}),
    }], [], device?.orgId ?? null);
    this.counters.frames('mqtt-recorded');
    return 'recorded';
  }

  /** A camera's video-analytics event (webhook): intrusion, line crossing, loitering, smoke, fire. */
  async handleCameraEvent(input: CameraEvent, by: Principal): Promise<Signal> {
    const camera = this.city.devices.get(input.cameraId);
    if (!camera || camera.kind !== 'camera') throw notFound('camera', input.cameraId);
    if (camera.orgId !== by.orgId && !canSeeOrg(by, camera.orgId)) throw new VigilError('forbidden', 'that camera belongs to an organisation that did not share it with you');
    if (input.event === 'people-count') throw badRequest('people counts are taken by handleCameraCount');
    const kind = input.event === 'smoke' || input.event === 'fire' ? 'fire' : input.event === 'tamper' ? 'tamper' : 'burglary';
    const now = this.ctx.clock.now();
    const signal: Signal = {
      signalId: newId('sig'), account: null, protocol: 'http', code: `camera:${input.event}`, kind, phase: 'alarm',
      description: `Camera analytics: ${input.event.replace('-', ' ')}${input.confidence !== undefined ? ` (${Math.round(input.confidence * 100)} %)` : ''}`,
      zone: null, user: null, area: null, occurredAt: input.at ? new Date(input.at).toISOString() : null, receivedAt: new Date(now).toISOString(),
      text: input.snapshotUrl ?? null, position: camera.position, siteId: camera.siteId, deviceId: camera.id, flags: input.event === 'loitering' ? ['low-confidence-kind'] : [],
    };
    await this.recordSignals([signal], [], camera.orgId);
    return signal;
  }

  /**
   * A camera's people count (video analytics counting a zone or a line): handed to
   * crowd density, which knows the camera as a counter (its id is the camera's).
   */
  async handleCameraCount(input: CameraEvent, by: Principal): Promise<'recorded' | string> {
    const camera = this.city.devices.get(input.cameraId);
    if (!camera || camera.kind !== 'camera') throw notFound('camera', input.cameraId);
    if (camera.orgId !== by.orgId && !canSeeOrg(by, camera.orgId)) throw new VigilError('forbidden', 'that camera belongs to an organisation that did not share it with you');
    const checked = checkPeopleCount({ counterId: camera.id, count: input.count, in: input.in, out: input.out, at: input.at }, this.ctx.clock.now());
    if (!checked.ok) throw badRequest(checked.problem);
    await this.heardPath(`device:${camera.id}`, this.ctx.clock.now());
    return this.onPeopleCount(checked.reading);
  }

  /** Appends signals and what the rules make of them in one durable commit (`ownerOrgId` may be chosen per signal). */
  async recordSignals(signals: Signal[], before: NewEvent[] = [], ownerOrgId: string | null | ((signal: Signal) => string | null) = null): Promise<void> {
    const events: NewEvent[] = [...before];
    const openNow = new Map<string, Alarm>(); // alarms raised within this batch
    const batch = new Map(signals.map((sg) => [sg.signalId, sg]));
    for (const signal of signals) {
      const device = signal.account ? this.city.devicesByAccount.get(signal.account) : undefined;
      const orgId = device?.orgId ?? (typeof ownerOrgId === 'function' ? ownerOrgId(signal) : ownerOrgId);
      const subject = signal.account ? `account:${signal.account}` : `device:${signal.deviceId ?? '-'}`;
      events.push(alarmEvent('alarms.signal.received', subject, orgId, signal.account ? `device:${signal.account}` : `device:${signal.deviceId ?? 'unknown'}`, { signal }));
      events.push(...this.rules(signal, orgId, openNow, batch));
    }
    await this.recordAndNotify(events);
  }

  /**
   * Signal → alarm rules: status and test signals raise nothing; a restore releases
   * a held signal or marks the open alarm restored; kinds with a restore delay are
   * held first; a burst of one premise joins its open alarm, where a second zone
   * confirms an intrusion and the same zone again is a two-trip.
   */
  private rules(signal: Signal, orgId: string | null, openNow: Map<string, Alarm>, batch: Map<string, Signal>): NewEvent[] {
    const actor = 'system:alarm-rules';
    const key = correlationKey(signal);
    const openId = this.state.openByKey.get(key);
    const open = openNow.get(key) ?? (openId ? this.state.alarms.get(openId) : undefined);
    if (signal.phase === 'restore') {
      for (const [heldId, h] of this.state.held) {
        const held = this.state.signals.get(heldId);
        if (h.correlationKey === key && held?.kind === signal.kind) {
          return [alarmEvent('alarms.hold.released', `signal:${heldId}`, orgId, actor, { signalId: heldId, restoreSignalId: signal.signalId })];
        }
      }
      if (open && open.kind === signal.kind) return [alarmEvent('alarms.alarm.restored', `alarm:${open.alarmId}`, orgId, actor, { alarmId: open.alarmId, signalId: signal.signalId })];
      return [];
    }
    if (signal.phase === 'status') return [];
    const priority = KIND_PRIORITY[signal.kind];
    const now = Date.parse(signal.receivedAt);
    const site = signal.siteId ? this.city.sites.get(signal.siteId) : undefined;
    const where = site?.name ?? site?.address ?? (signal.account ? `account ${signal.account}` : 'unknown account');
    const title = `${signal.description}${signal.zone ? ` — zone ${signal.zone}` : ''} — ${where}`;
    if (open && open.status !== 'closed' && now - Date.parse(open.raisedAt) <= CORRELATION_WINDOW_MS) {
      const moreUrgent = priority < open.priority;
      let confirmation: 'confirmed' | 'two-trip' | undefined;
      if (signal.kind === 'burglary' && signal.zone) {
        // Zones already in the alarm: recorded ones from the read model, this batch's from the batch.
        const recorded = this.state.intrusionZones.get(open.alarmId);
        let seen = recorded?.size ?? 0;
        let other = recorded ? recorded.size > 1 || (recorded.size === 1 && !recorded.has(signal.zone)) : false;
        if (openNow.get(key) === open) for (const id of open.signalIds) {
          const sg = batch.get(id);
          if (sg?.kind !== 'burglary' || !sg.zone) continue;
          seen++;
          if (sg.zone !== signal.zone) other = true;
        }
        if (seen > 0) confirmation = other ? 'confirmed' : 'two-trip';
      }
      // Only a not-yet-recorded alarm of this batch is changed here; the projection changes by events.
      if (openNow.get(key) === open) {
        if (moreUrgent) Object.assign(open, { priority, kind: signal.kind, title });
        open.signalIds.push(signal.signalId);
        if (confirmation && open.confirmation !== 'confirmed') open.confirmation = confirmation;
      }
      return [alarmEvent('alarms.alarm.correlated', `alarm:${open.alarmId}`, orgId, actor, {
        alarmId: open.alarmId, signalId: signal.signalId, priority, ...(moreUrgent ? { kind: signal.kind, title } : {}), ...(confirmation ? { confirmation } : {}),
      })];
    }
    const delay = RESTORE_DELAY_SECONDS[signal.kind];
    if (delay) {
      return [alarmEvent('alarms.signal.held', `signal:${signal.signalId}`, orgId, actor, { signalId: signal.signalId, until: new Date(now + delay * 1000).toISOString(), correlationKey: key })];
    }
    const alarm: Alarm = {
      alarmId: newId('alm'), account: signal.account, correlationKey: key, siteId: signal.siteId, orgId, kind: signal.kind, priority, status: 'new',
      title, raisedAt: signal.receivedAt, signalIds: [signal.signalId], restored: false, confirmation: null,
      claimedBy: null, acknowledgedAt: null, closedAt: null, resolution: null, note: null,
    };
    openNow.set(key, alarm);
    return [alarmEvent('alarms.alarm.raised', `alarm:${alarm.alarmId}`, orgId, actor, { alarm: { ...alarm, signalIds: [...alarm.signalIds] } })];
  }

  /**
   * Late to open / late to close: for accounts with opening hours, no opening
   * (disarm) by opening time + grace, or no closing (arm) by closing time + grace,
   * on a scheduled day in the city's time zone raises an alarm, once per day.
   */
  async scheduleTick(): Promise<number> {
    const now = this.ctx.clock.now();
    const local = zonedParts(now, this.ctx.config.timeZone);
    const signals: Signal[] = [];
    for (const a of this.state.accounts.values()) {
      const day = a.schedule?.days[local.weekday];
      if (!a.schedule || !day) continue;
      const last = this.state.openClose.get(a.account);
      const openedToday = last?.openDate === local.date;
      const closedToday = last?.closeDate === local.date && (last.closeMinutes ?? 0) >= minutesOf(day.open);
      const checks: [boolean, 'open' | 'close', string][] = [
        [local.minutesOfDay >= minutesOf(day.open) + a.schedule.graceMinutes && !openedToday, 'open', 'Late to open'],
        [local.minutesOfDay >= minutesOf(day.close) + a.schedule.graceMinutes && openedToday && !closedToday, 'close', 'Late to close'],
      ];
      for (const [late, which, description] of checks) {
        const mark = `${a.account}:${local.date}:${which}`;
        if (!late || this.state.scheduleReported.has(mark)) continue;
        const device = this.city.devicesByAccount.get(a.account);
        signals.push({
          signalId: newId('sig'), account: a.account, protocol: 'supervision', code: which === 'open' ? 'CT' : 'OT', kind: 'schedule', phase: 'alarm',
          description: `${description} (${which === 'open' ? day.open : day.close} + ${a.schedule.graceMinutes} min)`, zone: null, user: null, area: null,
          occurredAt: null, receivedAt: new Date(now).toISOString(), text: mark, position: device?.position ?? null, siteId: device?.siteId ?? null, deviceId: device?.id ?? null, flags: [],
        });
      }
    }
    if (signals.length > 0) await this.recordSignals(signals);
    return signals.length;
  }

  /** Held signals whose restore did not come in time become alarms. */
  async holdTick(): Promise<number> {
    const now = this.ctx.clock.now();
    const events: NewEvent[] = [];
    for (const [signalId, h] of this.state.held) {
      if (h.until > now) continue;
      const signal = this.state.signals.get(signalId);
      if (!signal) continue;
      const device = signal.account ? this.city.devicesByAccount.get(signal.account) : undefined;
      const site = signal.siteId ? this.city.sites.get(signal.siteId) : undefined;
      const alarm: Alarm = {
        alarmId: newId('alm'), account: signal.account, correlationKey: h.correlationKey, siteId: signal.siteId, orgId: device?.orgId ?? null, kind: signal.kind,
        priority: KIND_PRIORITY[signal.kind], status: 'new', title: `${signal.description} (not restored) — ${site?.name ?? site?.address ?? signal.account ?? 'unknown'}`,
        raisedAt: new Date(now).toISOString(), signalIds: [signalId], restored: false, confirmation: null,
        claimedBy: null, acknowledgedAt: null, closedAt: null, resolution: null, note: null,
      };
      events.push(alarmEvent('alarms.alarm.raised', `alarm:${alarm.alarmId}`, alarm.orgId, 'system:alarm-rules', { alarm }));
    }
    if (events.length > 0) await this.recordAndNotify(events);
    return events.length;
  }

  /** Runs every few hundred ms: a missed poll becomes a path-fault alarm within a second of its deadline. */
  async superviseTick(): Promise<number> {
    this.reconcileWatches();
    const now = this.ctx.clock.now();
    const faults = this.supervision.tick(now);
    if (faults.length === 0) return 0;
    const signals: Signal[] = [];
    const events: NewEvent[] = [];
    for (const f of faults) {
      const device = this.city.devicesByAccount.get(f.path);
      events.push(alarmEvent('alarms.path.failed', `account:${f.path}`, device?.orgId ?? null, 'system:supervision', { account: f.path, deadline: new Date(f.at).toISOString(), lateMs: f.lateMs }));
      signals.push({
        signalId: newId('sig'), account: f.path, protocol: 'supervision', code: 'PATH', kind: 'path-fault', phase: 'alarm',
        description: 'Transmission path fault (missed poll)', zone: null, user: null, area: null, occurredAt: new Date(f.at).toISOString(),
        receivedAt: new Date(now).toISOString(), text: null, position: device?.position ?? null, siteId: device?.siteId ?? null, deviceId: device?.id ?? null, flags: [],
      });
    }
    await this.recordSignals(signals, events);
    return faults.length;
  }

  private async recordPathRestored(account: string, downMs: number): Promise<void> {
    const device = this.city.devicesByAccount.get(account);
    await this.ctx.record([alarmEvent('alarms.path.restored', `account:${account}`, device?.orgId ?? null, 'system:supervision', { account, downMs })]);
    const openId = this.state.openByKey.get(account);
    const open = openId ? this.state.alarms.get(openId) : undefined;
    if (open?.kind === 'path-fault') {
      await this.ctx.record([alarmEvent('alarms.alarm.restored', `alarm:${open.alarmId}`, open.orgId, 'system:supervision', { alarmId: open.alarmId, signalId: 'path-restored' })]);
    }
  }

  visibleQueue(by: Principal): Alarm[] {
    return this.state.queue().filter((a) => canSeeOrg(by, a.orgId));
  }

  alarmFor(alarmId: string, by: Principal): Alarm {
    const a = this.state.alarms.get(alarmId);
    if (!a || !canSeeOrg(by, a.orgId)) throw notFound('alarm', alarmId);
    return a;
  }

  async claim(alarmId: string, by: Principal): Promise<Alarm> {
    const a = this.alarmFor(alarmId, by);
    if (a.status === 'closed') throw conflict('the alarm is closed');
    if (a.status !== 'new' && a.claimedBy !== by.actor) throw conflict(`already claimed by ${a.claimedBy}`);
    if (a.status === 'new') await this.ctx.record([alarmEvent('alarms.alarm.claimed', `alarm:${a.alarmId}`, a.orgId, by.actor, { alarmId: a.alarmId, by: by.actor })]);
    return a;
  }

  async acknowledge(alarmId: string, by: Principal): Promise<Alarm> {
    const a = this.alarmFor(alarmId, by);
    if (a.status === 'closed') throw conflict('the alarm is closed');
    if (a.claimedBy && a.claimedBy !== by.actor && !by.roles.includes('supervisor')) throw conflict(`claimed by ${a.claimedBy}`);
    if (a.status !== 'acknowledged') await this.ctx.record([alarmEvent('alarms.alarm.acknowledged', `alarm:${a.alarmId}`, a.orgId, by.actor, { alarmId: a.alarmId, by: by.actor })]);
    return a;
  }

  async close(alarmId: string, resolution: Resolution, note: string | null, by: Principal): Promise<Alarm> {
    const a = this.alarmFor(alarmId, by);
    if (a.status === 'closed') throw conflict('the alarm is closed already');
    if (a.status !== 'acknowledged') throw conflict('acknowledge the alarm before closing it');
    if (resolution === 'genuine' && !note?.trim()) throw badRequest('say what happened when closing a genuine alarm');
    const missing = this.missingMandatorySteps(a);
    if (missing.length > 0) throw conflict(`the action plan's mandatory steps are not done: ${missing.map((m) => m.text).join('; ')}`, { missing: missing.map((m) => m.stepId) });
    await this.ctx.record([alarmEvent('alarms.alarm.closed', `alarm:${a.alarmId}`, a.orgId, by.actor, { alarmId: a.alarmId, by: by.actor, resolution, note: note?.trim() || null }, note ?? undefined)]);
    return a;
  }

  async definePlan(input: Omit<ActionPlan, 'planId' | 'orgId'> & { planId?: string }, by: Principal | { orgId: string; actor: string }): Promise<ActionPlan> {
    const orgId = by.orgId;
    if (!orgId) throw badRequest('a plan belongs to an organisation');
    if (input.steps.length === 0) throw badRequest('a plan has at least one step');
    const ids = new Set(input.steps.map((st) => st.stepId));
    if (ids.size !== input.steps.length) throw badRequest('step ids must be unique within a plan');
    for (const siteId of input.siteIds) if (!this.city.sites.has(siteId)) throw notFound('site', siteId);
    for (const st of input.steps) if (st.notifyUrl) checkNotifyUrl(st.notifyUrl);
    const old = input.planId ? this.state.plans.get(input.planId) : undefined;
    if (old && old.orgId !== orgId) throw new VigilError('forbidden', 'that plan belongs to another organisation');
    const plan: ActionPlan = { ...input, planId: input.planId ?? newId('pln'), orgId };
    await this.ctx.record([alarmEvent('alarms.plan.defined', `plan:${plan.planId}`, orgId, by.actor, { plan })]);
    return plan;
  }

  async removePlan(planId: string, by: Principal): Promise<void> {
    const plan = this.state.plans.get(planId);
    if (!plan || plan.orgId !== by.orgId) throw notFound('plan', planId);
    await this.ctx.record([alarmEvent('alarms.plan.removed', `plan:${planId}`, plan.orgId, by.actor, { planId })]);
  }

  /** The organisation's keyholders for a site, in calling order (an empty list removes them). */
  async setKeyholders(siteId: string, keyholders: Keyholder[], by: Principal | { orgId: string; actor: string }): Promise<Keyholder[]> {
    if (!this.city.sites.has(siteId)) throw notFound('site', siteId);
    const clean = keyholders.map((k) => ({ name: k.name.trim(), phone: k.phone.trim(), note: k.note?.trim() || null }));
    for (const k of clean) {
      if (!k.name) throw badRequest('a keyholder has a name');
      if (!isPhone(k.phone)) throw badRequest(`"${k.phone}" is not a phone number (digits, spaces, + - ( ) . /, at least 3 digits)`);
    }
    if (!by.orgId) throw badRequest('keyholders belong to an organisation');
    await this.ctx.record([alarmEvent('alarms.keyholders.set', `site:${siteId}`, by.orgId, by.actor, { siteId, keyholders: clean })]);
    return clean;
  }

  async doStep(alarmId: string, stepId: string, outcome: string, by: Principal): Promise<void> {
    const a = this.alarmFor(alarmId, by);
    if (a.status === 'closed') throw conflict('the alarm is closed');
    const plan = this.state.planFor(a);
    if (!plan?.steps.some((st) => st.stepId === stepId)) throw notFound('step', stepId);
    await this.ctx.record([alarmEvent('alarms.step.done', `alarm:${a.alarmId}`, a.orgId, by.actor, { alarmId: a.alarmId, stepId, outcome: outcome.trim() || 'done' }, outcome)]);
  }

  missingMandatorySteps(a: Alarm): ActionPlan['steps'] {
    const plan = this.state.planFor(a);
    if (!plan) return [];
    const done = new Set((this.state.steps.get(a.alarmId) ?? []).map((st) => st.stepId));
    return plan.steps.filter((st) => st.mandatory && !done.has(st.stepId));
  }

  /**
   * Remote verification: the cameras nearest to the alarm (those of the caller's
   * organisation or shared with it) and the other detectors of the same site with
   * their latest signal — corroborating or contradicting the alarm.
   */
  verification(a: Alarm, by: Principal): { cameras: (Device & { distanceM: number })[]; siteDevices: (Device & { lastSignal: Signal | null })[] } {
    const origin = a.siteId ? this.city.sites.get(a.siteId)?.position : undefined;
    const devices = [...this.city.devices.values()].filter((d) => canSeeOrg(by, d.orgId));
    const cameras = origin
      ? devices.filter((d) => d.kind === 'camera').map((d) => ({ ...d, distanceM: Math.round(haversineM(origin, d.position)) })).sort((x, y) => x.distanceM - y.distanceM).slice(0, 4)
      : [];
    const lastByDevice = new Map<string, Signal>();
    for (const sig of this.state.signals.values()) if (sig.deviceId && sig.siteId === a.siteId) lastByDevice.set(sig.deviceId, sig);
    const siteDevices = a.siteId ? devices.filter((d) => d.siteId === a.siteId && d.kind !== 'camera').map((d) => ({ ...d, lastSignal: lastByDevice.get(d.id) ?? null })) : [];
    return { cameras, siteDevices };
  }

  /** New alarms unclaimed past the limit are escalated once (shown to supervisors, counted). */
  async escalateTick(): Promise<number> {
    const now = this.ctx.clock.now();
    const due = this.state.queue().filter((a) => a.status === 'new' && !this.state.escalated.has(a.alarmId) && now - Date.parse(a.raisedAt) >= ESCALATE_AFTER_MS);
    if (due.length === 0) return 0;
    await this.ctx.record(due.map((a) => alarmEvent('alarms.alarm.escalated', `alarm:${a.alarmId}`, a.orgId, 'system:escalation', { alarmId: a.alarmId, unclaimedSeconds: Math.round((now - Date.parse(a.raisedAt)) / 1000) })));
    return due.length;
  }

  /**
   * False-alarm rates per site or per device (the device of the alarm's first
   * signal), over the closed alarms the principal may see, worst first.
   */
  falseAlarmRates(by: Principal, per: 'site' | 'device'): { id: string; name: string; closed: number; false: number; rate: number }[] {
    const rows = new Map<string, { closed: number; false: number }>();
    for (const a of this.state.alarms.values()) {
      if (!a.resolution || !canSeeOrg(by, a.orgId)) continue;
      const id = per === 'site' ? a.siteId : this.state.signals.get(a.signalIds[0]!)?.deviceId ?? (a.account ? `account:${a.account}` : null);
      if (!id) continue;
      const row = rows.get(id) ?? { closed: 0, false: 0 };
      row.closed++;
      if (a.resolution.startsWith('false')) row.false++;
      rows.set(id, row);
    }
    return [...rows.entries()]
      .map(([id, r]) => {
        const name = per === 'site' ? (this.city.sites.get(id)?.name ?? this.city.sites.get(id)?.address ?? id) : (this.city.devices.get(id)?.label ?? id);
        return { id, name, closed: r.closed, false: r.false, rate: r.false / r.closed };
      })
      .sort((x, y) => y.rate - x.rate || y.closed - x.closed);
  }

  /** EN 50518-style figures over the alarms the principal may see. */
  stats(by: Principal | 'all'): { alarms: number; open: number; acknowledged: number; within30s: number | null; within60s: number | null; medianAckSeconds: number | null; medianCloseSeconds: number | null; falseAlarmRate: number | null } {
    const all = [...this.state.alarms.values()].filter((a) => by === 'all' || canSeeOrg(by, a.orgId));
    const ackTimes = all.filter((a) => a.acknowledgedAt).map((a) => (Date.parse(a.acknowledgedAt!) - Date.parse(a.raisedAt)) / 1000).sort((x, y) => x - y);
    const closed = all.filter((a) => a.resolution);
    const closeTimes = closed.map((a) => (Date.parse(a.closedAt!) - Date.parse(a.raisedAt)) / 1000).sort((x, y) => x - y);
    const share = (limit: number): number | null => (ackTimes.length ? ackTimes.filter((t) => t <= limit).length / ackTimes.length : null);
    return {
      alarms: all.length,
      open: all.filter((a) => a.status !== 'closed').length,
      acknowledged: ackTimes.length,
      within30s: share(30),
      within60s: share(60),
      medianAckSeconds: ackTimes.length ? ackTimes[Math.floor((ackTimes.length - 1) / 2)]! : null,
      medianCloseSeconds: closeTimes.length ? closeTimes[Math.floor((closeTimes.length - 1) / 2)]! : null,
      falseAlarmRate: closed.length ? closed.filter((a) => a.resolution!.startsWith('false')).length / closed.length : null,
    };
  }
}

/** A camera's video-analytics event (webhook); `people-count` carries `count` (people in view) or `in`/`out` (line crossings). */
export interface CameraEvent {
  cameraId: string;
  event: 'intrusion' | 'line-crossing' | 'loitering' | 'smoke' | 'fire' | 'tamper' | 'people-count';
  at?: string;
  snapshotUrl?: string;
  confidence?: number;
  count?: number;
  in?: number;
  out?: number;
}
