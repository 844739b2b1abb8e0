import { Ajv } from 'ajv';
import { checkPeopleCount } from '../crowd/count-message.js';
import type { Signal, SignalKind, SignalPhase } from './model.js';

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

const ajv = new Ajv({ allErrors: true });
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
const validate = ajv.compile<SensorMessage>(SENSOR_MESSAGE_SCHEMA);

export function parseSensorMessage(payload: Buffer): { ok: true; message: SensorMessage } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, problem: 'payload is not JSON' };
  }
  if (!validate(json)) return { ok: false, problem: ajv.errorsText(validate.errors) };
  if (json.type === 'noise' && !(json.value !== undefined && json.value >= 0 && json.value <= 194)) return { ok: false, problem: 'a noise reading has a value in dB(A), 0–194' };
  if (json.type === 'noise' && json.unit !== undefined && json.unit !== 'dB(A)' && json.unit !== 'dBA') return { ok: false, problem: 'a noise reading is in dB(A)' };
  if (json.type === 'people-count') {
    const people = checkPeopleCount({ counterId: 'mqtt', count: json.value, in: json.in, out: json.out, at: json.at }, Date.now());
    if (!people.ok) return { ok: false, problem: people.problem };
  } else if (json.in !== undefined || json.out !== undefined) return { ok: false, problem: 'in/out belong to people-count messages' };
  return { ok: true, message: json };
}

const KIND: Record<SensorMessage['type'], SignalKind> = {
  smoke: 'fire', heat: 'heat', 'water-level': 'water', gas: 'gas', door: 'burglary', 'glass-break': 'burglary', motion: 'burglary', panic: 'panic', heartbeat: 'test', noise: 'test', 'people-count': 'test',
};

/** The normalised part of a signal a sensor message becomes (null for a heartbeat, a noise reading and a people count, which are not signals). */
export function sensorSignalFields(m: SensorMessage): Pick<Signal, 'code' | 'kind' | 'phase' | 'description' | 'text'> | null {
  if (m.type === 'heartbeat' || m.type === 'noise' || m.type === 'people-count') return null;
  let kind = KIND[m.type];
  let phase: SignalPhase = m.state === 'alarm' ? 'alarm' : m.state === 'normal' ? 'restore' : 'status';
  if (m.state === 'trouble') {
    kind = 'trouble';
    phase = 'alarm';
  }
  if (m.state === 'test') kind = 'test';
  const reading = m.value !== undefined ? ` (${m.value}${m.unit ? ` ${m.unit}` : ''})` : '';
  return { code: `${m.type}:${m.state}`, kind, phase, description: `${m.type.replace('-', ' ')} ${m.state}${reading}`, text: m.text ?? null };
}
