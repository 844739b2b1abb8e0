import type { FastifyPluginAsync } from 'fastify';
import { VigilError } from '../kernel/errors.js';
import { tuning } from '../kernel/tuning.js';
import type { LineString, Polygon, Position } from '../kernel/geo.js';
import type { Role } from '../platform/access.js';
import type { BuildingSnapshots } from './building-snapshot.js';
import type { EvacuationInput } from './evacuation.js';
import type { SpeedUpdate } from './model.js';
import { coverageBodySchema, evacuationBodySchema, position, profile } from './body-schemas.js';
import { originsJsonOf, packedPointsOf, readLargeBodiesOffThread } from './large-body-off-thread.js';
import type { ProfileName } from './profiles.js';
import { MAX_SPEED_UPDATES, type RoutingService } from './routing-service.js';
import { packWeightedPoints } from './router.js';

/**
 * Body limits of the two routes whose bodies are large by design (the node's default is
 * VIGIL_BODY_LIMIT_BYTES, 1 MiB), from the kernel's tuning table: VIGIL_COVERAGE_BODY_BYTES
 * (16 MiB: 200 000 coverage points at full precision are about 13 MB of JSON) and
 * VIGIL_EVACUATION_BODY_BYTES (8 MiB: 20 000 evacuation origins with names about 6 MB).
 * Such bodies are taken a few at once (src/api/large-bodies.ts).
 */
const mib = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/** Who changes the live network: control-room staff, incident command, administrators. */
const TRAFFIC_ROLES: readonly Role[] = ['operator', 'supervisor', 'commander', 'admin'];

// Checked in depth by the service: a oneOf here would let Ajv's type coercion rewrite the losing branch's data.
const closureGeometry = {
  type: 'object',
  required: ['type', 'coordinates'],
  additionalProperties: false,
  properties: { type: { type: 'string', enum: ['LineString', 'Polygon'] }, coordinates: { type: 'array', minItems: 1, maxItems: 5000 } },
} as const;

/** /api/routing: routes, nearest units, isochrones, coverage, live traffic, closures, evacuation. */
export function routingRoutes(service: RoutingService, deps: { buildings: BuildingSnapshots }): FastifyPluginAsync {
  return async (app) => {
    // Large coverage and evacuation bodies are read in the worker pool; every other JSON body of these routes as Fastify reads it.
    readLargeBodiesOffThread(app, { coverage: '/api/routing/coverage', evacuation: '/api/routing/evacuation' }, tuning('VIGIL_LARGE_BODY_BYTES')!);
    const COVERAGE_BODY_BYTES = tuning('VIGIL_COVERAGE_BODY_BYTES')!;
    const EVACUATION_BODY_BYTES = tuning('VIGIL_EVACUATION_BODY_BYTES')!;
    app.get(
      '/api/routing',
      {
        config: { access: { roles: 'authenticated' } },
        schema: { summary: 'The road graphs: source extract, sizes per profile, assembly points', tags: ['routing'] },
      },
      async () => {
        if (!service.info) service.router('car'); // throws the reason it is not ready
        return { ...service.info, trafficUpdates: service.state.trafficUpdates, closures: service.state.closures.size, assemblyPoints: service.assemblyPoints };
      },
    );

    app.post<{ Body: { from: Position; to: Position; profile?: ProfileName; metric?: 'time' | 'distance' } }>(
      '/api/routing/route',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'Fastest or shortest route between two points (GeoJSON LineString, metres, seconds, turn by turn), with live traffic and closures',
          tags: ['routing'],
          body: {
            type: 'object',
            required: ['from', 'to'],
            additionalProperties: false,
            properties: { from: position, to: position, profile, metric: { type: 'string', enum: ['time', 'distance'] } },
          },
        },
      },
      async (request) => {
        const { from, to, profile: p = 'car', metric = 'time' } = request.body;
        const route = service.router(p).route(from, to, metric);
        if (!route) throw new VigilError('not_found', 'no route between these points (closures or one-way streets cut them apart)');
        return { profile: p, metric, ...route };
      },
    );

    app.post<{ Body: { incident: Position; units: { id: string; position: Position }[]; count?: number; profile?: ProfileName } }>(
      '/api/routing/nearest',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'The N units that reach an incident soonest, by live travel time, each with its route',
          tags: ['routing'],
          body: {
            type: 'object',
            required: ['incident', 'units'],
            additionalProperties: false,
            properties: {
              incident: position,
              profile,
              count: { type: 'integer', minimum: 1, maximum: 100 },
              units: {
                type: 'array',
                minItems: 1,
                maxItems: 5000,
                items: {
                  type: 'object',
                  required: ['id', 'position'],
                  additionalProperties: false,
                  properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, position },
                },
              },
            },
          },
        },
      },
      async (request) => {
        const { incident, units, count = 5, profile: p = 'car' } = request.body;
        const found = service.router(p).nearestUnits(incident, units, count);
        return { profile: p, units: found.map((f) => ({ id: f.unit.id, timeS: f.timeS, distanceM: f.distanceM, route: f.route })) };
      },
    );

    app.post<{ Body: { origin: Position; minutes?: number[]; profile?: ProfileName } }>(
      '/api/routing/isochrone',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'What is reached from a point within each time (default 4, 8, 12 min), as GeoJSON polygons',
          tags: ['routing'],
          body: {
            type: 'object',
            required: ['origin'],
            additionalProperties: false,
            properties: {
              origin: position,
              profile,
              minutes: { type: 'array', minItems: 1, maxItems: 6, items: { type: 'number', exclusiveMinimum: 0, maximum: 60 } },
            },
          },
        },
      },
      async (request) => {
        const { origin, minutes = [4, 8, 12], profile: p = 'car' } = request.body;
        const bands = service.router(p).isochrones(
          origin,
          minutes.map((m) => m * 60),
        );
        return {
          type: 'FeatureCollection',
          features: bands.map((b) => ({ type: 'Feature', geometry: b.polygon, properties: { minutes: b.limitS / 60, nodes: b.nodes, profile: p } })),
        };
      },
    );

    app.post<{
      Body: {
        stations: Position[];
        targetMinutes: number;
        weights?: 'residents' | 'buildings';
        points?: { position: Position; weight: number }[];
        profile?: ProfileName;
      };
    }>(
      '/api/routing/coverage',
      {
        bodyLimit: COVERAGE_BODY_BYTES,
        config: {
          access: { roles: 'authenticated' },
          tooLarge: `a coverage request is at most ${mib(COVERAGE_BODY_BYTES)} (${COVERAGE_BODY_BYTES} bytes, VIGIL_COVERAGE_BODY_BYTES) of JSON`,
        },
        schema: {
          summary: 'Share of residents (or buildings, or given weighted points) reached within a target time from a set of stations',
          tags: ['routing'],
          body: coverageBodySchema,
        },
      },
      async (request) => {
        const { stations, targetMinutes, weights = 'residents', points, profile: p = 'car' } = request.body;
        // A large body's points were parsed, checked and packed in a worker (large-body-off-thread.ts).
        const given = points ? packWeightedPoints(points, points.length) : packedPointsOf(request);
        // The city's buildings come packed from the snapshot (made once per change of the sites), named by its revision.
        const city = given ? null : await deps.buildings.get();
        const targets = given ?? city![weights];
        if (targets.length === 0) throw new VigilError('bad_request', 'no points to cover: the city has no buildings yet; send points');
        const coverage = await service.offThread.coverage(
          p,
          stations,
          targets,
          targetMinutes * 60,
          request.principal.actor,
          city ? `buildings:${city.revision}:${weights}` : undefined,
        );
        return { profile: p, targetMinutes, weights: given ? 'given' : weights, ...coverage };
      },
    );

    app.post<{ Body: { source: string; observedAt?: string; updates: SpeedUpdate[] } }>(
      '/api/routing/traffic',
      {
        config: { access: { roles: TRAFFIC_ROLES } },
        schema: {
          summary: 'Observed speeds by OSM way id or edge id (sensors, camera counts); recorded, then applied to every query at once',
          tags: ['routing'],
          body: {
            type: 'object',
            required: ['source', 'updates'],
            additionalProperties: false,
            properties: {
              source: { type: 'string', minLength: 1, maxLength: 200 },
              observedAt: { type: 'string', format: 'date-time' },
              updates: {
                type: 'array',
                minItems: 1,
                maxItems: MAX_SPEED_UPDATES,
                items: {
                  type: 'object',
                  required: ['speedKmh'],
                  additionalProperties: false,
                  properties: {
                    wayId: { type: 'integer', minimum: 1 },
                    edgeId: { type: 'integer', minimum: 0 },
                    speedKmh: { type: ['number', 'null'], minimum: 0, maximum: 300 },
                  },
                },
              },
            },
          },
        },
      },
      async (request) => service.updateTraffic(request.body, request.principal),
    );

    app.get(
      '/api/routing/closures',
      { config: { access: { roles: 'authenticated' } }, schema: { summary: 'Road closures in force', tags: ['routing'] } },
      async () => ({ closures: service.listClosures() }),
    );

    app.post<{ Body: { geometry: LineString | Polygon; reason: string; profiles?: ProfileName[] } }>(
      '/api/routing/closures',
      {
        config: { access: { roles: TRAFFIC_ROLES } },
        schema: {
          summary: 'Close the roads a line crosses or a polygon covers (for cars, walkers or both)',
          tags: ['routing'],
          body: {
            type: 'object',
            required: ['geometry', 'reason'],
            additionalProperties: false,
            properties: {
              geometry: closureGeometry,
              reason: { type: 'string', minLength: 1, maxLength: 500 },
              profiles: { type: 'array', minItems: 1, maxItems: 2, items: profile },
            },
          },
        },
      },
      async (request, reply) => {
        reply.code(201);
        return service.createClosure(request.body, request.principal);
      },
    );

    app.delete<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
      '/api/routing/closures/:id',
      {
        config: { access: { roles: TRAFFIC_ROLES } },
        schema: {
          summary: 'Reopen the roads of a closure',
          tags: ['routing'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
        },
      },
      async (request, reply) => {
        await service.removeClosure(request.params.id, null, request.principal);
        reply.code(204);
      },
    );

    app.post<{ Body: EvacuationInput }>(
      '/api/routing/evacuation',
      {
        bodyLimit: EVACUATION_BODY_BYTES,
        config: {
          access: { roles: 'authenticated' },
          tooLarge: `an evacuation request is at most ${mib(EVACUATION_BODY_BYTES)} (${EVACUATION_BODY_BYTES} bytes, VIGIL_EVACUATION_BODY_BYTES) of JSON`,
        },
        schema: {
          summary:
            'Foot evacuation plan for a (growing) hazard: per origin the assembly point, route, time and a guidance text; people expected per assembly point',
          tags: ['routing'],
          body: evacuationBodySchema,
        },
      },
      async (request, reply) => {
        const { origins, ...body } = request.body;
        const points = body.assemblyPoints?.map((a) => ({ ...a, source: 'configured' as const, capacity: a.capacity ?? null })) ?? service.assemblyPoints;
        // A large body's origins: one JSON text made in a worker (large-body-off-thread.ts), named by its hash.
        const given = origins ? null : originsJsonOf(request);
        // Without origins, the city's buildings: one JSON text from the snapshot, parsed in the worker.
        const city = origins || given ? null : await deps.buildings.get();
        const json = await service.offThread.evacuation(
          given
            ? { ...body, assemblyPoints: points, buildings: { revision: `given:${given.sha256}`, originsJson: given.json } }
            : city
              ? { ...body, assemblyPoints: points, buildings: { revision: city.revision, originsJson: city.originsJson } }
              : { ...body, origins: origins!, assemblyPoints: points },
          request.principal.actor,
        );
        return reply.type('application/json; charset=utf-8').send(json);
      },
    );
  };
}
