/**
 * What a Cell Broadcast Centre needs for one warning, by 3GPP TS 23.041: per
 * language a CBS message with its message identifier (the CMAS / EU-Alert channel),
 * serial number, data coding scheme and pages; the cells; repetition. There is no
 * single standard interface from an alerting system to a CBC, so Vigil posts the
 * JSON below (docs/architecture.md, "Cell broadcast") carrying exactly those fields.
 */
import type { CapAlert, CapInfo } from '../../cap/cap-model.js';
import { cbsContents } from '../../messages/cbs-pages.js';

/** TS 23.041 §9.4.1.2.2 (and ETSI TS 102 900 EU-Alert): CMAS message identifiers. */
export const CBS_ID = {
  presidential: 4370,
  extremeImmediateObserved: 4371,
  amber: 4379,
  requiredMonthlyTest: 4380,
  exercise: 4381,
  publicSafety: 4396,
} as const;

/**
 * The channel of one info block: Exercise 4381, Test 4380 (required monthly test),
 * EU-Alert level 1 (parameter "EU-Alert level" = 1) 4370, a child abduction (SAME
 * event code CAE) 4379, Extreme/Severe × Immediate/Expected × Observed/Likely
 * 4371–4378 in the order of the table, anything else a public safety alert 4396.
 * Additional languages (every block after the first) use the "additional language"
 * twins: 4383–4395 for 4370–4382, 4397 for 4396.
 */
export function cbsMessageIdentifier(cap: Pick<CapAlert, 'status'>, info: CapInfo, additionalLanguage: boolean): number {
  const base = primaryIdentifier(cap, info);
  if (!additionalLanguage) return base;
  return base === CBS_ID.publicSafety ? 4397 : base + 13;
}

function primaryIdentifier(cap: Pick<CapAlert, 'status'>, info: CapInfo): number {
  if (cap.status === 'Exercise') return CBS_ID.exercise;
  if (cap.status === 'Test') return CBS_ID.requiredMonthlyTest;
  if ((info.parameter ?? []).some((p) => /^EU-Alert level$/i.test(p.valueName) && p.value.trim() === '1')) return CBS_ID.presidential;
  if ((info.eventCode ?? []).some((c) => c.valueName.toUpperCase() === 'SAME' && c.value.toUpperCase() === 'CAE')) return CBS_ID.amber;
  const severe = info.severity === 'Extreme' ? 0 : info.severity === 'Severe' ? 4 : null;
  const urgency = info.urgency === 'Immediate' ? 0 : info.urgency === 'Expected' ? 2 : null;
  const certainty = info.certainty === 'Observed' ? 0 : info.certainty === 'Likely' ? 1 : null;
  if (severe === null || urgency === null || certainty === null) return CBS_ID.publicSafety;
  return CBS_ID.extremeImmediateObserved + severe + urgency + certainty;
}

/** Geographical scope (TS 23.041 §9.4.1.2.1): PLMN wide, so a phone moving between the area's cells shows the message once. */
export const GS_PLMN_WIDE = 0b01;

/** Serial number: GS (2 bits) | message code (10 bits) | update number (4 bits). */
export function serialNumber(messageCode: number, updateNumber: number, gs = GS_PLMN_WIDE): number {
  if (!Number.isInteger(messageCode) || messageCode < 0 || messageCode > 1023) throw new RangeError(`message code ${messageCode} is not 0–1023`);
  return ((gs & 0b11) << 14) | (messageCode << 4) | (updateNumber & 0xf);
}

export function readSerialNumber(serial: number): { gs: number; messageCode: number; updateNumber: number } {
  return { gs: (serial >>> 14) & 0b11, messageCode: (serial >>> 4) & 0x3ff, updateNumber: serial & 0xf };
}

/** One CBS message as Vigil sends it: a Write-Replace (new or updated warning) or a Stop (kill). */
export interface CbcWriteRequest {
  operation: 'write-replace';
  /** Vigil's id of this message, stable across retries: the CBC answers a repeat with the same result. */
  requestId: string;
  messageIdentifier: number;
  serialNumber: number;
  /** The message code and update number inside the serial number, for reading. */
  messageCode: number;
  updateNumber: number;
  /** The serial number this one replaces (an Update of the alert), or null for a new warning. */
  replacesSerialNumber: number | null;
  language: string;
  dataCodingScheme: number;
  /** Number of pages, then each 82-octet page and its information length (TS 23.041 §9.4.2.2.5), base64. */
  contents: string;
  pages: number;
  warningArea: { cells: string[] };
  repetitionPeriodSeconds: number;
  /** 0: broadcast until stopped or expired. */
  numberOfBroadcastsRequested: number;
  /** When the CBC stops broadcasting on its own (the CAP expiry), or null. */
  expires: string | null;
  cap: { identifier: string; sender: string; sent: string; status: string; msgType: string };
}

export interface CbcStopRequest {
  operation: 'stop';
  requestId: string;
  messageIdentifier: number;
  serialNumber: number;
  warningArea: { cells: string[] };
  cap: CbcWriteRequest['cap'];
}

export type CbcRequest = CbcWriteRequest | CbcStopRequest;

/** The CBC's answer: the cells that took the request and those that did not, with the cause. */
export interface CbcResponse {
  accepted: string[];
  failed: { cell: string; cause: string }[];
}

/** The Write-Replace for one info block: its text in pages, its channel, its serial. */
export function writeRequest(args: {
  cap: CapAlert;
  info: CapInfo;
  text: string;
  additionalLanguage: boolean;
  messageCode: number;
  updateNumber: number;
  replacesSerialNumber: number | null;
  cells: string[];
  requestId: string;
  repetitionPeriodSeconds?: number;
  numberOfBroadcastsRequested?: number;
}): CbcWriteRequest {
  const language = args.info.language ?? 'en-US';
  const c = cbsContents(args.text, language);
  return {
    operation: 'write-replace',
    requestId: args.requestId,
    messageIdentifier: cbsMessageIdentifier(args.cap, args.info, args.additionalLanguage),
    serialNumber: serialNumber(args.messageCode, args.updateNumber),
    messageCode: args.messageCode,
    updateNumber: args.updateNumber & 0xf,
    replacesSerialNumber: args.replacesSerialNumber,
    language,
    dataCodingScheme: c.dataCodingScheme,
    contents: c.contents.toString('base64'),
    pages: c.pages.length,
    warningArea: { cells: args.cells },
    repetitionPeriodSeconds: args.repetitionPeriodSeconds ?? 60,
    numberOfBroadcastsRequested: args.numberOfBroadcastsRequested ?? 0,
    expires: args.info.expires ?? null,
    cap: capRef(args.cap),
  };
}

export function capRef(cap: CapAlert): CbcWriteRequest['cap'] {
  return { identifier: cap.identifier, sender: cap.sender, sent: cap.sent, status: cap.status, msgType: cap.msgType };
}
