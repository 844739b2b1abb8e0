import type { FastifyPluginAsync } from 'fastify';
import { tuning } from '../kernel/tuning.js';
import type { Role } from '../platform/access.js';
import { ASSET_KINDS, EXPOSURES, PRIORITIES, SAFETY_ROLES, TRIAGE_STATES, VEX_JUSTIFICATIONS, type Priority, type TriageState } from './model.js';
import { MAX_INTEL_ITEMS } from './intel-worker.js';
import { intelReadOffThread, readLargeIntelOffThread } from './large-intel.js';
import { MAX_SBOM_BYTES } from './sbom.js';
import type { AssetInput, DeviceSecurityService, TriageInput } from './service.js';
import { nullablePositionSchema } from '../kernel/geo.js';

/** The city CSIRT and the owner organisation's supervisors and administrators. */
export const SECURITY_VIEWERS: readonly Role[] = ['csirt', 'supervisor', 'admin'];
/** Who feeds vulnerability intelligence: the CSIRT and administrators. */
const INTEL: readonly Role[] = ['csirt', 'admin'];
const MAX_INTEL_BYTES = 16 * 1024 * 1024;
const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
const nullable = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
const position = nullablePositionSchema;

const ASSET_SCHEMA = {
  type: 'object',
  required: ['vendor', 'model', 'firmware', 'exposure'],
  additionalProperties: false,
  properties: {
    assetId: id,
    cityDeviceId: nullable(200),
    label: text(200),
    kind: { enum: ASSET_KINDS },
    siteId: nullable(200),
    position,
    vendor: { type: 'string', minLength: 1, maxLength: 120 },
    model: { type: 'string', minLength: 1, maxLength: 120 },
    platform: nullable(120),
    firmware: text(120),
    cpe: nullable(500),
    purl: nullable(1000),
    exposure: { enum: EXPOSURES },
    safetyRole: { enum: SAFETY_ROLES },
    lastSeen: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** /api/device-security: inventory, SBOMs, vulnerability intelligence, findings and triage, exports. */
export function deviceSecurityRoutes(service: DeviceSecurityService): FastifyPluginAsync {
  return async (app) => {
    // A large intelligence upload is read in the worker pool; every other JSON body of these routes as Fastify reads it.
    readLargeIntelOffThread(app, '/api/device-security/intel', tuning('VIGIL_LARGE_BODY_BYTES')!);
    const tags = ['device-security'];
    app.get(
      '/api/device-security',
      { config: { access: { roles: SECURITY_VIEWERS } }, schema: { summary: 'Findings by priority and per organisation, the catalogue in use', tags } },
      async (request) => service.summary(request.principal),
    );

    app.get(
      '/api/device-security/inventory',
      {
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: { summary: 'Devices with vendor, model, firmware, identifiers, exposure and findings (and city devices not yet described)', tags },
      },
      async (request) => ({ devices: service.inventory(request.principal) }),
    );

    app.post<{ Body: AssetInput }>(
      '/api/device-security/devices',
      {
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: { summary: "Describe a device of the caller's organisation (a city device by cityDeviceId, or a new one)", tags, body: ASSET_SCHEMA },
      },
      async (request, reply) => reply.status(201).send({ device: await service.registerAsset(request.body, request.principal) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/device-security/devices/:id',
      {
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: { summary: 'A device and its findings', tags, params: { type: 'object', required: ['id'], properties: { id } } },
      },
      async (request) => ({
        device: service.asset(request.params.id, request.principal),
        findings: service.findings(request.principal, { assetId: request.params.id }).findings,
      }),
    );

    app.delete<{ Params: { id: string } }>(
      '/api/device-security/devices/:id',
      {
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: { summary: "Remove a device's security profile", tags, params: { type: 'object', required: ['id'], properties: { id } } },
      },
      async (request) => {
        await service.removeAsset(request.params.id, request.principal);
        return { ok: true };
      },
    );

    app.get<{ Querystring: { priority?: Priority; state?: TriageState; orgId?: string; assetId?: string; kev?: boolean; limit?: number } }>(
      '/api/device-security/findings',
      {
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: {
          summary: 'Findings the caller may see, most urgent first',
          tags,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              priority: { enum: PRIORITIES },
              state: { enum: TRIAGE_STATES },
              orgId: id,
              assetId: id,
              kev: { type: 'boolean' },
              limit: { type: 'integer', minimum: 1, maximum: 5000 },
            },
          },
        },
      },
      async (request) => service.findings(request.principal, request.query),
    );

    app.get<{ Params: { id: string } }>(
      '/api/device-security/findings/:id',
      {
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: { summary: 'A finding with its CVE record and KEV entry', tags, params: { type: 'object', required: ['id'], properties: { id: text(400) } } },
      },
      async (request) => {
        const finding = service.finding(request.params.id, request.principal);
        return { finding, cve: service.cve(finding.cveId) };
      },
    );

    app.post<{ Params: { id: string }; Body: TriageInput }>(
      '/api/device-security/findings/:id/triage',
      {
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: {
          summary: 'Move a finding to new, confirmed, not-affected (with a VEX justification), mitigated or fixed, saying why',
          tags,
          params: { type: 'object', required: ['id'], properties: { id: text(400) } },
          body: {
            type: 'object',
            required: ['state', 'detail'],
            additionalProperties: false,
            properties: {
              state: { enum: TRIAGE_STATES },
              justification: { enum: [...VEX_JUSTIFICATIONS, null] },
              detail: { type: 'string', minLength: 1, maxLength: 2000 },
            },
          },
        },
      },
      async (request) => ({ finding: await service.triage(request.params.id, request.body, request.principal) }),
    );

    app.get(
      '/api/device-security/sboms',
      { config: { access: { roles: SECURITY_VIEWERS } }, schema: { summary: 'SBOMs imported, per vendor, model and firmware', tags } },
      async (request) => ({ sboms: service.sboms(request.principal) }),
    );

    app.post<{ Body: { document: string; vendor?: string; model?: string; firmware?: string } }>(
      '/api/device-security/sboms',
      {
        bodyLimit: MAX_SBOM_BYTES + 64 * 1024,
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: {
          summary: 'Import a CycloneDX SBOM (JSON or XML text, validated against the CycloneDX schema) for a vendor, model and firmware',
          tags,
          body: {
            type: 'object',
            required: ['document'],
            additionalProperties: false,
            properties: { document: { type: 'string', minLength: 2, maxLength: MAX_SBOM_BYTES }, vendor: text(120), model: text(120), firmware: text(120) },
          },
        },
      },
      async (request, reply) => {
        const { document, ...meta } = request.body;
        // Under the gate: bounded concurrency and a per-user quota (429), the reading in the worker pool.
        const sbom = await service.sbomGate.run({ user: request.principal.actor }, () => service.importSbom(document, meta, request.principal));
        return reply.status(201).send({ sbom: { ...sbom, components: sbom.components.length } });
      },
    );

    app.post<{ Querystring: { source?: string }; Body: unknown }>(
      '/api/device-security/intel',
      {
        bodyLimit: MAX_INTEL_BYTES,
        config: { access: { roles: INTEL } },
        schema: {
          summary: 'Import vulnerability intelligence: a CVE JSON 5 record, a list of them, or the CISA KEV catalogue (as downloaded)',
          tags,
          querystring: { type: 'object', additionalProperties: false, properties: { source: text(200) } },
          body: { type: ['object', 'array'], maxItems: MAX_INTEL_ITEMS },
        },
      },
      async (request) => {
        // A large upload was read in the worker pool (large-intel.ts); a small one is in the body.
        const read = intelReadOffThread(request);
        const source = request.query.source || 'upload';
        return read ? service.importIntel(read, source, request.principal.actor) : service.importDocument(request.body, source, request.principal);
      },
    );

    app.get<{ Querystring: { format?: 'json' | 'xml' } }>(
      '/api/device-security/export/sbom',
      {
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: {
          summary: "The city's aggregate SBOM (CycloneDX 1.6, JSON or with format=xml XML) of the devices the caller may see",
          tags,
          querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['json', 'xml'] } } },
        },
      },
      async (request, reply) => {
        const format = request.query.format ?? 'json';
        return reply
          .type(`application/vnd.cyclonedx+${format}; charset=utf-8`)
          .header('content-disposition', `attachment; filename="vigil-city-sbom.cdx.${format}"`)
          .send(service.exportSbom(request.principal, format));
      },
    );

    app.get<{ Querystring: { orgId?: string; assetId?: string } }>(
      '/api/device-security/export/vex',
      {
        config: { access: { roles: SECURITY_VIEWERS } },
        schema: {
          summary: 'The findings and their triage as CycloneDX VEX (JSON)',
          tags,
          querystring: { type: 'object', additionalProperties: false, properties: { orgId: id, assetId: id } },
        },
      },
      async (request, reply) =>
        reply
          .type('application/vnd.cyclonedx+json; charset=utf-8')
          .header('content-disposition', 'attachment; filename="vigil-vex.cdx.json"')
          .send(service.exportVex(request.principal, request.query)),
    );
  };
}
