import { PROFILES } from './profiles.js';

/** A [lon, lat] position as the routing routes take it. */
export const position = {
  type: 'array',
  minItems: 2,
  maxItems: 2,
  items: [
    { type: 'number', minimum: -180, maximum: 180 },
    { type: 'number', minimum: -90, maximum: 90 },
  ],
} as const;
export const profile = { type: 'string', enum: [...PROFILES] } as const;

/** The body of POST /api/routing/coverage: checked by the route, or in a worker for a large body (coverage-body-worker.ts). */
export const coverageBodySchema = {
  type: 'object',
  required: ['stations', 'targetMinutes'],
  additionalProperties: false,
  properties: {
    stations: { type: 'array', minItems: 1, maxItems: 500, items: position },
    targetMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 120 },
    profile,
    weights: { type: 'string', enum: ['residents', 'buildings'] },
    points: {
      type: 'array',
      maxItems: 200_000,
      items: {
        type: 'object',
        required: ['position', 'weight'],
        additionalProperties: false,
        properties: { position, weight: { type: 'number', minimum: 0 } },
      },
    },
  },
} as const;
