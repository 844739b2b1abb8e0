import { PROFILES } from './profiles.js';
import { positionSchema } from '../kernel/geo.js';

/** A [lon, lat] position as the routing routes take it. */
export const position = positionSchema;
export const profile = { type: 'string', enum: [...PROFILES] } as const;
export const ring = { type: 'array', minItems: 4, maxItems: 5000, items: position } as const;
export const circle = {
  type: 'object',
  required: ['center', 'radiusM'],
  additionalProperties: false,
  properties: { center: position, radiusM: { type: 'number', exclusiveMinimum: 0, maximum: 50_000 } },
} as const;
export const footprint = {
  type: 'object',
  additionalProperties: false,
  properties: { rings: { type: 'array', maxItems: 50, items: ring }, circles: { type: 'array', maxItems: 50, items: circle } },
} as const;

/** The body of POST /api/routing/coverage: checked by the route, or in a worker for a large body (large-body-worker.ts). */
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

/** The body of POST /api/routing/evacuation: checked by the route, or in a worker for a large body (large-body-worker.ts). */
export const evacuationBodySchema = {
  type: 'object',
  required: ['hazard'],
  additionalProperties: false,
  properties: {
    hazard: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rings: { type: 'array', maxItems: 50, items: ring },
        circles: { type: 'array', maxItems: 50, items: circle },
        spreadMPerMin: { type: 'number', minimum: 0, maximum: 5000 },
        footprints: {
          type: 'array',
          maxItems: 50,
          items: {
            type: 'object',
            required: ['afterMin'],
            additionalProperties: false,
            properties: { afterMin: { type: 'number', minimum: 0, maximum: 1440 }, ...footprint.properties },
          },
        },
      },
    },
    safetyMarginS: { type: 'number', minimum: 0, maximum: 3600 },
    walkingSpeedKmh: { type: 'number', minimum: 1, maximum: 10 },
    horizonMin: { type: 'number', exclusiveMinimum: 0, maximum: 1440 },
    language: { type: 'string', enum: ['en', 'fr'] },
    origins: {
      type: 'array',
      maxItems: 20_000,
      items: {
        type: 'object',
        required: ['id', 'position'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 100 },
          name: { type: 'string', maxLength: 200 },
          position,
          people: { type: 'number', minimum: 0 },
        },
      },
    },
    assemblyPoints: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'name', 'position'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 100 },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          position,
          capacity: { type: ['integer', 'null'], minimum: 0 },
        },
      },
    },
  },
} as const;
