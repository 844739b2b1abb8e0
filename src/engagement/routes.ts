import type { FastifyPluginAsync } from 'fastify';
import { VigilError, badRequest } from '../kernel/errors.js';
import { SlidingWindowLimiter, clientKey } from '../kernel/rate-limiter.js';
import type { Role } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { readPurpose } from '../platform/personal-data.js';
import { NOTICE_CHANNELS, checkPushSubscription, type PushSubscriptionJson } from '../platform/notices.js';
import {
  CATEGORIES,
  EFFECTS,
  INTERACTION_KINDS,
  POSITIONS,
  RELATION_KINDS,
  SCALES,
  SECTORS,
  STAKEHOLDER_KINDS,
  STANCES,
  type ConsultationInput,
  type InteractionKind,
  type Outcome,
  type Position,
  type RelationKind,
  type StakeholderInput,
} from './model.js';
import type { EngagementService } from './service.js';

/** Who keeps the registry, runs consultations and answers grievances for their organisation. */
export const ENGAGEMENT_ROLES: readonly Role[] = ['admin', 'analyst'];

const HOUR = 3_600_000;
const id = { type: 'string', maxLength: 100 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
const text = (max: number, min = 0) => ({ type: 'string', minLength: min, maxLength: max }) as const;
const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
const time = { type: 'string', format: 'date-time', maxLength: 40 } as const;
const scaleOf5 = { type: 'number', minimum: 1, maximum: 5 } as const;
const dimensions = {
  type: 'object',
  additionalProperties: false,
  required: ['aims', 'challenges', 'potential', 'constraints', 'role', 'contributions'],
  properties: Object.fromEntries(['aims', 'challenges', 'potential', 'constraints', 'role', 'contributions'].map((k) => [k, text(2000)])),
} as const;
const stakeholderProps = {
  name: text(200, 1),
  kind: { type: 'string', enum: STAKEHOLDER_KINDS },
  parentId: { type: ['string', 'null'], maxLength: 100 },
  capacity: nullableText(200),
  scale: { type: 'string', enum: SCALES },
  sector: { type: 'string', enum: SECTORS },
  categories: { type: 'array', maxItems: CATEGORIES.length, items: { type: 'string', enum: CATEGORIES } },
  stance: { type: ['string', 'null'], enum: [...STANCES, null] },
  influence: scaleOf5,
  interest: scaleOf5,
  dimensions,
} as const;
const contactProps = { name: nullableText(120), email: { type: ['string', 'null'], maxLength: 200, pattern: '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' } } as const;

/**
 * /api/engagement: the registry, consultations and grievances of the caller's organisation (and those
 * shared with it); /api/public/engagement: published consultations, answers and grievances from the
 * public (no account, rate-limited), and the personal link showing each participant how their input counted.
 */
export function engagementRoutes(ctx: AppContext, service: EngagementService): FastifyPluginAsync {
  const perIp = new SlidingWindowLimiter(ctx.config.reportsPerIp, HOUR);
  const limit = (ip: string): void => {
    const taken = perIp.take(`ip:${clientKey(ip)}`, ctx.clock.now());
    if (!taken.ok) {
      const retryAfterSeconds = Math.ceil(taken.retryAfterMs / 1000);
      throw new VigilError('rate_limited', `too many answers from your network; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
  };
  const staff = { access: { roles: ENGAGEMENT_ROLES } };
  const tags = ['engagement'];
  const pub = { access: { roles: 'public' as const } };

  return async (app) => {
    // ── the public ─────────────────────────────────────────────────────────
    app.get(
      '/api/public/engagement/consultations',
      { config: pub, schema: { summary: 'Published consultations: question, information, times, status, the decision', tags } },
      async () => ({
        consultations: service.publicList(),
      }),
    );
    app.get<{ Params: { id: string } }>(
      '/api/public/engagement/consultations/:id',
      { config: pub, schema: { summary: 'One published consultation', tags, params: idParams } },
      async (request) => ({ consultation: service.publicOne(request.params.id) }),
    );
    app.post<{
      Params: { id: string };
      Body: {
        text: string;
        position: Position;
        name?: string | null;
        email?: string | null;
        notify?: ('email' | 'push')[];
        push?: PushSubscriptionJson | null;
        lang?: 'en' | 'fr';
      };
    }>(
      '/api/public/engagement/consultations/:id/answers',
      {
        config: pub,
        schema: {
          summary:
            'Answer an open consultation (no account; rate-limited per network). Returns the personal link token that shows the decision and how the answer counted',
          tags,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['text', 'position'],
            properties: {
              text: text(4000, 2),
              position: { type: 'string', enum: POSITIONS },
              ...contactProps,
              // Tell me the decision (consent recorded with the answer): by e-mail, on this device (Web Push), or both.
              notify: { type: 'array', maxItems: 2, uniqueItems: true, items: { type: 'string', enum: NOTICE_CHANNELS } },
              push: { type: ['object', 'null'] },
              lang: { type: 'string', enum: ['en', 'fr'] },
            },
          },
        },
      },
      async (request, reply) => {
        limit(request.ip);
        const push = request.body.push ? checkPushSubscription(request.body.push) : null;
        if (push && !push.ok) throw badRequest(push.error);
        return reply.status(201).send(await service.answerPublic(request.params.id, { ...request.body, push: push?.ok ? push.value : null }));
      },
    );
    app.post<{ Body: { subject: string; text: string; consultationId?: string | null; name?: string | null; email?: string | null } }>(
      '/api/public/engagement/grievances',
      {
        config: pub,
        schema: {
          summary: "A grievance from the public (to the consultation's organisation, or the city's); acknowledged within 2 days, resolved within 30",
          tags,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['subject', 'text'],
            properties: { subject: text(200, 1), text: text(4000, 2), consultationId: { type: ['string', 'null'], maxLength: 100 }, ...contactProps },
          },
        },
      },
      async (request, reply) => {
        limit(request.ip);
        return reply.status(201).send(await service.fileGrievancePublic(request.body));
      },
    );
    app.get<{ Params: { token: string } }>(
      '/api/public/engagement/follow/:token',
      {
        config: pub,
        schema: {
          summary: "A participant's answer with the decision and how it counted, or a grievance's status, through the personal link (no account)",
          tags,
          params: { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 100 } } },
        },
      },
      async (request) => ({ follow: service.follow(request.params.token) }),
    );

    // ── staff ──────────────────────────────────────────────────────────────
    app.get(
      '/api/engagement',
      { config: staff, schema: { summary: 'The registry, relations, consultations and grievances the caller may read, with figures', tags } },
      async (request) => service.overview(request.principal),
    );
    app.post<{ Body: StakeholderInput }>(
      '/api/engagement/stakeholders',
      {
        config: staff,
        schema: {
          summary: "Register a stakeholder of the caller's organisation (Table I.1 dimensions, categories, influence and interest)",
          tags,
          body: { type: 'object', additionalProperties: false, required: Object.keys(stakeholderProps), properties: stakeholderProps },
        },
      },
      async (request, reply) => reply.status(201).send({ stakeholder: await service.registerStakeholder(request.body, request.principal) }),
    );
    app.patch<{ Params: { id: string }; Body: Partial<StakeholderInput> }>(
      '/api/engagement/stakeholders/:id',
      {
        config: staff,
        schema: {
          summary: 'Change a stakeholder (its organisation only)',
          tags,
          params: idParams,
          body: { type: 'object', additionalProperties: false, minProperties: 1, properties: stakeholderProps },
        },
      },
      async (request) => ({ stakeholder: await service.updateStakeholder(request.params.id, request.body, request.principal) }),
    );
    app.get<{ Params: { id: string } }>(
      '/api/engagement/stakeholders/:id/log',
      { config: staff, schema: { summary: "A stakeholder's engagement log, oldest first", tags, params: idParams } },
      async (request) => ({ log: service.log(request.params.id, request.principal) }),
    );
    app.post<{ Params: { id: string }; Body: { kind: InteractionKind; summary: string; at?: string } }>(
      '/api/engagement/stakeholders/:id/log',
      {
        config: staff,
        schema: {
          summary: "Write an interaction in a stakeholder's engagement log",
          tags,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'summary'],
            properties: { kind: { type: 'string', enum: INTERACTION_KINDS }, summary: text(2000, 1), at: time },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ log: await service.logInteraction(request.params.id, request.body, request.principal) }),
    );
    app.post<{ Body: { fromId: string; toId: string; kind: RelationKind; note?: string | null } }>(
      '/api/engagement/relations',
      {
        config: staff,
        schema: {
          summary: 'Draw a relation between two stakeholders on the interaction map',
          tags,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['fromId', 'toId', 'kind'],
            properties: { fromId: id, toId: id, kind: { type: 'string', enum: RELATION_KINDS }, note: nullableText(500) },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ relation: await service.addRelation(request.body, request.principal) }),
    );
    app.post<{ Body: ConsultationInput }>(
      '/api/engagement/consultations',
      {
        config: staff,
        schema: {
          summary: 'Draft a consultation: question, information published before it opens, invited stakeholders, open and close times',
          tags,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['title', 'question', 'information', 'invitedIds', 'openToPublic', 'opensAt', 'closesAt'],
            properties: {
              title: text(200, 1),
              question: text(1000, 1),
              information: text(20_000, 1),
              invitedIds: { type: 'array', maxItems: 500, items: id },
              openToPublic: { type: 'boolean' },
              opensAt: time,
              closesAt: time,
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ consultation: await service.draftConsultation(request.body, request.principal) }),
    );
    app.get<{ Params: { id: string } }>(
      '/api/engagement/consultations/:id',
      {
        config: staff,
        schema: {
          summary: "A consultation with its contributions (public participants' names for its organisation only; the read is recorded)",
          tags,
          params: idParams,
        },
      },
      async (request) =>
        service.consultation(request.params.id, request.principal, readPurpose(request.headers['x-vigil-purpose'], 'answering a consultation')),
    );
    for (const [step, summary] of [
      ['publish', 'Publish a consultation: its information is public now, it opens at its open time'],
      ['close', 'Close a consultation before its close time'],
    ] as const) {
      app.post<{ Params: { id: string } }>(
        `/api/engagement/consultations/:id/${step}`,
        { config: staff, schema: { summary, tags, params: idParams } },
        async (request) => ({
          consultation:
            step === 'publish' ? await service.publish(request.params.id, request.principal) : await service.close(request.params.id, request.principal),
        }),
      );
    }
    app.post<{ Params: { id: string }; Body: { stakeholderId: string; text: string; position: Position } }>(
      '/api/engagement/consultations/:id/contributions',
      {
        config: staff,
        schema: {
          summary: "Record an invited stakeholder's answer (a letter, a meeting); returns the personal link token to give them",
          tags,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['stakeholderId', 'text', 'position'],
            properties: { stakeholderId: id, text: text(4000, 2), position: { type: 'string', enum: POSITIONS } },
          },
        },
      },
      async (request, reply) => reply.status(201).send(await service.recordContribution(request.params.id, request.body, request.principal)),
    );
    app.post<{ Params: { id: string }; Body: { summary: string; outcomes: Outcome[] } }>(
      '/api/engagement/consultations/:id/decision',
      {
        config: staff,
        schema: {
          summary: 'Record the decision of a closed consultation: every contribution linked with how it affected it',
          tags,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['summary', 'outcomes'],
            properties: {
              summary: text(4000, 1),
              outcomes: {
                type: 'array',
                maxItems: 100_000,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['contributionId', 'effect', 'explanation'],
                  properties: { contributionId: id, effect: { type: 'string', enum: EFFECTS }, explanation: text(2000, 1) },
                },
              },
            },
          },
        },
      },
      async (request) => ({ consultation: await service.decide(request.params.id, request.body, request.principal) }),
    );
    app.post<{ Body: { subject: string; text: string; stakeholderId: string; consultationId?: string | null } }>(
      '/api/engagement/grievances',
      {
        config: staff,
        schema: {
          summary: "Record a stakeholder's grievance addressed to the caller's organisation",
          tags,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['subject', 'text', 'stakeholderId'],
            properties: { subject: text(200, 1), text: text(4000, 2), stakeholderId: id, consultationId: { type: ['string', 'null'], maxLength: 100 } },
          },
        },
      },
      async (request, reply) => reply.status(201).send(await service.recordGrievance(request.body, request.principal)),
    );
    app.get<{ Params: { id: string } }>(
      '/api/engagement/grievances/:id',
      {
        config: staff,
        schema: { summary: "A grievance with its times; the complainant's contact for its organisation only (the read is recorded)", tags, params: idParams },
      },
      async (request) => ({
        grievance: await service.grievance(request.params.id, request.principal, readPurpose(request.headers['x-vigil-purpose'], 'answering a grievance')),
      }),
    );
    app.post<{ Params: { id: string }; Body: { note?: string | null } }>(
      '/api/engagement/grievances/:id/acknowledge',
      {
        config: staff,
        schema: {
          summary: 'Acknowledge a grievance (optionally with a note the complainant reads)',
          tags,
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: { note: nullableText(2000) } },
        },
      },
      async (request) => ({ grievance: await service.acknowledgeGrievance(request.params.id, request.body?.note ?? null, request.principal) }),
    );
    app.post<{ Params: { id: string }; Body: { response: string } }>(
      '/api/engagement/grievances/:id/resolve',
      {
        config: staff,
        schema: {
          summary: 'Resolve a grievance with the answer the complainant reads',
          tags,
          params: idParams,
          body: { type: 'object', additionalProperties: false, required: ['response'], properties: { response: text(4000, 1) } },
        },
      },
      async (request) => ({ grievance: await service.resolveGrievance(request.params.id, request.body.response, request.principal) }),
    );
  };
}
