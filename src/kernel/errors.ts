/**
 * One error type for the whole platform: a stable machine code, a human message,
 * and the details a client needs to fix its input. The HTTP layer maps `status`
 * straight onto the response; nothing else needs to know about HTTP.
 */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'second_factor_required'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  second_factor_required: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/**
 * What a client needs to say an error in its reader's language: the values a sentence names (counts, limits,
 * field names, state slugs, names people gave things); never an id.
 */
export type ErrorParams = Readonly<Record<string, string | number>>;

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  /**
   * A stable key for the sentence a client shows in its reader's language (`alarm.closed`,
   * `validation.required`), with its params; null where the code's sentence says enough. The English
   * message stays for API users.
   */
  reason: string | null = null;
  params: ErrorParams | null = null;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'VigilError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
  }

  /** The sentence key (and its params) a client translates instead of the English message: `throw conflict('…').because('alarm.closed')`. */
  because(reason: string, params: ErrorParams = {}): this {
    this.reason = reason;
    this.params = params;
    return this;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        details: this.details ?? null,
        ...(this.reason ? { reason: this.reason, params: this.params ?? {} } : {}),
      },
    };
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details: unknown; reason?: string; params?: ErrorParams };
}

export const notFound = (what: string, id: string): VigilError => new VigilError('not_found', `${what} ${id} does not exist`, { what, id });

export const forbidden = (message: string, details?: unknown): VigilError => new VigilError('forbidden', message, details);

export const badRequest = (message: string, details?: unknown): VigilError => new VigilError('bad_request', message, details);

export const conflict = (message: string, details?: unknown): VigilError => new VigilError('conflict', message, details);
