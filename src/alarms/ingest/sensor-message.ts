import { Ajv, type ValidateFunction } from 'ajv';
import { SENSOR_MESSAGE_SCHEMA, type SensorMessage } from '../contract.js';
import type { Signal, SignalKind, SignalPhase } from '../model.js';

const ajv = new Ajv({ allErrors: true });
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
// Compiled at the first message, not when the module loads (part of every start, most of which never see one).
let compiled: ValidateFunction<SensorMessage> | null = null;
const validate = (json: unknown): json is SensorMessage => (compiled ??= ajv.compile<SensorMessage>(SENSOR_MESSAGE_SCHEMA))(json);

/**
 * Checks a sensor message already parsed from JSON (undefined: it was not JSON). A
 * `people-count` message is checked here as a sensor message only: its count is the
 * crowd capability's to check (crowd/count-message.ts).
 */
export function checkSensorMessage(json: unknown): { ok: true; message: SensorMessage } | { ok: false; problem: string } {
  if (json === undefined) return { ok: false, problem: 'payload is not JSON' };
  if (!validate(json)) return { ok: false, problem: ajv.errorsText(compiled?.errors) };
  if (json.type === 'noise' && !(json.value !== undefined && json.value >= 0 && json.value <= 194))
    return { ok: false, problem: 'a noise reading has a value in dB(A), 0–194' };
  if (json.type === 'noise' && json.unit !== undefined && json.unit !== 'dB(A)' && json.unit !== 'dBA')
    return { ok: false, problem: 'a noise reading is in dB(A)' };
  if (json.type !== 'people-count' && (json.in !== undefined || json.out !== undefined))
    return { ok: false, problem: 'in/out belong to people-count messages' };
  return { ok: true, message: json };
}

export function parseSensorMessage(payload: Buffer): { ok: true; message: SensorMessage } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, problem: 'payload is not JSON' };
  }
  return checkSensorMessage(json);
}

const KIND: Record<SensorMessage['type'], SignalKind> = {
  smoke: 'fire',
  heat: 'heat',
  'water-level': 'water',
  gas: 'gas',
  door: 'burglary',
  'glass-break': 'burglary',
  motion: 'burglary',
  panic: 'panic',
  heartbeat: 'test',
  noise: 'test',
  'people-count': 'test',
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
