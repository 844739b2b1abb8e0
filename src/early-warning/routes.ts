import type { FastifyPluginAsync } from 'fastify';
import { DEVICE_KINDS } from '../city/contract.js';
import type { Role } from '../platform/access.js';
import { CHANNELS, SEVERITIES, URGENCIES } from '../alerts/contract.js';
import type { EarlyWarningService } from './early-warning-service.js';
import { RULE_SENSOR_TYPES, type RuleInput } from './rule-model.js';

const OFFICERS: readonly Role[] = ['alert-officer'];
const VIEWERS: readonly Role[] = ['alert-officer', 'admin', 'commander', 'analyst'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;
const id = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** The rule body (docs/sensors.md, "Early-warning rules"). */
export const RULE_INPUT_SCHEMA = {
  type: 'object',
  required: ['name', 'sensors', 'measure', 'persistence', 'draft'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    sensors: {
      oneOf: [
        {
          type: 'object',
          required: ['deviceIds'],
          additionalProperties: false,
          properties: { deviceIds: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: id } },
        },
        {
          type: 'object',
          required: ['deviceKind', 'areaId'],
          additionalProperties: false,
          properties: { deviceKind: { type: 'string', enum: [...DEVICE_KINDS] }, areaId: { anyOf: [id, { type: 'null' }] } },
        },
      ],
    },
    measure: {
      oneOf: [
        {
          type: 'object',
          required: ['type', 'sensorType', 'direction', 'threshold', 'unit', 'hysteresis'],
          additionalProperties: false,
          properties: {
            type: { const: 'threshold' },
            sensorType: { type: 'string', enum: [...RULE_SENSOR_TYPES] },
            direction: { type: 'string', enum: ['above', 'below'] },
            threshold: { type: 'number', minimum: -1e9, maximum: 1e9 },
            unit: { type: 'string', minLength: 1, maxLength: 16 },
            hysteresis: { type: 'number', minimum: 0, maximum: 1e9 },
          },
        },
        {
          type: 'object',
          required: ['type', 'sensorType'],
          additionalProperties: false,
          properties: { type: { const: 'state' }, sensorType: { type: 'string', enum: [...RULE_SENSOR_TYPES] } },
        },
      ],
    },
    persistence: {
      type: 'object',
      required: ['readings', 'seconds'],
      additionalProperties: false,
      properties: { readings: { type: 'integer', minimum: 1, maximum: 1000 }, seconds: { type: 'integer', minimum: 0, maximum: 86_400 } },
    },
    draft: {
      type: 'object',
      required: ['templateId', 'languages', 'area', 'severity', 'urgency', 'status', 'channels'],
      additionalProperties: false,
      properties: {
        templateId: id,
        languages: { type: 'array', minItems: 1, maxItems: 12, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$' } },
        area: {
          oneOf: [
            { type: 'object', required: ['kind', 'areaId'], additionalProperties: false, properties: { kind: { const: 'neighbourhood' }, areaId: id } },
            {
              type: 'object',
              required: ['kind', 'areaDesc', 'polygon'],
              additionalProperties: false,
              properties: {
                kind: { const: 'polygon' },
                areaDesc: { type: 'string', minLength: 1, maxLength: 500 },
                polygon: { type: 'string', minLength: 1, maxLength: 200_000 },
              },
            },
            {
              type: 'object',
              required: ['kind', 'radiusKm'],
              additionalProperties: false,
              properties: { kind: { const: 'circle' }, radiusKm: { type: 'number', exclusiveMinimum: 0, maximum: 100 } },
            },
          ],
        },
        severity: { type: 'string', enum: [...SEVERITIES] },
        urgency: { type: 'string', enum: [...URGENCIES] },
        status: { type: 'string', enum: ['Actual', 'Exercise', 'Test'] },
        channels: { type: 'array', maxItems: CHANNELS.length, uniqueItems: true, items: { type: 'string', enum: [...CHANNELS] } },
      },
    },
  },
} as const;

/** /api/alerts/rules: early-warning rules that draft alerts from sensor readings. */
export function earlyWarningRoutes(service: EarlyWarningService): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/alerts/rules',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary: 'Early-warning rules of the caller’s organisation and those shared with it, with where each stands and its sensors’ last readings',
          tags: ['alerts'],
        },
      },
      async (request) => ({ rules: service.list(request.principal) }),
    );

    app.post<{ Body: RuleInput }>(
      '/api/alerts/rules',
      {
        config: { access: { roles: OFFICERS } },
        schema: {
          summary: 'Define an early-warning rule: sensors, condition, persistence, and the alert it drafts for approval',
          tags: ['alerts'],
          body: RULE_INPUT_SCHEMA,
        },
      },
      async (request, reply) => reply.status(201).send(await service.define(request.body, request.principal)),
    );

    app.put<{ Params: { id: string }; Body: RuleInput }>(
      '/api/alerts/rules/:id',
      {
        config: { access: { roles: OFFICERS } },
        schema: {
          summary: 'Change an early-warning rule (its condition starts counting afresh; an open draft stays open)',
          tags: ['alerts'],
          params: idParams,
          body: RULE_INPUT_SCHEMA,
        },
      },
      async (request) => service.define(request.body, request.principal, request.params.id),
    );

    for (const action of ['enable', 'disable'] as const) {
      app.post<{ Params: { id: string } }>(
        `/api/alerts/rules/:id/${action}`,
        {
          config: { access: { roles: OFFICERS } },
          schema: {
            summary: action === 'enable' ? 'Enable an early-warning rule' : 'Disable an early-warning rule: its sensors’ readings are no longer evaluated',
            tags: ['alerts'],
            params: idParams,
          },
        },
        async (request) => service.switch(request.params.id, action === 'enable', request.principal),
      );
    }
  };
}
