import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../platform/access.js';
import type { CockpitService } from './cockpit-service.js';
import { EXPORT_FORMATS, exportText, type ExportFormat } from './export.js';
import { JobGate } from '../platform/heavy/job-gate.js';
import { MAX_IMPORT_RECORDS, type ImportInput } from './imports/statistics-import.js';
import { COCKPIT_LEVELS, PEER_STATISTICS, type CockpitLevel, type PeerStatistic, type PeriodKind } from './model.js';

/** City managers read the cockpit (analyst); administrators too. */
const READERS: readonly Role[] = ['analyst', 'admin'];
const IMPORTERS: readonly Role[] = ['analyst', 'admin'];

const period = { type: 'string', pattern: '^\\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$' } as const;
const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const importBody = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'format'],
  properties: {
    source: { type: 'string', minLength: 3, maxLength: 500 },
    format: { type: 'string', enum: ['csv', 'json'] },
    content: { type: 'string', maxLength: 900_000 },
    records: { type: 'array', maxItems: MAX_IMPORT_RECORDS, items: { type: 'object', maxProperties: 10 } },
  },
  if: { properties: { format: { const: 'csv' } } },
  then: { required: ['content'] },
  else: { required: ['records'] },
} as const;

/** /api/cockpit: the city management cockpit — catalogue, values per area and period with provenance, trends, imports, peers, export. */
export function cockpitRoutes(service: CockpitService): FastifyPluginAsync {
  // A building-level table is tens of thousands of values: two exports at once, two per user, eight waiting (429 beyond).
  const exportGate = new JobGate('cockpit export', { concurrency: 2, queue: 8, perUser: 2, retryAfterSeconds: 5 });
  return async (app) => {
    app.get(
      '/api/cockpit/catalogue',
      {
        config: { access: { roles: READERS } },
        schema: { summary: 'The indicator catalogue: definitions, units, citations, whether each was confirmed', tags: ['cockpit'] },
      },
      async () => ({
        files: service.state.catalogue.files,
        indicators: service.state.catalogue.indicators,
        variables: [...service.state.catalogue.variables.values()],
        currentPeriod: service.currentPeriod(),
      }),
    );

    app.get(
      '/api/cockpit/areas',
      {
        config: { access: { roles: READERS } },
        schema: { summary: 'The aggregation tree: city, districts, neighbourhoods (with their number of sites)', tags: ['cockpit'] },
      },
      async () => service.tree(),
    );

    app.get<{ Params: { id: string }; Querystring: { period?: string; level?: CockpitLevel; parent?: string } }>(
      '/api/cockpit/indicators/:id/values',
      {
        config: { access: { roles: READERS } },
        schema: {
          summary: 'An indicator for every area (or site) of a level, optionally under a parent area: the map and the drill-down',
          tags: ['cockpit'],
          params: { type: 'object', required: ['id'], properties: { id } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { period, level: { type: 'string', enum: [...COCKPIT_LEVELS] }, parent: id },
          },
        },
      },
      async (request) => ({
        values: service.values(
          request.params.id,
          request.query.period ?? service.currentPeriod(),
          request.query.level ?? 'neighbourhood',
          request.query.parent,
        ),
      }),
    );

    app.get<{ Params: { id: string; area: string }; Querystring: { period?: string; refs?: number } }>(
      '/api/cockpit/indicators/:id/areas/:area',
      {
        config: { access: { roles: READERS } },
        schema: {
          summary: 'One indicator for one area and period, with its provenance (ids of the events or import records behind it)',
          tags: ['cockpit'],
          params: { type: 'object', required: ['id', 'area'], properties: { id, area: id } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { period, refs: { type: 'integer', minimum: 0, maximum: 1000, default: 50 } },
          },
        },
      },
      async (request) => ({
        value: service.value(request.params.id, request.params.area, request.query.period ?? service.currentPeriod(), request.query.refs ?? 50),
      }),
    );

    app.get<{ Params: { id: string; area: string }; Querystring: { by?: PeriodKind } }>(
      '/api/cockpit/indicators/:id/areas/:area/trend',
      {
        config: { access: { roles: READERS } },
        schema: {
          summary: 'An indicator over consecutive months, quarters or years for one area',
          tags: ['cockpit'],
          params: { type: 'object', required: ['id', 'area'], properties: { id, area: id } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { by: { type: 'string', enum: ['month', 'quarter', 'year'], default: 'month' } },
          },
        },
      },
      async (request) => service.trend(request.params.id, request.params.area, request.query.by ?? 'month'),
    );

    app.get<{ Querystring: { period?: string } }>(
      '/api/cockpit/overview',
      {
        config: { access: { roles: READERS } },
        schema: {
          summary:
            'Every indicator with a city value for the period: the value, its last twelve months and its position among peer cities (the small multiples the cockpit opens on)',
          tags: ['cockpit'],
          querystring: { type: 'object', additionalProperties: false, properties: { period } },
        },
      },
      async (request) => service.overview(request.query.period ?? service.currentPeriod()),
    );

    app.get<{ Params: { id: string }; Querystring: { period?: string; statistic?: PeerStatistic } }>(
      '/api/cockpit/indicators/:id/peers',
      {
        config: { access: { roles: READERS } },
        schema: {
          summary:
            'The city against imported peer cities of similar size (half to twice its population), like with like: the statistic (value; median, p90 or mean of a time) the peers published',
          tags: ['cockpit'],
          params: { type: 'object', required: ['id'], properties: { id } },
          querystring: { type: 'object', additionalProperties: false, properties: { period, statistic: { type: 'string', enum: [...PEER_STATISTICS] } } },
        },
      },
      async (request) => service.compare(request.params.id, request.query.period ?? service.currentPeriod(), request.query.statistic),
    );

    app.get(
      '/api/cockpit/imports',
      {
        config: { access: { roles: READERS } },
        schema: { summary: 'Imports of statistics and peer values: source, format, records, who and when', tags: ['cockpit'] },
      },
      async () => ({ imports: service.state.imports }),
    );

    for (const kind of ['statistics', 'peers'] as const) {
      app.post<{ Body: ImportInput }>(
        `/api/cockpit/${kind}`,
        {
          config: { access: { roles: IMPORTERS } },
          bodyLimit: 1_000_000,
          schema: {
            summary:
              kind === 'statistics'
                ? 'Import statistics (CSV columns variable,area,period,value or JSON records) with their source; all or nothing, errors per line'
                : "Import peer cities' published values (CSV columns city,country,population,indicator,period,statistic,value; statistic median, p90 or mean for times) with their source; duplicates refused",
            tags: ['cockpit'],
            body: importBody,
          },
        },
        async (request, reply) => {
          const result =
            kind === 'statistics'
              ? await service.importStatistics(request.body, request.principal)
              : await service.importPeers(request.body, request.principal);
          return reply.status(201).send(result);
        },
      );
    }

    app.get(
      '/api/cockpit/agreements',
      {
        config: { access: { roles: READERS } },
        schema: { summary: 'KPI-based service agreements with the status of their last ended and current period', tags: ['cockpit'] },
      },
      async () => ({ agreements: service.agreementBoard() }),
    );

    app.post<{ Body: Parameters<CockpitService['defineAgreement']>[0] }>(
      '/api/cockpit/agreements',
      {
        config: { access: { roles: IMPORTERS } },
        schema: {
          summary: 'Define (or redefine, same agreementId) a KPI-based agreement with a provider: KPIs, targets, conditions, evaluation period',
          tags: ['cockpit'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'provider', 'periodKind', 'startsWith', 'clauses'],
            properties: {
              agreementId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
              name: { type: 'string', minLength: 3, maxLength: 200 },
              provider: { type: 'string', minLength: 2, maxLength: 200 },
              periodKind: { type: 'string', enum: ['month', 'quarter', 'year'] },
              startsWith: period,
              clauses: {
                type: 'array',
                minItems: 1,
                maxItems: 50,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['indicatorId', 'statistic', 'comparator', 'target'],
                  properties: {
                    indicatorId: id,
                    areaId: { type: ['string', 'null'], maxLength: 200 },
                    statistic: { type: 'string', enum: ['value', 'p50', 'p90'] },
                    comparator: { type: 'string', enum: ['<=', '>='] },
                    target: { type: 'number' },
                    minimumCount: { type: 'integer', minimum: 0, maximum: 1000000 },
                  },
                },
              },
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ agreement: await service.defineAgreement(request.body, request.principal) }),
    );

    app.get<{ Params: { id: string }; Querystring: { period?: string } }>(
      '/api/cockpit/agreements/:id/report',
      {
        config: { access: { roles: READERS } },
        schema: {
          summary: 'The evaluation report of an agreement: every period from the first (or one, ?period=), each KPI against its target',
          tags: ['cockpit'],
          params: { type: 'object', required: ['id'], properties: { id } },
          querystring: { type: 'object', additionalProperties: false, properties: { period } },
        },
      },
      async (request) => service.agreementReport(request.params.id, request.query.period),
    );

    app.get<{ Params: { id: string }; Querystring: { period?: string } }>(
      '/api/cockpit/agreements/:id/report.html',
      {
        config: { access: { roles: READERS } },
        schema: {
          summary: 'The evaluation report as a printable HTML page (the city as examiner): KPIs, targets, the values, samples and outcome of each period',
          tags: ['cockpit'],
          params: { type: 'object', required: ['id'], properties: { id } },
          querystring: { type: 'object', additionalProperties: false, properties: { period } },
        },
      },
      async (request, reply) => reply.type('text/html; charset=utf-8').send(service.agreementReportHtml(request.params.id, request.query.period)),
    );

    app.get<{ Querystring: { format?: ExportFormat; period?: string; level?: CockpitLevel } }>(
      '/api/cockpit/export',
      {
        config: { access: { roles: READERS } },
        schema: {
          summary: 'Every indicator at a level for a period: CSV, JSON or NGSI-LD (FIWARE KeyPerformanceIndicator)',
          tags: ['cockpit'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              format: { type: 'string', enum: [...EXPORT_FORMATS], default: 'json' },
              period,
              level: { type: 'string', enum: [...COCKPIT_LEVELS], default: 'neighbourhood' },
            },
          },
        },
      },
      async (request, reply) => {
        const p = request.query.period ?? service.currentPeriod();
        const level = request.query.level ?? 'neighbourhood';
        const format = request.query.format ?? 'json';
        const name = `vigil-kpi-${level}-${p}`;
        // Behind a gate (equal exports in flight are one run) and written a slice of values per turn of the event loop.
        const text = await exportGate.run({ user: request.principal.actor, key: `${format}\n${p}\n${level}` }, async () => {
          const values = service.table(p, level);
          const defs = service.state.catalogue.byId;
          switch (format) {
            case 'csv':
              return exportText.csv(values, defs);
            case 'ngsi-ld':
              return exportText.ngsiLd(values, defs, service.cityName(), new Date(service.now()).toISOString());
            default:
              return exportText.json({ period: p, level, values });
          }
        });
        const [type, extension] =
          format === 'csv'
            ? ['text/csv; charset=utf-8', 'csv']
            : format === 'ngsi-ld'
              ? ['application/ld+json', 'jsonld']
              : ['application/json; charset=utf-8', 'json'];
        return reply.type(type).header('content-disposition', `attachment; filename="${name}.${extension}"`).send(text);
      },
    );
  };
}
