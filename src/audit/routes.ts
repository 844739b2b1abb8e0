import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { queryAudit } from './audit-query.js';
import { verifyChain } from '../platform/chain-verifier.js';
import { JobGate } from '../platform/heavy/job-gate.js';

export const AUDIT_READERS: readonly Role[] = ['admin', 'supervisor', 'csirt'];

const eventSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    id: { type: 'string' },
    type: { type: 'string' },
    subject: { type: 'string' },
    orgId: { type: ['string', 'null'] },
    actor: { type: 'string' },
    reason: { type: ['string', 'null'] },
    at: { type: 'string' },
    data: {},
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;

export function auditRoutes(ctx: AppContext): FastifyPluginAsync {
  // One walk of the whole log at a time, whoever asks: callers during a walk share its result.
  const verification = new JobGate('chain verification', { concurrency: 1, queue: 0, perUser: 1, retryAfterSeconds: 10 });
  return async (app) => {
    app.get<{ Querystring: { beforeSeq?: number; limit: number; actor?: string; typePrefix?: string; subject?: string } }>(
      '/api/audit',
      {
        config: { access: { roles: AUDIT_READERS } },
        schema: {
          summary: 'The audit trail, newest first: who did what, when and why',
          tags: ['audit'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              beforeSeq: { type: 'integer', minimum: 1 },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
              actor: { type: 'string', maxLength: 200 },
              typePrefix: { type: 'string', maxLength: 200 },
              subject: { type: 'string', maxLength: 200 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: { entries: { type: 'array', items: eventSchema }, nextBeforeSeq: { type: ['integer', 'null'] } },
            },
          },
        },
      },
      async (request) => queryAudit(ctx.log, request.principal, request.query),
    );

    app.post(
      '/api/audit/verify',
      {
        config: { access: { roles: AUDIT_READERS } },
        schema: {
          summary: 'Recompute the hash chain of the whole log and report the first tampered event',
          tags: ['audit'],
          response: {
            200: {
              type: 'object',
              properties: {
                ok: { type: 'boolean' },
                checked: { type: 'integer' },
                lastSeq: { type: 'integer' },
                firstBrokenSeq: { type: ['integer', 'null'] },
                problem: { type: ['string', 'null'] },
                ms: { type: 'number' },
              },
            },
          },
        },
      },
      async (request) => {
        const result = await verification.run({ user: request.principal.actor, key: 'whole-log' }, (report) =>
          verifyChain(ctx.log, (checked, total) => report('hashing', checked, total), { inWorker: true }),
        );
        // Verification is itself an auditable act.
        await ctx.record([
          {
            type: 'audit.chain.verified',
            subject: 'audit:chain',
            orgId: request.principal.orgId,
            actor: request.principal.actor,
            data: { ok: result.ok, checked: result.checked, firstBrokenSeq: result.firstBrokenSeq },
          },
        ]);
        return result;
      },
    );
  };
}
