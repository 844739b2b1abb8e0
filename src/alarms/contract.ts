/**
 * The public face of the alarms capability for other capabilities and the web UI:
 * its events, the read ports others use, DTOs and constants, the sensor message
 * format, and the reactions it emits. Cheap to import (types, constants, pure
 * functions only): the web UI bundles it.
 */
import type { NewEvent } from '../platform/event-log.js';
import type { Alarm, Signal } from './model.js';

export { alarmEvent, type AlarmEventType, type AlarmEvents, type SignalDecision } from './events.js';
export { frameDecisionEvent } from './rules.js';
export { alarmTitleParts, codeText, localTitle, titlePartsOf, type CodeTexts, type TitleParts } from './alarm-title.js';
export {
  CONFIRMATION_WINDOW_SECONDS,
  KIND_PRIORITY,
  RESOLUTIONS,
  RESTORE_DELAY_SECONDS,
  SIGNAL_KINDS,
  STEP_KINDS,
  SUPERVISION_PRESETS,
  type AccountConfig,
  type AccountSchedule,
  type ActionPlan,
  type Alarm,
  type AlarmStatus,
  type Keyholder,
  type PlanStep,
  type Resolution,
  type Signal,
  type SignalKind,
  type SignalPhase,
  type StepKind,
  type StepRecord,
} from './model.js';

/** What other capabilities read of alarms (incidents: the alarms an incident links, their signals' positions). */
export interface AlarmsReadPort {
  alarm(alarmId: string): Alarm | undefined;
  /** A recent signal, or one of an open alarm (older signals stay in the log only). */
  signal(signalId: string): Signal | undefined;
}

/** Raising alarms from another capability (crowd density): its signals go through the alarm rules. */
export interface AlarmSignalsPort {
  /** Appends signals, what the rules make of them and `before` in one durable commit (`ownerOrgId` may be chosen per signal). */
  recordSignals(signals: Signal[], before?: NewEvent[], ownerOrgId?: string | null | ((signal: Signal) => string | null)): Promise<void>;
}

/**
 * The JSON payload IoT sensors publish on `vigil/sensors/<deviceId>/events`
 * (documented in docs/sensors.md). Anything else is refused with the reason.
 */
export const SENSOR_MESSAGE_SCHEMA = {
  type: 'object',
  required: ['type', 'state'],
  additionalProperties: false,
  properties: {
    type: { enum: ['smoke', 'heat', 'water-level', 'gas', 'door', 'glass-break', 'motion', 'panic', 'heartbeat', 'noise', 'people-count'] },
    state: { enum: ['alarm', 'normal', 'trouble', 'test'] },
    value: { type: 'number' },
    in: { type: 'integer', minimum: 0 },
    out: { type: 'integer', minimum: 0 },
    unit: { type: 'string', maxLength: 16 },
    at: { type: 'string', format: 'date-time', maxLength: 40 },
    battery: { type: 'number', minimum: 0, maximum: 100 },
    text: { type: 'string', maxLength: 500 },
  },
} as const;

export interface SensorMessage {
  /** `noise`: the measured ambient level (LAeq) in dB(A) as `value`, for the siren or loudspeaker it stands by. */
  /** `people-count`: a crowd counter — occupancy as `value` (people now), or a line counter's `in`/`out` since its last message. */
  type: 'smoke' | 'heat' | 'water-level' | 'gas' | 'door' | 'glass-break' | 'motion' | 'panic' | 'heartbeat' | 'noise' | 'people-count';
  state: 'alarm' | 'normal' | 'trouble' | 'test';
  value?: number;
  in?: number;
  out?: number;
  unit?: string;
  at?: string;
  battery?: number;
  text?: string;
}

/** The device a sensor topic names: the second level of `vigil/sensors/<deviceId>/events`. */
export const sensorDeviceId = (topic: string): string => topic.split('/')[2] ?? '';

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

/** A camera's people count as the webhook gave it (not checked yet: the counting capability checks it). */
export interface CameraPeopleCount {
  counterId: string;
  count?: number;
  in?: number;
  out?: number;
  at?: string;
}

/** What became of a camera's people count: recorded, refused with a problem (400), or for no known counter (404). */
export type CameraPeopleCountOutcome = 'recorded' | 'unknown-counter' | 'wrong-kind' | { problem: string };

/** A refusal at the receiver (reaction `alarms.security-refusal`). */
export interface SecurityRefusal {
  kind: 'dc09-refused' | 'dc09-wrong-key' | 'dc09-replay' | 'mqtt-refused';
  /** The peer's address (`host:port` or the address alone), when known. */
  remote: string | null;
  account: string | null;
  /** The MQTT username, when a client gave one. */
  username: string | null;
  problem: string;
  at: number;
}

declare module '../platform/reactions.js' {
  interface ReactionTypes {
    /** A noise sensor's ambient level (LAeq, dB(A)) came in on the sensor topic: public alerting sets sirens and loudspeakers above it. */
    'alarms.noise-reading': { input: { deviceId: string; laeqDb: number; at: number }; output: unknown };
    /** A camera's people count came in on the camera webhook: crowd density takes it. */
    'alarms.camera-people-count': { input: CameraPeopleCount; output: CameraPeopleCountOutcome };
    /**
     * A message on the sensor topic was refused by the capability it was routed to (a malformed
     * people count): counted and logged with the receiver's figures like any refused sensor message.
     */
    'alarms.sensor-message-refused': { input: { topic: string; problem: string }; output: unknown };
    /**
     * The receiver refused something a security desk wants to know of, though it is only counted,
     * not recorded: a DC-09 frame (a wrong key, a replay, a broken frame) or an MQTT client. The
     * CSIRT desk takes these as security events (src/csirt), with its own limits.
     */
    'alarms.security-refusal': { input: SecurityRefusal; output: unknown };
  }
}
