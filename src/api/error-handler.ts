import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError, type ErrorBody } from '../kernel/errors.js';

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
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
} as const;
