import { ApiError } from './api.js';

/**
 * The common refusals in the reader's language: the API's message is written for developers and in English
 * (« device dev:siren:12 belongs to another organisation »), so where the UI shows an error it maps the error's
 * code to a sentence of its own. Other errors (a validation the user can fix) keep the server's message.
 */
export const ERROR_SENTENCES: Readonly<Record<string, string>> = {
  forbidden: 'error:forbidden',
  not_found: 'error:not_found',
  conflict: 'error:conflict',
  rate_limited: 'error:rate_limited',
  unavailable: 'error:unavailable',
  unauthenticated: 'error:unauthenticated',
  second_factor_required: 'error:second_factor_required',
  payload_too_large: 'error:payload_too_large',
  network_error: 'error:network_error',
};

/** What the UI shows for a failed action: the translated sentence for a common refusal, else the message. */
export function errorText(t: (key: string) => string, e: unknown): string {
  if (e instanceof ApiError) {
    // A conflict the server explains in its details (the alarm's mandatory steps not done, listed) says more
    // than any sentence could: its message stays.
    if (e.code === 'conflict' && e.details !== null && e.details !== undefined) return e.message;
    const key = ERROR_SENTENCES[e.code] ?? (e.status === 429 ? ERROR_SENTENCES.rate_limited : e.status === 403 ? ERROR_SENTENCES.forbidden : undefined);
    if (key) return t(key);
  }
  return e instanceof Error ? e.message : String(e);
}
