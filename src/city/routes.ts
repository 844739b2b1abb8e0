import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync } from 'fastify';
import { VigilError, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { AppContext } from '../platform/app-context.js';
import { BASEMAP_LAYERS, type CityService } from './city-service.js';
import { DEVICE_KINDS, SITE_CATEGORIES, type Device, type Zone } from './model.js';
import { tuning } from '../kernel/tuning.js';

/** The largest extract accepted as uploaded (compressed); what it may hold once read is limited separately (OsmLimits). */
export const MAX_UPLOAD_BYTES = tuning('VIGIL_OSM_MAX_UPLOAD_BYTES')!;

const tooLarge = (): VigilError =>
  new VigilError('payload_too_large', `the extract is larger than ${MAX_UPLOAD_BYTES} bytes (VIGIL_OSM_MAX_UPLOAD_BYTES); send a smaller extract`);

/**
 * Writes the request body to `file` as it arrives, never holding it in memory, and
 * stops at `maxBytes` (a missing or false Content-Length does not get past it).
 */
export async function streamToFile(body: Readable, file: string, maxBytes: number): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? tooLarge() : null, chunk);
    },
  });
  try {
    await pipeline(body, counter, createWriteStream(file, { flags: 'wx' }));
    return bytes;
  } catch (error) {
    await rm(file, { force: true });
    throw error instanceof VigilError ? error : new VigilError('bad_request', `the upload did not arrive whole: ${(error as Error).message}`);
  }
}

/** /api/city: the city model (public map data) and its import from OpenStreetMap. */
export function cityRoutes(ctx: AppContext, service: CityService): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/city',
      { config: { access: { roles: 'public' } }, schema: { summary: 'The city: name, extent, centre and what was imported', tags: ['city'] } },
      async () => {
        if (!service.state.city) throw new VigilError('not_found', 'no city imported yet: run `vigil import-osm FILE` or upload an extract');
        return { ...service.state.city, timeZone: ctx.config.timeZone, population: service.state.population, devices: service.state.devices.size };
      },
    );

    app.get(
      '/api/city/areas',
      { config: { access: { roles: 'public' } }, schema: { summary: 'City and neighbourhood boundaries as GeoJSON', tags: ['city'] } },
      async () => service.areasGeoJson(),
    );

    app.get<{ Params: { layer: string } }>(
      '/api/city/basemap/:layer',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary: 'A basemap layer (GeoJSON) drawn by the web UI; no external tile server',
          tags: ['city'],
          params: { type: 'object', required: ['layer'], properties: { layer: { type: 'string', enum: [...BASEMAP_LAYERS] } } },
        },
      },
      async (request, reply) => {
        let json = service.state.basemapJson(request.params.layer);
        // Place labels came later than the other layers: a city imported before them has none, not a missing layer.
        if (json === null && request.params.layer === 'places' && service.state.basemapJson('roads') !== null)
          json = '{"type":"FeatureCollection","features":[]}';
        if (json === null) throw notFound('basemap layer', request.params.layer);
        return reply.type('application/geo+json').header('Cache-Control', 'public, max-age=300').send(json);
      },
    );

    app.get<{ Querystring: { category?: string; areaId?: string; q?: string; limit: number; offset: number } }>(
      '/api/city/sites',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'Sites (buildings and points of interest) of the city',
          tags: ['city'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              category: { type: 'string', enum: [...SITE_CATEGORIES] },
              areaId: { type: 'string', maxLength: 200 },
              q: { type: 'string', maxLength: 200 },
              limit: { type: 'integer', minimum: 1, maximum: 5000, default: 100 },
              offset: { type: 'integer', minimum: 0, default: 0 },
            },
          },
        },
      },
      async (request) => {
        const { q, ...rest } = request.query;
        return service.findSites({ ...rest, ...(q ? { text: q } : {}) });
      },
    );

    const position = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } as const;
    const nullableId = { type: ['string', 'null'], maxLength: 200 } as const;
    const STEWARDS = ['admin', 'supervisor'] as const;

    app.post<{ Body: { total: number; source: string; defaultLevels?: number } }>(
      '/api/city/population',
      {
        config: { access: { roles: ['admin'] } },
        schema: {
          summary: 'Place an official population total on the buildings (residents per building and area)',
          tags: ['city'],
          body: {
            type: 'object',
            required: ['total', 'source'],
            additionalProperties: false,
            properties: {
              total: { type: 'integer', minimum: 0, maximum: 100_000_000 },
              source: { type: 'string', minLength: 1, maxLength: 500 },
              defaultLevels: { type: 'integer', minimum: 1, maximum: 100 },
            },
          },
        },
      },
      async (request) => service.estimatePopulation(request.body, request.principal.orgId ?? '', request.principal),
    );

    app.get<{ Querystring: { kind?: string; siteId?: string; limit: number; offset: number } }>(
      '/api/city/devices',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: "Devices (panels, detectors, cameras, sirens, loudspeakers) of the caller's organisation and those shared with it",
          tags: ['city'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kind: { type: 'string', enum: [...DEVICE_KINDS] },
              siteId: { type: 'string', maxLength: 200 },
              limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
              offset: { type: 'integer', minimum: 0, default: 0 },
            },
          },
        },
      },
      async (request) => service.findDevices(request.principal, request.query),
    );

    app.post<{ Body: { zones: Omit<Zone, 'orgId'>[] } }>(
      '/api/city/zones',
      {
        config: { access: { roles: STEWARDS } },
        schema: {
          summary: "Define zones of sites (what panels' zone numbers mean), owned by the caller's organisation",
          tags: ['city'],
          body: {
            type: 'object',
            required: ['zones'],
            additionalProperties: false,
            properties: {
              zones: {
                type: 'array',
                minItems: 1,
                maxItems: 5000,
                items: {
                  type: 'object',
                  required: ['id', 'siteId', 'number', 'name'],
                  additionalProperties: false,
                  properties: {
                    id: { type: 'string', minLength: 1, maxLength: 200 },
                    siteId: { type: 'string', maxLength: 200 },
                    number: { type: 'integer', minimum: 0, maximum: 9999 },
                    name: { type: 'string', maxLength: 200 },
                  },
                },
              },
            },
          },
        },
      },
      async (request) => {
        await service.defineZones(
          request.body.zones.map((z) => ({ ...z, orgId: request.principal.orgId ?? '' })),
          request.principal,
        );
        return { ok: true, zones: request.body.zones.length };
      },
    );

    app.post<{ Body: { devices: Omit<Device, 'orgId'>[] } }>(
      '/api/city/devices',
      {
        config: { access: { roles: STEWARDS } },
        schema: {
          summary: "Register or update devices, owned by the caller's organisation",
          tags: ['city'],
          body: {
            type: 'object',
            required: ['devices'],
            additionalProperties: false,
            properties: {
              devices: {
                type: 'array',
                minItems: 1,
                maxItems: 5000,
                items: {
                  type: 'object',
                  required: ['id', 'kind', 'label', 'position'],
                  additionalProperties: false,
                  properties: {
                    id: { type: 'string', minLength: 1, maxLength: 200 },
                    kind: { type: 'string', enum: [...DEVICE_KINDS] },
                    label: { type: 'string', maxLength: 200 },
                    siteId: nullableId,
                    zoneId: nullableId,
                    parentId: nullableId,
                    position,
                    account: { type: ['string', 'null'], pattern: '^[0-9A-Fa-f]{3,16}$' },
                    protocol: { type: ['string', 'null'], enum: ['sia-dc09', 'contact-id', 'mqtt', 'http', null] },
                    cell: {
                      type: 'object',
                      required: ['cellId', 'coverage'],
                      additionalProperties: false,
                      properties: {
                        cellId: { type: 'string', pattern: '^\\d{3}-\\d{2,3}-[0-9A-Fa-f]{7}$' },
                        coverage: { type: 'array', minItems: 4, maxItems: 200, items: position },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      async (request) => {
        const orgId = request.principal.orgId ?? '';
        const devices: Device[] = request.body.devices.map((d) => ({
          ...d,
          siteId: d.siteId ?? null,
          zoneId: d.zoneId ?? null,
          parentId: d.parentId ?? null,
          protocol: d.protocol ?? null,
          account: d.account ? d.account.toUpperCase() : null,
          orgId,
        }));
        const issued = await service.registerDevices(devices, request.principal);
        // Each new MQTT device's credential, this once: Vigil keeps only its hash.
        return { ok: true, devices: devices.length, mqttCredentials: issued.map((c) => ({ deviceId: c.subject.slice('device:'.length), ...c })) };
      },
    );

    app.post<{ Body: { deviceIds: string[] } }>(
      '/api/city/devices/remove',
      {
        config: { access: { roles: STEWARDS } },
        schema: {
          summary: "Remove devices of the caller's organisation",
          tags: ['city'],
          body: {
            type: 'object',
            required: ['deviceIds'],
            additionalProperties: false,
            properties: { deviceIds: { type: 'array', minItems: 1, maxItems: 5000, items: { type: 'string', maxLength: 200 } } },
          },
        },
      },
      async (request) => {
        await service.removeDevices(request.body.deviceIds, request.principal);
        return { ok: true };
      },
    );

    await app.register(async (upload) => {
      // Extracts arrive as the raw file (.osm, .osm.gz or .osm.pbf); the handler streams it to disk.
      upload.addContentTypeParser(['application/octet-stream', 'application/gzip', 'application/xml', 'text/xml'], (_req, payload, done) =>
        done(null, payload),
      );
      upload.post<{ Querystring: { name: string }; Body: Readable }>(
        '/api/city/imports',
        {
          bodyLimit: MAX_UPLOAD_BYTES,
          config: { access: { roles: ['admin'] } },
          schema: {
            summary: 'Upload an OpenStreetMap extract (.osm, .osm.gz or .osm.pbf as the request body) and import it in the background',
            tags: ['city'],
            querystring: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string', pattern: '^[A-Za-z0-9._-]+\\.osm(\\.gz|\\.pbf)?$', maxLength: 200 } },
            },
          },
        },
        async (request, reply) => {
          service.assertKeepsCityData(request.principal, 'OSM import');
          const body = request.body as Readable | undefined;
          if (!body || typeof body.pipe !== 'function') throw new VigilError('bad_request', 'send the extract as the request body');
          const orgId = request.principal.orgId;
          if (!orgId) throw new VigilError('forbidden', 'an organisation must own the city');
          if (Number(request.headers['content-length']) > MAX_UPLOAD_BYTES) throw tooLarge();
          const dir = join(ctx.config.dataDir, 'city', 'uploads');
          await mkdir(dir, { recursive: true });
          const file = join(dir, `${newId('upl')}-${request.query.name}`);
          const bytes = await streamToFile(body, file, MAX_UPLOAD_BYTES);
          if (bytes === 0) {
            await rm(file, { force: true });
            throw new VigilError('bad_request', 'send the extract as the request body');
          }
          try {
            return reply.status(202).send(service.startImport(file, { orgId, actor: request.principal.actor }));
          } catch (error) {
            await rm(file, { force: true });
            throw error;
          }
        },
      );
    });

    app.get<{ Params: { id: string } }>(
      '/api/city/imports/:id',
      {
        config: { access: { roles: ['admin'] } },
        schema: {
          summary: 'Progress of an import',
          tags: ['city'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
        },
      },
      async (request) => {
        service.assertKeepsCityData(request.principal, 'OSM import');
        return service.progress(request.params.id);
      },
    );
  };
}
