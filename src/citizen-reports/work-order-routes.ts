import type { FastifyPluginAsync } from 'fastify';
import { WORK_ORDER_PRIORITIES, type WorkOrderPriority } from './model.js';
import { TRIAGE_ROLES } from './routes.js';
import type { WorkOrders } from './work-orders.js';

const id = { type: 'string', maxLength: 100 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
const text = { type: 'string', minLength: 1, maxLength: 2000 } as const;

/** Work orders issued from citizen reports: /api/citizen-reports/:id/work-order and /api/citizen-reports/work-orders[/:id/…]. */
export function workOrderRoutes(orders: WorkOrders): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/citizen-reports/work-orders',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: "Open work orders issued by or assigned to the caller's organisation, overdue first; and the organisations one can be assigned to",
          tags: ['citizen-reports'],
        },
      },
      async (request) => ({ workOrders: orders.listOpen(request.principal), assignees: orders.assignees() }),
    );

    app.post<{
      Params: { id: string };
      Body: { assigneeOrgId?: string; team?: string | null; priority?: WorkOrderPriority; dueDate: string; instructions: string };
    }>(
      '/api/citizen-reports/:id/work-order',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: 'Make a work order from a report: assigned to an organisation (the responsible one by default), a priority, a due day and instructions',
          tags: ['citizen-reports'],
          params: idParams,
          body: {
            type: 'object',
            required: ['dueDate', 'instructions'],
            additionalProperties: false,
            properties: {
              assigneeOrgId: id,
              team: { type: ['string', 'null'], maxLength: 200 },
              priority: { type: 'string', enum: [...WORK_ORDER_PRIORITIES] },
              dueDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
              instructions: text,
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ report: await orders.issue(request.params.id, request.body, request.principal) }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/citizen-reports/work-orders/:id/start',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: { summary: 'A work order is in progress', tags: ['citizen-reports'], params: idParams },
      },
      async (request) => ({ workOrder: await orders.start(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: { note: string } }>(
      '/api/citizen-reports/work-orders/:id/complete',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: 'A work order is done: its report is resolved with the public note (the reporter is told)',
          tags: ['citizen-reports'],
          params: idParams,
          body: { type: 'object', required: ['note'], additionalProperties: false, properties: { note: text } },
        },
      },
      async (request) => ({ workOrder: await orders.complete(request.params.id, request.body.note, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/api/citizen-reports/work-orders/:id/cancel',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: 'Cancel a work order with a reason (the report is back to acknowledged)',
          tags: ['citizen-reports'],
          params: idParams,
          body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: text } },
        },
      },
      async (request) => ({ workOrder: await orders.cancel(request.params.id, request.body.reason, request.principal) }),
    );
  };
}
