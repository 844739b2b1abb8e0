import type { FastifyPluginAsync } from 'fastify';
import type { AlertRecord } from '../alerts/contract.js';
import { neighbourhoodLocator, type CityReadPort } from '../city/contract.js';
import type { ReportState } from '../citizen-reports/contract.js';
import type { IndicatorDefinition } from '../cockpit/contract.js';
import type { Consultation, Contribution } from '../engagement/contract.js';
import { valuesToNgsiLd, type IndicatorValue } from '../cockpit/index.js';
import { badRequest } from '../kernel/errors.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import type { OpenDataDataset } from './contract.js';
import { catalogueHtml, dcatCatalogue, type CatalogueInput } from './dcat.js';
import {
  alertsGeoJson,
  areasGeoJson,
  consultationResults,
  consultationResultsCsv,
  facilitiesGeoJson,
  indicatorsCsv,
  publicIndicators,
  reportCells,
  reportCellsCsv,
  reportCellsGeoJson,
  type PublicIndicatorValue,
} from './datasets.js';

export { suppressSmall } from '../kernel/disclosure.js';

/** What open data reads of the other capabilities (filled in capabilities.ts). */
export interface OpenDataDeps {
  city: CityReadPort;
  /** The public alerts in force (issued, scope Public, not expired). */
  publicAlerts: (now: number) => readonly AlertRecord[];
  reports: () => Iterable<ReportState>;
  /** Every consultation with its answers (only closed ones are published) and organisation names. */
  consultations?: () => Iterable<{ consultation: Consultation; contributions: readonly Contribution[] }>;
  orgName?: (orgId: string) => string;
  indicators: {
    defs: ReadonlyMap<string, IndicatorDefinition>;
    table(period: string, level: 'city' | 'neighbourhood'): IndicatorValue[];
    currentPeriod(kind: 'month' | 'quarter' | 'year'): string;
  };
}

export interface OpenDataCapability extends Capability {
  service: OpenDataService;
}

const PERIOD = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/;

/** Builds the catalogue and every dataset, k from the configuration. */
export class OpenDataService {
  constructor(
    private readonly ctx: AppContext,
    private readonly deps: OpenDataDeps,
    readonly minimumCount: number = ctx.config.openDataMinCount,
  ) {}

  private readonly locate = (() => {
    let loc: ((p: [number, number]) => { id: string; name: string } | null) | null = null;
    return (p: [number, number]) => (loc ??= neighbourhoodLocator(() => this.deps.city.areas))(p);
  })();

  publisher(): string {
    return this.deps.city.city?.name ?? 'Vigil';
  }

  datasets(baseUrl: string): OpenDataDataset[] {
    const u = (path: string) => `${baseUrl}/api/open-data/datasets/${path}`;
    return [
      {
        id: 'public-alerts',
        title: { en: 'Public alerts in force', fr: 'Alertes publiques en vigueur' },
        description: {
          en: 'The public warnings (CAP 1.2) in force: the Atom feed of CAP documents and their areas as GeoJSON.',
          fr: 'Les alertes à la population (CAP 1.2) en vigueur : le flux Atom des documents CAP et leurs zones en GeoJSON.',
        },
        keywords: ['CAP', 'public warning', 'alert', 'emergency'],
        frequency: 'CONT',
        themes: ['JUST', 'REGI'],
        distributions: [
          { format: 'cap-atom', title: 'CAP feed (Atom)', mediaType: 'application/atom+xml', fileType: 'ATOM', url: `${baseUrl}/api/alerts/feed.atom` },
          { format: 'geojson', title: 'Alert areas (GeoJSON)', mediaType: 'application/geo+json', fileType: 'GEOJSON', url: u('public-alerts.geojson') },
        ],
      },
      {
        id: 'citizen-reports',
        title: { en: 'Citizen reports (anonymised)', fr: 'Signalements citoyens (anonymisés)' },
        description: {
          en: `Reports from the public (Open311) counted per neighbourhood and service for the current year, with how many were resolved and the median time to resolve. No position, text, photo or contact; counts below ${this.minimumCount} withheld.`,
          fr: `Signalements du public (Open311) comptés par quartier et par service pour l'année en cours, avec le nombre résolu et le délai médian de résolution. Ni position, ni texte, ni photo, ni contact ; les effectifs inférieurs à ${this.minimumCount} sont masqués.`,
        },
        keywords: ['Open311', 'citizen reports', 'service requests'],
        frequency: 'DAILY',
        themes: ['REGI', 'GOVE'],
        distributions: [
          { format: 'csv', title: 'Counts per neighbourhood and service (CSV)', mediaType: 'text/csv', fileType: 'CSV', url: u('citizen-reports.csv') },
          {
            format: 'geojson',
            title: 'Counts per neighbourhood (GeoJSON)',
            mediaType: 'application/geo+json',
            fileType: 'GEOJSON',
            url: u('citizen-reports.geojson'),
          },
        ],
      },
      {
        id: 'indicators',
        title: { en: 'Public safety indicators', fr: 'Indicateurs de sécurité publique' },
        description: {
          en: `The cockpit's public indicators (ISO 37120, 37122, 37123, U4SSC and Vigil's own) for the city and its neighbourhoods, current year; values from fewer than ${this.minimumCount} people withheld.`,
          fr: `Les indicateurs publics du cockpit (ISO 37120, 37122, 37123, U4SSC et ceux de Vigil) pour la ville et ses quartiers, année en cours ; les valeurs issues de moins de ${this.minimumCount} personnes sont masquées.`,
        },
        keywords: ['ISO 37120', 'U4SSC', 'KPI', 'smart city'],
        frequency: 'DAILY',
        themes: ['JUST', 'REGI'],
        distributions: [
          { format: 'csv', title: 'Indicators (CSV)', mediaType: 'text/csv', fileType: 'CSV', url: u('indicators.csv') },
          { format: 'json', title: 'Indicators (JSON)', mediaType: 'application/json', fileType: 'JSON', url: u('indicators.json') },
          {
            format: 'ngsi-ld',
            title: 'Indicators (NGSI-LD KeyPerformanceIndicator)',
            mediaType: 'application/ld+json',
            fileType: 'JSON_LD',
            url: u('indicators.jsonld'),
          },
        ],
      },
      {
        id: 'areas',
        title: { en: 'City areas', fr: 'Quartiers de la ville' },
        description: {
          en: 'The city, its districts and neighbourhoods with their boundaries (from OpenStreetMap).',
          fr: 'La ville, ses secteurs et ses quartiers avec leurs limites (OpenStreetMap).',
        },
        keywords: ['neighbourhoods', 'boundaries'],
        frequency: 'IRREG',
        themes: ['REGI'],
        distributions: [{ format: 'geojson', title: 'Areas (GeoJSON)', mediaType: 'application/geo+json', fileType: 'GEOJSON', url: u('areas.geojson') }],
      },
      {
        id: 'public-facilities',
        title: { en: 'Public facilities', fr: 'Équipements publics' },
        description: {
          en: 'Fire and police stations, hospitals, clinics, schools, the town hall, public venues, transport, pharmacies, shelters and emergency equipment. Homes and other premises are not published.',
          fr: 'Casernes, commissariats, hôpitaux, cliniques, écoles, mairie, lieux publics, transports, pharmacies, abris et équipements de secours. Les logements et autres locaux ne sont pas publiés.',
        },
        keywords: ['facilities', 'fire station', 'hospital', 'shelter'],
        frequency: 'IRREG',
        themes: ['REGI', 'JUST'],
        distributions: [
          { format: 'geojson', title: 'Facilities (GeoJSON)', mediaType: 'application/geo+json', fileType: 'GEOJSON', url: u('public-facilities.geojson') },
        ],
      },
      {
        id: 'consultation-results',
        title: { en: 'Results of public consultations', fr: 'Résultats des consultations publiques' },
        description: {
          en: `Closed consultations of the city and its partners: the question's title, the decision, and how many answers took each position (support, oppose, mixed, no opinion) and how the decision answered them (adopted, partly adopted, considered, out of scope). No answer's text, name or date; counts below ${this.minimumCount} withheld.`,
          fr: `Les consultations closes de la ville et de ses partenaires : l'intitulé, la décision, le nombre de réponses par position (pour, contre, partagé, sans avis) et la suite donnée (retenue, en partie, examinée, hors sujet). Ni texte, ni nom, ni date de réponse ; les effectifs inférieurs à ${this.minimumCount} sont masqués.`,
        },
        keywords: ['consultation', 'public participation', 'decision', 'ITU-T Y Suppl. 34'],
        frequency: 'IRREG',
        themes: ['GOVE', 'REGI'],
        distributions: [
          {
            format: 'csv',
            title: 'Counts per consultation, position and effect (CSV)',
            mediaType: 'text/csv',
            fileType: 'CSV',
            url: u('consultation-results.csv'),
          },
          {
            format: 'json',
            title: 'Counts per consultation, position and effect (JSON)',
            mediaType: 'application/json',
            fileType: 'JSON',
            url: u('consultation-results.json'),
          },
        ],
      },
    ];
  }

  catalogueInput(baseUrl: string): CatalogueInput {
    return {
      baseUrl,
      publisher: this.publisher(),
      license: this.ctx.config.openDataLicense,
      minimumCount: this.minimumCount,
      modified: new Date(this.ctx.clock.now()).toISOString(),
      datasets: this.datasets(baseUrl),
    };
  }

  alerts(baseUrl: string) {
    return alertsGeoJson(this.deps.publicAlerts(this.ctx.clock.now()), baseUrl);
  }

  reportCells(year?: number) {
    const y = year ?? new Date(this.ctx.clock.now()).getUTCFullYear();
    return { year: y, cells: reportCells(this.deps.reports(), y, (p) => this.locate(p), this.publisher(), this.minimumCount) };
  }

  reportsCsv(year?: number): string {
    const r = this.reportCells(year);
    return reportCellsCsv(r.cells, r.year);
  }

  reportsGeoJson(year?: number) {
    const r = this.reportCells(year);
    return reportCellsGeoJson(r.cells, r.year, this.deps.city, this.minimumCount);
  }

  indicators(period?: string): { period: string; minimumCount: number; values: PublicIndicatorValue[] } {
    const p = period ?? this.deps.indicators.currentPeriod('year');
    if (!PERIOD.test(p)) throw badRequest(`period "${p}" is not YYYY, YYYY-Qn or YYYY-MM`);
    const values = publicIndicators(
      this.deps.indicators.table(p, 'city'),
      this.deps.indicators.table(p, 'neighbourhood'),
      this.deps.indicators.defs,
      this.minimumCount,
    );
    return { period: p, minimumCount: this.minimumCount, values };
  }

  indicatorsCsv(period?: string): string {
    return indicatorsCsv(this.indicators(period).values, this.deps.indicators.defs);
  }

  indicatorsNgsiLd(period?: string): Record<string, unknown>[] {
    const values = this.indicators(period).values.filter((v) => !v.suppressed);
    return valuesToNgsiLd(values, this.deps.indicators.defs, this.publisher(), new Date(this.ctx.clock.now()).toISOString());
  }

  areas() {
    return areasGeoJson(this.deps.city);
  }

  consultationResults() {
    const rows = consultationResults(this.deps.consultations?.() ?? [], this.deps.orgName ?? ((id) => id), this.ctx.clock.now(), this.minimumCount);
    return { minimumCount: this.minimumCount, results: rows };
  }

  consultationResultsCsv(): string {
    return consultationResultsCsv(this.consultationResults().results);
  }

  facilities() {
    return facilitiesGeoJson(this.deps.city);
  }
}

const PUBLIC = { access: { roles: 'public' as const } };
const periodQuery = { type: 'object', additionalProperties: false, properties: { period: { type: 'string', pattern: PERIOD.source } } } as const;
const yearQuery = { type: 'object', additionalProperties: false, properties: { year: { type: 'integer', minimum: 1900, maximum: 2200 } } } as const;

function openDataRoutes(ctx: AppContext, service: OpenDataService): FastifyPluginAsync {
  return async (app) => {
    const tags = ['open-data'];
    const cache = (reply: { header(k: string, v: string): unknown }) => {
      reply.header('cache-control', 'public, max-age=300');
      reply.header('access-control-allow-origin', '*');
    };
    app.get(
      '/api/open-data/catalog.jsonld',
      { config: PUBLIC, schema: { summary: 'The open data catalogue, DCAT-AP as JSON-LD (stable URL)', tags } },
      async (_r, reply) => {
        cache(reply);
        return reply.type('application/ld+json; charset=utf-8').send(dcatCatalogue(service.catalogueInput(ctx.publicUrl())));
      },
    );
    app.get('/api/open-data/catalog.html', { config: PUBLIC, schema: { summary: 'The open data catalogue as a page for people', tags } }, async (_r, reply) => {
      cache(reply);
      return reply.type('text/html; charset=utf-8').send(catalogueHtml(service.catalogueInput(ctx.publicUrl())));
    });
    app.get(
      '/api/open-data/datasets/public-alerts.geojson',
      { config: PUBLIC, schema: { summary: 'Public alerts in force with their areas', tags } },
      async (_r, reply) => {
        reply.header('cache-control', 'no-cache').header('access-control-allow-origin', '*');
        return reply.type('application/geo+json').send(service.alerts(ctx.publicUrl()));
      },
    );
    app.get<{ Querystring: { year?: number } }>(
      '/api/open-data/datasets/citizen-reports.csv',
      { config: PUBLIC, schema: { summary: 'Citizen reports per neighbourhood and service (anonymised, k-suppressed), CSV', tags, querystring: yearQuery } },
      async (request, reply) => {
        cache(reply);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="citizen-reports.csv"')
          .send(service.reportsCsv(request.query.year));
      },
    );
    app.get<{ Querystring: { year?: number } }>(
      '/api/open-data/datasets/citizen-reports.geojson',
      { config: PUBLIC, schema: { summary: 'Citizen reports per neighbourhood (anonymised, k-suppressed), GeoJSON', tags, querystring: yearQuery } },
      async (request, reply) => {
        cache(reply);
        return reply.type('application/geo+json').send(service.reportsGeoJson(request.query.year));
      },
    );
    app.get<{ Querystring: { period?: string } }>(
      '/api/open-data/datasets/indicators.csv',
      { config: PUBLIC, schema: { summary: 'Public indicators, city and neighbourhoods (k-suppressed), CSV', tags, querystring: periodQuery } },
      async (request, reply) => {
        cache(reply);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="indicators.csv"')
          .send(service.indicatorsCsv(request.query.period));
      },
    );
    app.get<{ Querystring: { period?: string } }>(
      '/api/open-data/datasets/indicators.json',
      { config: PUBLIC, schema: { summary: 'Public indicators, city and neighbourhoods (k-suppressed), JSON', tags, querystring: periodQuery } },
      async (request, reply) => {
        cache(reply);
        return service.indicators(request.query.period);
      },
    );
    app.get<{ Querystring: { period?: string } }>(
      '/api/open-data/datasets/indicators.jsonld',
      { config: PUBLIC, schema: { summary: 'Public indicators as NGSI-LD KeyPerformanceIndicator entities (k-suppressed)', tags, querystring: periodQuery } },
      async (request, reply) => {
        cache(reply);
        return reply.type('application/ld+json').send(service.indicatorsNgsiLd(request.query.period));
      },
    );
    app.get(
      '/api/open-data/datasets/areas.geojson',
      { config: PUBLIC, schema: { summary: 'City, districts and neighbourhoods, GeoJSON', tags } },
      async (_r, reply) => {
        cache(reply);
        return reply.type('application/geo+json').send(service.areas());
      },
    );
    app.get(
      '/api/open-data/datasets/consultation-results.csv',
      { config: PUBLIC, schema: { summary: 'Results of closed consultations: answers per position and effect (k-suppressed), CSV', tags } },
      async (_r, reply) => {
        cache(reply);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="consultation-results.csv"')
          .send(service.consultationResultsCsv());
      },
    );
    app.get(
      '/api/open-data/datasets/consultation-results.json',
      { config: PUBLIC, schema: { summary: 'Results of closed consultations: answers per position and effect (k-suppressed), JSON', tags } },
      async (_r, reply) => {
        cache(reply);
        return service.consultationResults();
      },
    );
    app.get(
      '/api/open-data/datasets/public-facilities.geojson',
      { config: PUBLIC, schema: { summary: 'Public facilities, GeoJSON', tags } },
      async (_r, reply) => {
        cache(reply);
        return reply.type('application/geo+json').send(service.facilities());
      },
    );
  };
}

/** Open data: a DCAT-AP catalogue and the datasets it lists, public, without sign-in, nothing confidential. */
export function createOpenDataCapability(ctx: AppContext, deps: OpenDataDeps): OpenDataCapability {
  const service = new OpenDataService(ctx, deps);
  return { name: 'open-data', projections: [], routes: openDataRoutes(ctx, service), liveViews: [], service };
}
