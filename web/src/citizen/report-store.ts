import { ApiError } from '../api.js';
import { WordedError } from '../errors.js';

/**
 * What this device keeps about the person's reports (localStorage): the personal
 * follow tokens of the reports sent (Vigil keeps only their hash), and the reports
 * waiting for the network (the offline queue), photo included.
 */
export interface SentReport {
  reportId: string;
  followToken: string;
  serviceCode: string;
  sentAt: string;
  /** The status last shown, so a change (resolved) is announced once. */
  seenStatus?: string;
}

export interface QueuedReport {
  queuedAt: string;
  fields: Record<string, string>;
  /** The photo as a data: URL (JPEG or PNG). */
  photo: string | null;
}

const SENT = 'vigil.citizen.reports';
const QUEUE = 'vigil.citizen.report-queue';
/** A device keeps at most this many reports waiting (each may carry a photo of ≤ 600 KiB). */
export const MAX_QUEUED = 5;

function load<T>(key: string): T[] {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

export const loadSent = (): SentReport[] => load<SentReport>(SENT).filter((r) => typeof r.followToken === 'string');
export const saveSent = (list: SentReport[]): void => localStorage.setItem(SENT, JSON.stringify(list.slice(-50)));
export const loadQueue = (): QueuedReport[] => load<QueuedReport>(QUEUE);
export const saveQueue = (list: QueuedReport[]): void => localStorage.setItem(QUEUE, JSON.stringify(list));

/** Adds a report followed by link (a ?follow= address opened on this device) once. */
export function rememberFollow(token: string): void {
  const sent = loadSent();
  if (!sent.some((s) => s.followToken === token)) saveSent([...sent, { reportId: '', followToken: token, serviceCode: '', sentAt: new Date().toISOString() }]);
}

const dataUrlToBlob = (url: string): Blob => {
  const [head, b64 = ''] = url.split(',');
  const type = /data:([^;]+)/.exec(head ?? '')?.[1] ?? 'application/octet-stream';
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
};

export class NetworkDown extends Error {}

/** An Open311 error as Vigil sends it: the specification's code and description, and Vigil's reason to word it. */
interface Open311ErrorJson {
  code: number;
  description: string;
  reason?: string;
  params?: Record<string, string | number>;
}
const codeOf = (status: number): string =>
  ({ 400: 'bad_request', 403: 'forbidden', 404: 'not_found', 413: 'payload_too_large', 429: 'rate_limited' })[status] ??
  (status >= 500 ? 'internal' : 'http_error');

/** Vigil refused the report (never worth sending again): each of its errors, worded by errorText. */
export class ReportRefused extends Error {
  constructor(readonly errors: ApiError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export interface Posted {
  service_request_id: string;
  token: string;
  service_notice: string;
  follow_url: string;
}

/** Posts one report to Vigil's Open311 endpoint (multipart, photo in `media`); a NetworkDown when it could not reach it. */
export async function postReport(fields: Record<string, string>, photo: string | null): Promise<Posted> {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  if (photo) body.append('media', dataUrlToBlob(photo), photo.startsWith('data:image/png') ? 'photo.png' : 'photo.jpg');
  let res: Response;
  try {
    res = await fetch('/open311/v2/requests.json', { method: 'POST', body });
  } catch {
    throw new NetworkDown('network');
  }
  const json = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const errors = Array.isArray(json) ? (json as Open311ErrorJson[]) : [];
    throw new ReportRefused(
      errors.length > 0
        ? errors.map((e) => new ApiError(res.status, codeOf(res.status), e.description, null, e.reason, e.params))
        : [new ApiError(res.status, codeOf(res.status), `${res.status} ${res.statusText}`, null)],
    );
  }
  return (json as Posted[])[0]!;
}

/** Sends what waits in the queue, oldest first; keeps what still cannot go. Returns those sent. */
export async function flushQueue(): Promise<Posted[]> {
  const queue = loadQueue();
  const sent: Posted[] = [];
  const left: QueuedReport[] = [];
  for (const q of queue) {
    try {
      const p = await postReport(q.fields, q.photo);
      sent.push(p);
      saveSent([
        ...loadSent(),
        { reportId: p.service_request_id, followToken: tokenOf(p.follow_url), serviceCode: q.fields.service_code ?? '', sentAt: q.queuedAt },
      ]);
    } catch (e) {
      // The network is still down, or Vigil asks to wait (rate limit, a failure of its own): keep it.
      // Refused by Vigil (invalid): drop it, it would never pass.
      if (e instanceof NetworkDown || (e instanceof ReportRefused && e.errors.some((x) => x.status === 429 || x.status >= 500))) left.push(q);
    }
  }
  saveQueue(left);
  return sent;
}

export const tokenOf = (followUrl: string): string => new URL(followUrl, location.origin).searchParams.get('follow') ?? '';

/** A photo the server keeps (≤ 600 KiB): as taken when small enough (its metadata are stripped by Vigil), else re-encoded at ≤ 1280 px. */
export async function preparePhoto(file: File): Promise<string> {
  const asDataUrl = (blob: Blob): Promise<string> =>
    new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result));
      r.onerror = () => reject(new WordedError('The photo cannot be read: take or choose another one.'));
      r.readAsDataURL(blob);
    });
  if (file.size <= 550 * 1024 && /^image\/(jpeg|png)$/.test(file.type)) return asDataUrl(file);
  const bitmap = await createImageBitmap(file).catch(() => {
    throw new WordedError('The photo cannot be read: take or choose another one.');
  });
  const scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/jpeg', 0.8);
}

/** A random id of this device (Open311 device_id), for the per-device limit; nothing else about the device. */
export function deviceId(): string {
  let id = localStorage.getItem('vigil.citizen.device');
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    localStorage.setItem('vigil.citizen.device', id);
  }
  return id;
}
