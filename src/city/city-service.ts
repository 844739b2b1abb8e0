import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { defaultOsmLimits, type OsmLimits } from '../adapters/osm/osm-reader.js';
import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import type { CityState } from './city-state.js';
import { deviceSubject, type IssuedMqttCredential, type MqttCredentials } from './mqtt-credentials.js';
import type { Area, CityEvents, Device, Site, Zone } from './model.js';
import { neighbourhoodLocator } from './area-locator.js';
import { POPULATION_METHOD, estimateResidents } from './population.js';
import { centroid, isValidPosition, type FeatureCollection } from '../kernel/geo.js';
import type { Principal } from '../platform/access.js';
import { CITY_WIDE, assertCan, filterVisible } from '../platform/policy.js';
import { JobGate } from '../platform/heavy/job-gate.js';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import type { ParseProgress, ParsedExtract } from './city-import-worker.js';
import { readPreparedExtract } from './prepared-extract.js';

export const BASEMAP_LAYERS = ['buildings', 'roads', 'water', 'green', 'rail', 'places'] as const;
export type BasemapLayer = (typeof BASEMAP_LAYERS)[number];

export interface ImportProgress {
  importId: string;
  phase: 'queued' | 'reading' | 'building' | 'recording' | 'done' | 'failed';
  done: number;
  total: number;
  error: string | null;
  counts: Record<string, number> | null;
}

const SITES_PER_EVENT = 500;
/** Basemap parts stay well under the log's 1 MB event limit. */
const BASEMAP_PART_BYTES = 600_000;

/** Splits features into runs whose JSON stays under `maxBytes` (one oversized feature goes alone). */
export function splitBySize<T>(items: T[], maxBytes: number): T[][] {
  const parts: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = JSON.stringify(item).length + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      parts.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0 || parts.length === 0) parts.push(current);
  return parts;
}

function cityEvent<K extends keyof CityEvents>(type: K, subject: string, orgId: string, actor: string, data: CityEvents[K]): NewEvent {
  return { type, subject, orgId, actor, data };
}

/**
 * Who changes city data: a principal (checked by the policy) or a trusted internal
 * caller (demo seeding, command-line tools) named by its actor string.
 */
export type CityWriter = Principal | string;
const actorOf = (by: CityWriter): string => (typeof by === 'string' ? by : by.actor);

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Imports the city model from OpenStreetMap and answers questions about it. */
export class CityService {
  private readonly jobs = new Map<string, ImportProgress>();
  /** One import at a time (each holds a whole city in memory), one per user waiting. */
  readonly imports = new JobGate('city import', { concurrency: 1, queue: 2, perUser: 1, retryAfterSeconds: 30 });
  /** Thread that parsed the last extract (tests show it was not the main thread). */
  lastParseThreadId: number | null = null;

  constructor(
    private readonly ctx: AppContext,
    readonly state: CityState,
    private readonly mqttCredentials: MqttCredentials | null = null,
  ) {}

  /** City-wide data (OSM import, population, districts) is changed only by the platform organisation. */
  assertKeepsCityData(by: CityWriter, what: string): void {
    if (typeof by !== 'string') assertCan(by, 'manage', CITY_WIDE, 'city data', what);
  }

  progress(importId: string): ImportProgress {
    const job = this.jobs.get(importId);
    if (!job) throw notFound('import', importId);
    return job;
  }

  /** Starts an import in the background; follow it with `progress(importId)`. */
  startImport(file: string, options: { orgId: string; actor: string }): ImportProgress {
    const importId = newId('imp');
    const job: ImportProgress = { importId, phase: 'queued', done: 0, total: 0, error: null, counts: null };
    this.jobs.set(importId, job);
    try {
      // Refused (429) here when the caller already has an import running or the queue is full.
      void this.imports.run({ user: options.actor }, () => this.importCity(file, { ...options, importId })).catch(() => {});
    } catch (error) {
      this.jobs.delete(importId);
      throw error;
    }
    return job;
  }

  /**
   * Reads the extract completely, builds the model, writes the basemap files, then
   * records areas and sites. A bad file fails before anything is recorded.
   */
  async importCity(
    file: string,
    options: { orgId: string; actor: string; importId?: string; onProgress?: (p: ImportProgress) => void; limits?: OsmLimits },
  ): Promise<Record<string, number>> {
    const importId = options.importId ?? newId('imp');
    const job: ImportProgress = this.jobs.get(importId) ?? { importId, phase: 'queued', done: 0, total: 0, error: null, counts: null };
    this.jobs.set(importId, job);
    const report = (phase: ImportProgress['phase'], done: number, total: number): void => {
      Object.assign(job, { phase, done, total });
      options.onProgress?.(job);
    };
    const { orgId, actor } = options;
    try {
      const { size } = await stat(file).catch(() => {
        throw new VigilError('not_found', `no such file: ${file}`);
      });
      const sha256 = await sha256File(file);
      await this.ctx.record([cityEvent('city.import.started', `import:${importId}`, orgId, actor, { importId, file: basename(file), bytes: size, sha256 })]);
      report('reading', 0, size);
      const limits = options.limits ?? defaultOsmLimits();
      // The bundled demo extract was parsed when the server was built (prepared-extract.ts); any other file is parsed now.
      const { model, counts: read } =
        (await readPreparedExtract(sha256, limits)) ?? (await this.parseInWorker(file, limits, (p) => report(p.phase, p.done, p.total)));
      const areas = [model.city, ...model.neighbourhoods].filter((a): a is NonNullable<typeof a> => a !== null);
      const basemap = Object.entries(model.layers).flatMap(([layer, features]) => {
        const parts = splitBySize(features, BASEMAP_PART_BYTES);
        return parts.map((part, i) =>
          cityEvent('city.basemap.published', `import:${importId}`, orgId, actor, { importId, layer, part: i, parts: parts.length, features: part }),
        );
      });
      const chunks: Site[][] = [];
      for (let i = 0; i < model.sites.length; i += SITES_PER_EVENT) chunks.push(model.sites.slice(i, i + SITES_PER_EVENT));
      const steps = 1 + basemap.length + chunks.length;
      report('recording', 0, steps);
      await this.ctx.record(areas.map((a) => cityEvent('city.area.defined', a.id, orgId, actor, { ...a, orgId, importId })));
      const rest = [...basemap, ...chunks.map((sites) => cityEvent('city.sites.registered', `import:${importId}`, orgId, actor, { importId, sites }))];
      for (let i = 0; i < rest.length; i++) {
        await this.ctx.record([rest[i]!]);
        report('recording', i + 2, steps);
      }
      const counts = {
        areas: areas.length,
        neighbourhoods: model.neighbourhoods.length,
        sites: model.sites.length,
        buildings: model.layers.buildings!.length,
        roads: model.layers.roads!.length,
        nodes: read.nodes,
        ways: read.ways,
        relations: read.relations,
      };
      const layers = Object.fromEntries(Object.entries(model.layers).map(([k, v]) => [k, v.length]));
      const extract = await this.keepExtract(file, importId);
      await this.ctx.record([
        cityEvent('city.import.completed', `import:${importId}`, orgId, actor, {
          importId,
          name: model.name,
          orgId,
          bbox: model.bbox,
          center: model.city?.geometry ? centroid(model.city.geometry) : [(model.bbox[0] + model.bbox[2]) / 2, (model.bbox[1] + model.bbox[3]) / 2],
          importedAt: new Date(this.ctx.clock.now()).toISOString(),
          source: basename(file),
          counts,
          layers,
          extract,
        }),
      ]);
      job.counts = counts;
      report('done', 1, 1);
      return counts;
    } catch (error) {
      job.error = (error as Error).message;
      report('failed', job.done, job.total);
      await this.ctx
        .record([cityEvent('city.import.failed', `import:${importId}`, orgId, actor, { importId, problem: job.error.slice(0, 1000) })])
        .catch(() => {});
      throw error;
    }
  }

  private async parseInWorker(file: string, limits: OsmLimits, onProgress: (p: ParseProgress) => void): Promise<ParsedExtract> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', onProgress);
    try {
      const parsed = await runInWorker<ParsedExtract>({
        module: new URL('./city-import-worker.ts', import.meta.url),
        fn: 'parseCityExtract',
        input: { file, limits, progress: port2 },
        transferList: [port2],
      });
      this.lastParseThreadId = parsed.threadId;
      return parsed;
    } finally {
      port1.close();
    }
  }

  /**
   * A copy of the imported extract in the data folder, so the road graphs follow the
   * city (routing builds from it unless VIGIL_ROUTING_OSM says otherwise) even when
   * the original was an upload or a file elsewhere. Relative to the data folder.
   */
  private async keepExtract(file: string, importId: string): Promise<string> {
    const relative = join('city', 'extracts', `${importId}-${basename(file)}`);
    await mkdir(join(this.ctx.config.dataDir, 'city', 'extracts'), { recursive: true });
    await copyFile(file, join(this.ctx.config.dataDir, relative));
    return relative;
  }

  /**
   * Distributes an official population total over the city's buildings (see
   * population.ts) and records the result, so every area's population is the sum
   * of its buildings' residents.
   */
  async estimatePopulation(
    input: { total: number; source: string; defaultLevels?: number },
    orgId: string,
    by: CityWriter,
  ): Promise<{ estimateId: string; total: number; buildings: number }> {
    this.assertKeepsCityData(by, 'population');
    const actor = actorOf(by);
    if (!Number.isInteger(input.total) || input.total < 0) throw badRequest('the population total is a whole number of people');
    if (!input.source.trim()) throw badRequest('name the source of the population figure');
    const residents = estimateResidents(this.state.sites.values(), { total: input.total, defaultLevels: input.defaultLevels ?? 4 });
    if (input.total > 0 && residents.size === 0) throw badRequest('the city has no residential buildings to place people in: import it first');
    const estimateId = newId('pop');
    const parts = splitBySize([...residents.entries()], 400_000);
    await this.ctx.record(
      parts.map((part, i) =>
        cityEvent('city.population.estimated', `population:${estimateId}`, orgId, actor, {
          estimateId,
          total: input.total,
          source: input.source.trim(),
          method: POPULATION_METHOD,
          part: i,
          parts: parts.length,
          residents: part,
        }),
      ),
    );
    return { estimateId, total: input.total, buildings: residents.size };
  }

  /** Defines or redefines zones; a principal redefines only zones its organisation owns. */
  async defineZones(zones: Zone[], by: CityWriter): Promise<void> {
    const actor = actorOf(by);
    for (const z of zones) {
      if (!this.state.sites.has(z.siteId)) throw notFound('site', z.siteId);
      const old = this.state.zones.get(z.id);
      if (typeof by !== 'string') {
        if (z.orgId !== by.orgId) throw new VigilError('forbidden', 'zones are defined for your own organisation');
        if (old) assertCan(by, 'manage', { orgId: old.orgId }, 'zone', z.id);
      }
    }
    for (const part of splitBySize(zones, 400_000)) {
      await this.ctx.record([cityEvent('city.zones.defined', `site:${part[0]?.siteId ?? '-'}`, part[0]?.orgId ?? zones[0]!.orgId, actor, { zones: part })]);
    }
  }

  /**
   * Registers or updates devices; every reference is checked and panel accounts stay
   * unique. A principal updates only devices its organisation owns (manage) and refers
   * only to zones and parent devices it may see. A device that talks MQTT and has no
   * credential yet gets one: returned here, shown once.
   */
  async registerDevices(devices: Device[], by: CityWriter): Promise<IssuedMqttCredential[]> {
    const actor = actorOf(by);
    const accounts = new Map<string, string>();
    for (const d of devices) {
      if (typeof by !== 'string') {
        if (d.orgId !== by.orgId) throw new VigilError('forbidden', 'devices are registered for your own organisation');
        const old = this.state.devices.get(d.id);
        if (old) assertCan(by, 'manage', { orgId: old.orgId }, 'device', d.id);
        const zone = d.zoneId !== null ? this.state.zones.get(d.zoneId) : undefined;
        if (zone) assertCan(by, 'read', { orgId: zone.orgId }, 'zone', zone.id);
        const parent = d.parentId !== null ? this.state.devices.get(d.parentId) : undefined;
        if (parent) assertCan(by, 'read', { orgId: parent.orgId }, 'device', parent.id);
      }
      if (!isValidPosition(d.position)) throw badRequest(`device ${d.id}: position must be [lon, lat]`);
      if (d.siteId !== null && !this.state.sites.has(d.siteId)) throw notFound('site', d.siteId);
      if (d.zoneId !== null && !this.state.zones.has(d.zoneId)) throw notFound('zone', d.zoneId);
      if (d.parentId !== null && !this.state.devices.has(d.parentId) && !devices.some((x) => x.id === d.parentId)) throw notFound('device', d.parentId);
      if (d.account !== null) {
        const holder = this.state.devicesByAccount.get(d.account)?.id ?? accounts.get(d.account);
        if (holder && holder !== d.id) throw conflict(`account ${d.account} already belongs to device ${holder}`);
        accounts.set(d.account, d.id);
      }
    }
    for (const part of splitBySize(devices, 400_000)) {
      if (part.length === 0) continue;
      await this.ctx.record([cityEvent('city.devices.registered', `devices:${part[0]!.orgId}`, part[0]!.orgId, actor, { devices: part })]);
    }
    if (!this.mqttCredentials) return [];
    const issued: IssuedMqttCredential[] = [];
    const unissued = devices.filter((d) => d.protocol === 'mqtt' && this.mqttCredentials!.state.issuedAt(deviceSubject(d.id)) === null);
    for (const orgId of new Set(unissued.map((d) => d.orgId)))
      issued.push(
        ...(await this.mqttCredentials.issue(
          unissued.filter((d) => d.orgId === orgId).map((d) => deviceSubject(d.id)),
          orgId,
          actor,
        )),
      );
    return issued;
  }

  /**
   * Districts as groups of existing neighbourhoods (the extract has no boundary for
   * them): their population is the sum of their neighbourhoods', their centre the
   * mean of theirs, their shape the union of the shaped ones.
   */
  async defineDistricts(districts: { id: string; name: string; neighbourhoodIds: string[]; source: string }[], orgId: string, by: CityWriter): Promise<void> {
    this.assertKeepsCityData(by, 'districts');
    const actor = actorOf(by);
    const taken = new Set<string>();
    const areas = districts.map((d) => {
      if (d.neighbourhoodIds.length === 0) throw badRequest(`district ${d.name}: no neighbourhood`);
      const members = d.neighbourhoodIds.map((id) => {
        const a = this.state.areas.get(id);
        if (!a || a.level !== 'neighbourhood') throw notFound('neighbourhood', id);
        if (taken.has(id)) throw badRequest(`neighbourhood ${a.name} is in two districts`);
        taken.add(id);
        return a;
      });
      const polygons = members.flatMap((m) => m.geometry?.coordinates ?? []);
      const center: [number, number] = [
        members.reduce((x, m) => x + m.center[0], 0) / members.length,
        members.reduce((y, m) => y + m.center[1], 0) / members.length,
      ];
      const area: Omit<Area, 'orgId'> = {
        id: d.id,
        name: d.name,
        level: 'district',
        geometry: polygons.length ? { type: 'MultiPolygon', coordinates: polygons } : null,
        center,
        areaM2: null,
        repaired: false,
        source: d.source,
        neighbourhoodIds: members.map((m) => m.id),
      };
      return area;
    });
    await this.ctx.record(areas.map((a) => cityEvent('city.area.defined', a.id, orgId, actor, { ...a, orgId, importId: 'manual' })));
  }

  /** Sites that are not in the extract (a demo's fire stations); each takes the neighbourhood it stands in. */
  async registerSites(sites: Omit<Site, 'areaId' | 'residents'>[], orgId: string, by: CityWriter): Promise<Site[]> {
    this.assertKeepsCityData(by, 'sites');
    const actor = actorOf(by);
    const locate = neighbourhoodLocator(() => this.state.areas);
    const cityId = [...this.state.areas.values()].find((a) => a.level === 'city')?.id ?? null;
    const placed = sites.map((s) => {
      if (!isValidPosition(s.position)) throw badRequest(`site ${s.id}: invalid position`);
      return { ...s, areaId: locate(s.position)?.id ?? cityId, residents: null };
    });
    await this.ctx.record([cityEvent('city.sites.registered', 'sites:manual', orgId, actor, { importId: 'manual', sites: placed })]);
    return placed;
  }

  async removeDevices(deviceIds: string[], by: Principal): Promise<void> {
    const owned = deviceIds.map(
      (id) =>
        this.state.devices.get(id) ??
        (() => {
          throw notFound('device', id);
        })(),
    );
    for (const d of owned) assertCan(by, 'manage', { orgId: d.orgId }, 'device', d.id);
    await this.ctx.record([cityEvent('city.devices.removed', `devices:${by.orgId}`, by.orgId!, by.actor, { deviceIds })]);
    // A removed device's credential stops working with it.
    await this.mqttCredentials?.revoke(deviceIds.map(deviceSubject), by.orgId!, by.actor);
  }

  /** Devices the principal may see: its organisation's and those shared with it. */
  findDevices(by: Principal, q: { kind?: string; siteId?: string; limit: number; offset: number }): { total: number; devices: Device[] } {
    const all = filterVisible(by, this.state.devices.values(), (d) => d.orgId).filter(
      (d) => (!q.kind || d.kind === q.kind) && (!q.siteId || d.siteId === q.siteId),
    );
    return { total: all.length, devices: all.slice(q.offset, q.offset + q.limit) };
  }

  areasGeoJson(): FeatureCollection {
    return {
      type: 'FeatureCollection',
      features: [...this.state.areas.values()].map((a) => ({
        type: 'Feature' as const,
        id: a.id,
        geometry: a.geometry ?? { type: 'Point' as const, coordinates: a.center },
        properties: {
          id: a.id,
          name: a.name,
          level: a.level,
          areaM2: a.areaM2,
          repaired: a.repaired,
          derived: a.derived ?? null,
          source: a.source,
          population: this.state.populationOf(a.id),
        },
      })),
    };
  }

  findSites(q: { category?: string; areaId?: string; text?: string; limit: number; offset: number }): { total: number; sites: Site[] } {
    const text = q.text?.toLowerCase();
    const all = [...this.state.sites.values()].filter(
      (s) =>
        (!q.category || s.category === q.category) &&
        (!q.areaId || s.areaId === q.areaId) &&
        (!text || (s.name ?? '').toLowerCase().includes(text) || (s.address ?? '').toLowerCase().includes(text)),
    );
    return { total: all.length, sites: all.slice(q.offset, q.offset + q.limit) };
  }
}
