/**
 * Thin client of Vigil's HTTP API: same-origin, session cookie, errors as ApiError: the status, the stable code,
 * the server's English message (for developers), and the reason and params the UI says in words (errors.ts).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    readonly reason?: string,
    readonly params?: Readonly<Record<string, string | number>>,
  ) {
    super(message);
  }
}

/** The error body the API sends (src/kernel/errors.ts ErrorBody). */
type ErrorJson = { error?: { code: string; message: string; details: unknown; reason?: string; params?: Record<string, string | number> } } | null;

/** The ApiError of a failed answer: its body's error, else the status line. */
function apiError(status: number, statusText: string, json: unknown): ApiError {
  const e = (json as ErrorJson)?.error;
  return new ApiError(status, e?.code ?? 'http_error', e?.message ?? `${status} ${statusText}`, e?.details ?? null, e?.reason, e?.params);
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; raw?: Blob | ArrayBuffer; contentType?: string } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  let body: BodyInit | undefined;
  if (init.raw !== undefined) {
    body = init.raw;
    headers['content-type'] = init.contentType ?? 'application/octet-stream';
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, credentials: 'same-origin' });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) throw apiError(res.status, res.statusText, json);
  return json as T;
}

export type Role = 'operator' | 'supervisor' | 'alert-officer' | 'commander' | 'responder' | 'analyst' | 'csirt' | 'admin';

export interface Me {
  kind: 'user' | 'apikey';
  actor: string;
  userId: string | null;
  orgId: string | null;
  roles: Role[];
  authLevel: number;
  displayName: string;
  username: string | null;
  totpEnabled: boolean;
  passkeyCount: number;
  /** A high-privilege user without a second factor: this session may only enrol one. */
  enrolmentOnly: boolean;
  org: { id: string; name: string; kind: string; platform: boolean } | null;
}

/** Events as the server stores and sends them (one definition, shared with the server). */
export type { StoredEvent } from '../../src/platform/contract.js';

/**
 * Sends a file as the raw request body (XMLHttpRequest: fetch reports no upload progress),
 * telling `onProgress` the bytes sent so far; resolves with the JSON answer, rejects with an
 * ApiError as `api` does. `signal` cancels the upload.
 */
export function apiUpload<T>(path: string, file: Blob, onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let json: unknown;
      try {
        json = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as T);
      reject(apiError(xhr.status, xhr.statusText, json));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'the upload was interrupted', null));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'upload cancelled', null));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
