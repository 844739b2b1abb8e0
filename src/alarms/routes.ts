import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../platform/access.js';
import { can } from '../platform/policy.js';
import { notFound } from '../kernel/errors.js';
import type { CityReadPort } from '../city/contract.js';
import type { AccountsPlans } from './accounts-plans/accounts-plans.js';
import type { AlarmsState } from './alarms-state.js';
import type { CameraEvent } from './contract.js';
import type { CameraIngest } from './ingest/camera-ingest.js';
import type { AlarmQueue } from './queue.js';
import type { AlarmStats } from './stats.js';
import { alarmTitleParts } from './alarm-title.js';
import { verification } from './verification.js';
import { RESOLUTIONS, SIGNAL_KINDS, STEP_KINDS, SUPERVISION_PRESETS, type AccountSchedule, type ActionPlan, type Keyholder, type Resolution } from './model.js';

const HANDLERS: readonly Role[] = ['operator', 'supervisor'];
const VIEWERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'admin'];
const STEWARDS: readonly Role[] = ['supervisor', 'admin'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;

/** /api/alarms: the operator console's queue and actions, account settings, figures. */
export function alarmsRoutes(alarms: {
  state: AlarmsState;
  queue: AlarmQueue;
  plans: AccountsPlans;
  stats: AlarmStats;
  cameras: CameraIngest;
  city: CityReadPort;
}): FastifyPluginAsync {
  const { state, queue, plans, stats, cameras, city } = alarms;
  return async (app) => {
    app.get(
      '/api/alarms',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: 'Open alarms the caller may see, most urgent first (priority, then age)', tags: ['alarms'] },
      },
      // Each with what its title is made of (titleParts, null when a coded signal did not write it): the console shows it in the reader's language.
      async (request) => ({
        alarms: queue.visibleQueue(request.principal).map((a) => ({
          ...a,
          titleParts: alarmTitleParts(
            a.title,
            a.signalIds.map((id) => state.signals.get(id)),
          ),
        })),
      }),
    );

    app.get(
      '/api/alarms/stats',
      { config: { access: { roles: VIEWERS } }, schema: { summary: 'Acknowledgement times (share within 30 s and 60 s), false-alarm rate', tags: ['alarms'] } },
      async (request) => stats.stats(request.principal),
    );

    app.get<{ Querystring: { per: 'site' | 'device' } }>(
      '/api/alarms/false-alarms',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary: 'False-alarm rate per site or per device over closed alarms, worst first',
          tags: ['alarms'],
          querystring: { type: 'object', additionalProperties: false, properties: { per: { type: 'string', enum: ['site', 'device'], default: 'site' } } },
        },
      },
      async (request) => ({ rates: stats.falseAlarmRates(request.principal, request.query.per) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/alarms/:id',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: 'An alarm with its signals, site and nearby devices for verification', tags: ['alarms'], params: idParams },
      },
      async (request) => {
        const alarm = queue.alarmFor(request.params.id, request.principal);
        return {
          alarm,
          signals: alarm.signalIds.map((id) => state.signals.get(id)).filter(Boolean),
          pathFaulted: alarm.account ? state.faultedPaths.has(alarm.account) : false,
          escalated: state.escalated.has(alarm.alarmId),
          plan: state.planFor(alarm),
          stepsDone: state.steps.get(alarm.alarmId) ?? [],
          failedNotifications: state.failedNotifications.get(alarm.alarmId) ?? [],
          // Keyholders are personal data: the owner, and a partner sharing with 'act' who must call them.
          keyholders: can(request.principal, 'personal', { orgId: alarm.orgId, personal: 'keyholders' }) ? state.keyholdersFor(alarm) : [],
          verification: verification(alarm, request.principal, state, city),
        };
      },
    );

    for (const action of ['claim', 'acknowledge'] as const) {
      app.post<{ Params: { id: string } }>(
        `/api/alarms/:id/${action}`,
        {
          config: { access: { roles: HANDLERS } },
          schema: {
            summary: action === 'claim' ? 'Take an alarm (others see who handles it)' : 'Acknowledge an alarm (stops the acknowledgement clock)',
            tags: ['alarms'],
            params: idParams,
          },
        },
        async (request) => ({ alarm: await queue[action](request.params.id, request.principal) }),
      );
    }

    app.post<{ Params: { id: string; stepId: string }; Body: { outcome?: string } }>(
      '/api/alarms/:id/steps/:stepId',
      {
        config: { access: { roles: HANDLERS } },
        schema: {
          summary: "Record a step of the alarm's action plan as done, with its outcome",
          tags: ['alarms'],
          params: {
            type: 'object',
            required: ['id', 'stepId'],
            properties: { id: { type: 'string', maxLength: 100 }, stepId: { type: 'string', maxLength: 100 } },
          },
          body: { type: 'object', additionalProperties: false, properties: { outcome: { type: 'string', maxLength: 1000 } } },
        },
      },
      async (request) => {
        await queue.doStep(request.params.id, request.params.stepId, request.body?.outcome ?? 'done', request.principal);
        return { stepsDone: state.steps.get(request.params.id) ?? [] };
      },
    );

    app.get(
      '/api/alarms/plans',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: "Action plans of the caller's organisation and of those sharing with it", tags: ['alarms'] },
      },
      async (request) => ({ plans: plans.listPlans(request.principal) }),
    );

    app.post<{ Body: Omit<ActionPlan, 'planId' | 'orgId'> & { planId?: string } }>(
      '/api/alarms/plans',
      {
        config: { access: { roles: STEWARDS } },
        schema: {
          summary: 'Define (or replace, with planId) an action plan: ordered steps for alarm kinds at sites',
          tags: ['alarms'],
          body: {
            type: 'object',
            required: ['name', 'kinds', 'siteIds', 'steps'],
            additionalProperties: false,
            properties: {
              planId: { type: 'string', maxLength: 100 },
              name: { type: 'string', minLength: 1, maxLength: 200 },
              kinds: { type: 'array', minItems: 1, items: { type: 'string', enum: [...SIGNAL_KINDS] } },
              siteIds: { type: 'array', maxItems: 10_000, items: { type: 'string', maxLength: 200 } },
              steps: {
                type: 'array',
                minItems: 1,
                maxItems: 50,
                items: {
                  type: 'object',
                  required: ['stepId', 'kind', 'text', 'mandatory'],
                  additionalProperties: false,
                  properties: {
                    stepId: { type: 'string', maxLength: 50 },
                    kind: { type: 'string', enum: [...STEP_KINDS] },
                    text: { type: 'string', maxLength: 500 },
                    mandatory: { type: 'boolean' },
                    timerSeconds: { type: ['integer', 'null'], minimum: 0, maximum: 86_400 },
                    notifyUrl: { type: ['string', 'null'], maxLength: 2000 },
                  },
                },
              },
            },
          },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await plans.definePlan(
              { ...request.body, steps: request.body.steps.map((st) => ({ ...st, timerSeconds: st.timerSeconds ?? null, notifyUrl: st.notifyUrl || null })) },
              request.principal,
            ),
          ),
    );

    app.delete<{ Params: { id: string } }>(
      '/api/alarms/plans/:id',
      {
        config: { access: { roles: STEWARDS } },
        schema: { summary: 'Remove an action plan (alarms already handled keep their recorded steps)', tags: ['alarms'], params: idParams },
      },
      async (request, reply) => {
        await plans.removePlan(request.params.id, request.principal);
        return reply.status(204).send();
      },
    );

    const siteParams = { type: 'object', required: ['siteId'], properties: { siteId: { type: 'string', maxLength: 200 } } } as const;
    app.get<{ Params: { siteId: string } }>(
      '/api/alarms/keyholders/:siteId',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: "The caller's organisation's keyholders for a site, in calling order", tags: ['alarms'], params: siteParams },
      },
      async (request) => ({ siteId: request.params.siteId, keyholders: state.keyholders.get(`${request.principal.orgId}:${request.params.siteId}`) ?? [] }),
    );

    app.put<{ Params: { siteId: string }; Body: { keyholders: Keyholder[] } }>(
      '/api/alarms/keyholders/:siteId',
      {
        config: { access: { roles: STEWARDS } },
        schema: {
          summary: 'Set the keyholders of a site in calling order (an empty list removes them)',
          tags: ['alarms'],
          params: siteParams,
          body: {
            type: 'object',
            required: ['keyholders'],
            additionalProperties: false,
            properties: {
              keyholders: {
                type: 'array',
                maxItems: 20,
                items: {
                  type: 'object',
                  required: ['name', 'phone'],
                  additionalProperties: false,
                  properties: {
                    name: { type: 'string', minLength: 1, maxLength: 120 },
                    phone: { type: 'string', minLength: 3, maxLength: 40 },
                    note: { type: ['string', 'null'], maxLength: 300 },
                  },
                },
              },
            },
          },
        },
      },
      async (request) => ({
        siteId: request.params.siteId,
        keyholders: await plans.setKeyholders(request.params.siteId, request.body.keyholders, request.principal),
      }),
    );

    app.post<{ Params: { id: string }; Body: { resolution: Resolution; note?: string } }>(
      '/api/alarms/:id/close',
      {
        config: { access: { roles: HANDLERS } },
        schema: {
          summary: 'Close an acknowledged alarm with its resolution',
          tags: ['alarms'],
          params: idParams,
          body: {
            type: 'object',
            required: ['resolution'],
            additionalProperties: false,
            properties: { resolution: { type: 'string', enum: [...RESOLUTIONS] }, note: { type: 'string', maxLength: 2000 } },
          },
        },
      },
      async (request) => ({ alarm: await queue.close(request.params.id, request.body.resolution, request.body.note ?? null, request.principal) }),
    );

    app.post<{ Body: CameraEvent }>(
      '/api/alarms/webhooks/camera',
      {
        config: { access: { roles: HANDLERS } },
        schema: {
          summary: "A camera's video-analytics event (for video systems, with an operator API key)",
          tags: ['alarms'],
          body: {
            type: 'object',
            required: ['cameraId', 'event'],
            additionalProperties: false,
            properties: {
              cameraId: { type: 'string', maxLength: 200 },
              event: { type: 'string', enum: ['intrusion', 'line-crossing', 'loitering', 'smoke', 'fire', 'tamper', 'people-count'] },
              at: { type: 'string', format: 'date-time' },
              snapshotUrl: { type: 'string', format: 'uri', maxLength: 2000 },
              confidence: { type: 'number', minimum: 0, maximum: 1 },
              count: { type: 'integer', minimum: 0 },
              in: { type: 'integer', minimum: 0 },
              out: { type: 'integer', minimum: 0 },
            },
          },
        },
      },
      async (request, reply) => {
        if (request.body.event !== 'people-count') return reply.status(202).send({ signal: await cameras.handleCameraEvent(request.body, request.principal) });
        const outcome = await cameras.handleCameraCount(request.body, request.principal);
        if (outcome !== 'recorded') throw notFound('crowd counter', request.body.cameraId);
        return reply.status(202).send({ peopleCount: 'recorded' });
      },
    );

    app.get(
      '/api/alarms/accounts',
      { config: { access: { roles: STEWARDS } }, schema: { summary: 'Receiver settings per account (keys are never shown)', tags: ['alarms'] } },
      async (request) => ({ accounts: plans.listAccounts(request.principal), presets: SUPERVISION_PRESETS }),
    );

    app.put<{
      Params: { account: string };
      Body: {
        key?: string | null;
        keyFormat?: 'hex' | 'ascii' | 'auto';
        clockOffsetMinutes?: number;
        supervisionSeconds?: number | null;
        preset?: string | null;
        schedule?: AccountSchedule | null;
        relayFor?: string[] | null;
      };
    }>(
      '/api/alarms/accounts/:account',
      {
        config: { access: { roles: STEWARDS } },
        schema: {
          summary: "Set an account's AES key, clock offset (panels on local time), supervision interval or EN 50136 preset, and opening hours",
          tags: ['alarms'],
          params: { type: 'object', required: ['account'], properties: { account: { type: 'string', pattern: '^[0-9A-Fa-f]{3,16}$' } } },
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              key: { type: ['string', 'null'], maxLength: 64 },
              keyFormat: { type: 'string', enum: ['hex', 'ascii', 'auto'] },
              clockOffsetMinutes: { type: 'integer', minimum: -1440, maximum: 1440 },
              supervisionSeconds: { type: ['integer', 'null'], minimum: 10, maximum: 40 * 24 * 3600 },
              preset: { type: ['string', 'null'], enum: [...Object.keys(SUPERVISION_PRESETS), null] },
              relayFor: { type: ['array', 'null'], maxItems: 1000, items: { type: 'string', pattern: '^(\\*|[0-9A-Fa-f]{3,16})$' } },
              schedule: {
                type: ['object', 'null'],
                required: ['days', 'graceMinutes'],
                additionalProperties: false,
                properties: {
                  days: {
                    type: 'array',
                    minItems: 7,
                    maxItems: 7,
                    items: {
                      type: ['object', 'null'],
                      required: ['open', 'close'],
                      additionalProperties: false,
                      properties: { open: { type: 'string', pattern: '^\\d\\d:\\d\\d$' }, close: { type: 'string', pattern: '^\\d\\d:\\d\\d$' } },
                    },
                  },
                  graceMinutes: { type: 'integer', minimum: 0, maximum: 240 },
                },
              },
            },
          },
        },
      },
      async (request) => plans.configureAccount({ account: request.params.account, ...request.body }, request.principal),
    );
  };
}
