import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError, type ErrorBody, type ErrorParams } from '../kernel/errors.js';

/** The schema keywords a client has a sentence for; any other reads as `validation.invalid`. */
const VALIDATION_KEYWORDS = new Set([
  'required',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'format',
  'pattern',
  'type',
  'additionalProperties',
]);

interface SchemaProblem {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/**
 * The sentence key and params of a schema validation error (its first problem): the keyword, the field by its
 * name in the request (`title`, not `/body/title`; an array's field, not its index) and the limit it broke.
 */
export function validationReason(problems: readonly unknown[]): { reason: string; params: ErrorParams } {
  const p = (problems[0] ?? {}) as SchemaProblem;
  const keyword = p.keyword && VALIDATION_KEYWORDS.has(p.keyword) ? p.keyword : 'invalid';
  const named = p.params?.missingProperty ?? p.params?.additionalProperty;
  const path = (p.instancePath ?? '').split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
  const field = typeof named === 'string' ? named : (path.at(-1) ?? '');
  const limit = p.params?.limit;
  return {
    reason: `validation.${keyword}`,
    params: { ...(field ? { field } : {}), ...(typeof limit === 'number' ? { limit } : {}) },
  };
}

/**
 * Every error leaves the API as {error:{code,message,details}} with a stable code,
 * whatever raised it: our own VigilError, Fastify's schema validation, a body over
 * the size limit, malformed JSON, or a bug (500, details withheld and logged).
 */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof VigilError) return { status: error.status, body: error.toBody() };
  const e = error as FastifyError & { validation?: unknown[]; validationContext?: string };
  if (e.validation) {
    const where = e.validationContext ?? 'request';
    return {
      status: 400,
      body: {
        error: {
          code: 'validation_failed',
          message: `${where} is not valid: ${e.message}`,
          details: { in: where, problems: e.validation },
          ...validationReason(e.validation),
        },
      },
    };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return wrap(new VigilError('payload_too_large', 'request body is larger than the server accepts'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return wrap(new VigilError('bad_request', `unsupported content type: ${e.message}`));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return wrap(new VigilError('bad_request', 'request body is not valid JSON'));
  }
  if (e.name === 'SyntaxError' && e.statusCode === 400) {
    return wrap(new VigilError('bad_request', 'request body is not valid JSON'));
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { error: { code: 'bad_request', message: e.message, details: null } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error; it has been logged', details: null } } };
}

const wrap = (e: VigilError): { status: number; body: ErrorBody } => ({ status: e.status, body: e.toBody() });

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const tooLarge = (error as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? request.routeOptions.config.tooLarge : undefined;
    const { status, body } = toErrorBody(tooLarge ? new VigilError('payload_too_large', tooLarge) : error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (status === 429 && error instanceof VigilError) {
      const retry = (error.details as { retryAfterSeconds?: number } | null)?.retryAfterSeconds;
      if (retry) void reply.header('Retry-After', String(retry));
    }
    return reply.status(status).send(body);
  });
}

/** Shared JSON schema of the error body, referenced by every route's responses in OpenAPI. */
export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {},
        reason: { type: 'string', description: 'Stable key of the sentence a client shows in its own language (the message is English)' },
        params: { type: 'object', additionalProperties: { type: ['string', 'number'] }, description: "The values the reason's sentence names" },
      },
    },
  },
} as const;
