import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignalKind, SignalPhase } from './model.js';

export interface CodeMeaning {
  kind: SignalKind;
  phase: SignalPhase;
  description: string;
  /** What the number of a SIA event is: a zone, a user, an area… */
  concerns: 'zone' | 'user' | 'area' | 'other';
  known: boolean;
}

/** code → [name, what its number concerns, 'kind/phase'] */
interface SiaTable {
  source: string;
  codes: Record<string, [string, string, string]>;
}
interface CidTable {
  source: string;
  codes: Record<string, { description: string; sia?: string[]; class?: string }>;
}

const dir = join(import.meta.dirname, 'codes');
const load = <T>(file: string): T | null => (existsSync(join(dir, file)) ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as T) : null);
/** The full tables as data (see codes/*.json for their sources). */
export const SIA_TABLE = load<SiaTable>('sia-dc03.json');
export const CID_TABLE = load<CidTable>('contact-id.json');

/** SIA DC-03 code families by first letter. */
const SIA_FAMILY: Record<string, SignalKind> = {
  B: 'burglary',
  F: 'fire',
  P: 'panic',
  H: 'hold-up',
  M: 'medical',
  T: 'tamper',
  G: 'gas',
  W: 'water',
  K: 'heat',
  Z: 'technical',
  S: 'fire',
  U: 'technical',
  Q: 'medical',
  E: 'trouble',
  Y: 'trouble',
  A: 'trouble',
  X: 'trouble',
  L: 'trouble',
  N: 'other',
  D: 'access',
  J: 'other',
  I: 'trouble',
  V: 'trouble',
  R: 'test',
  O: 'open',
  C: 'close',
};

/**
 * What a SIA DC-03 code means. Codes in the table carry their kind and phase (see
 * codes/sia-dc03.json). Codes outside it are accepted, flagged unknown and
 * classified by family: the second letter carries the phase for most families
 * (A alarm, H/R restore, T trouble, J/E trouble restore, B/U bypass, S supervisory,
 * X test).
 */
export function siaMeaning(code: string): CodeMeaning {
  const row = SIA_TABLE?.codes[code];
  if (row) {
    const [kind, phase] = row[2].split('/') as [SignalKind, SignalPhase];
    const concernsText = row[1].toLowerCase();
    const concerns = concernsText.includes('user')
      ? 'user'
      : concernsText.includes('area')
        ? 'area'
        : concernsText.includes('zone') || concernsText.includes('point')
          ? 'zone'
          : 'other';
    return { kind, phase, description: row[0], concerns, known: true };
  }
  const family = code[0]!;
  const second = code[1]!;
  let kind: SignalKind = SIA_FAMILY[family] ?? 'other';
  let phase: SignalPhase = 'alarm';
  if (family === 'O' || family === 'C' || family === 'D' || family === 'J' || family === 'L' || family === 'V') phase = 'status';
  else if (family === 'R') {
    phase = 'status';
    kind = 'test';
  } else if (second === 'H' || second === 'R' || second === 'J' || second === 'E' || second === 'N') phase = 'restore';
  else if (second === 'B' || second === 'U') {
    phase = 'status';
    kind = 'bypass';
  } else if (second === 'X') {
    phase = 'status';
    kind = 'test';
  } else if (second === 'T' && kind !== 'trouble') kind = 'trouble';
  else if (second === 'S' && family !== 'S') kind = 'supervisory';
  return { kind, phase, description: `SIA ${code}`, concerns: family === 'O' || family === 'C' ? 'user' : 'zone', known: false };
}

/** Contact ID (DC-05) code ranges. */
function cidKind(code: number): SignalKind {
  if (code >= 100 && code <= 109) return 'medical';
  if (code >= 110 && code <= 119) return 'fire';
  if (code === 121) return 'duress';
  if (code === 122 || code === 123) return 'hold-up';
  if (code >= 120 && code <= 129) return 'panic';
  if (code === 137 || code === 144 || code === 145) return 'tamper';
  if (code >= 130 && code <= 149) return 'burglary';
  if (code === 151 || code === 162) return 'gas';
  if (code === 154) return 'water';
  if (code === 158 || code === 159) return 'heat';
  if (code >= 150 && code <= 199) return 'technical';
  if (code >= 200 && code <= 299) return 'supervisory';
  if (code === 383 || code === 341) return 'tamper';
  if (code >= 300 && code <= 399) return 'trouble';
  if (code >= 400 && code <= 499) return 'open';
  if (code >= 500 && code <= 599) return 'bypass';
  if (code >= 600 && code <= 699) return 'test';
  return 'other';
}

/**
 * What a Contact ID event means: the qualifier says new (1), restore (3) or
 * previously reported (6); for open/close codes, qualifier 1 is an opening and 3 a
 * closing.
 */
export function cidMeaning(code: string, qualifier: 1 | 3 | 6): CodeMeaning {
  const n = Number(code);
  let kind = cidKind(n);
  const row = CID_TABLE?.codes[code];
  let phase: SignalPhase = qualifier === 3 ? 'restore' : 'alarm';
  if (row?.class) {
    // Classified by Vigil: the qualifier still turns an alarm into its restore.
    const [k, p] = row.class.split('/') as [SignalKind, SignalPhase];
    kind = k;
    phase = p === 'alarm' && qualifier === 3 ? 'restore' : p;
  } else if (kind === 'open') {
    kind = qualifier === 3 ? 'close' : 'open';
    phase = 'status';
  } else if (kind === 'bypass' || kind === 'test') phase = 'status';
  const userCodes = n === 121 || (n >= 400 && n <= 499);
  return { kind, phase, description: row?.description ?? `Contact ID ${code}`, concerns: userCodes ? 'user' : 'zone', known: Boolean(row) || kind !== 'other' };
}
