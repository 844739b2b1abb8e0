import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../platform/access.js';
import { readPurpose } from '../platform/personal-data.js';
import type { PrivacyService } from './privacy-service.js';

const READ_VIEWERS: readonly Role[] = ['admin', 'supervisor', 'csirt'];
const ADMINS: readonly Role[] = ['admin'];

const subjectQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    phone: { type: ['string', 'null'], maxLength: 40 },
    email: { type: ['string', 'null'], maxLength: 254 },
    reason: { type: 'string', maxLength: 200 },
  },
} as const;

type SubjectBody = { phone?: string | null; email?: string | null; reason?: string };

/** /api/privacy: recorded reads of personal data, a data subject's export and erasure, retention. */
export function privacyRoutes(service: PrivacyService): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { limit: number } }>(
      '/api/privacy/reads',
      {
        config: { access: { roles: READ_VIEWERS } },
        schema: {
          summary: "Who read personal data, when, which records and why, newest first: the organisation's own data (every organisation's for the CSIRT)",
          tags: ['privacy'],
          querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } } },
        },
      },
      async (request) => ({ reads: service.reads(request.principal, request.query.limit), erased: service.erasureTotals(request.principal) }),
    );

    app.post<{ Body: SubjectBody }>(
      '/api/privacy/subjects/export',
      {
        config: { access: { roles: ADMINS } },
        schema: {
          summary:
            "A data subject's export: every record about a caller or subscriber (found by phone or e-mail) that the organisation holds; the read is recorded",
          tags: ['privacy'],
          body: subjectQuery,
        },
      },
      async (request) => service.exportSubject(request.body, request.principal, readPurpose(request.body.reason, 'data-subject export')),
    );

    app.post<{ Body: SubjectBody }>(
      '/api/privacy/subjects/erase',
      {
        config: { access: { roles: ADMINS } },
        schema: {
          summary:
            "A data subject's erasure: the keys of every record about them that the organisation holds are shredded (recorded); they read as [erased: request]",
          tags: ['privacy'],
          body: subjectQuery,
        },
      },
      async (request) => service.eraseSubject(request.body, request.principal),
    );

    app.get(
      '/api/privacy/retention',
      {
        config: { access: { roles: READ_VIEWERS } },
        schema: { summary: 'Retention period per class of personal data (days; 0: until erased on request) and how often the job runs', tags: ['privacy'] },
      },
      async () => service.retention(),
    );
  };
}
