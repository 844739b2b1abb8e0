/**
 * CycloneDX SBOMs in and out. Import: JSON or XML, validated against the schema the
 * CycloneDX library ships for the document's spec version (JSON Schema with ajv; XSD with
 * libxml2 compiled to WebAssembly, offline), then read into Vigil's components. Export: the
 * city's aggregate SBOM and VEX, written with @cyclonedx/cyclonedx-library.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { Ajv, type ValidateFunction } from 'ajv';
import { validateXML } from 'xmllint-wasm';
import { badRequest } from '../kernel/errors.js';
import type { Asset, Component, Finding, Sbom, TriageState } from './model.js';

export const MAX_SBOM_COMPONENTS = 5000;
export const MAX_SBOM_BYTES = 4 * 1024 * 1024;
const SPEC_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6'] as const;

const schemaDir = join(dirname(createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
const readSchema = (name: string) => JSON.parse(readFileSync(join(schemaDir, name), 'utf8')) as Record<string, unknown>;

let ajv: Ajv | null = null;
const jsonValidators = new Map<string, ValidateFunction | Promise<ValidateFunction>>();

/** The ajv instance the schemas are compiled with: the formats and the SPDX and JSF schemas their references name. */
function schemaAjv(source: boolean): Ajv {
  const made = new Ajv({ strict: false, allErrors: false, validateFormats: true, code: { source, esm: true } });
  // The formats the schemas use; values are checked as strings (ajv-formats-draft2019 is not a dependency).
  for (const f of [
    'iri-reference',
    'idn-email',
    'uri',
    'uri-reference',
    'date-time',
    'email',
    'iri',
    'idn-hostname',
    'hostname',
    'ipv4',
    'ipv6',
    'regex',
    'uuid',
  ])
    made.addFormat(f, true);
  for (const name of ['spdx', 'jsf-0.82']) {
    const { $id: _id, ...schema } = readSchema(`${name}.SNAPSHOT.schema.json`);
    made.addSchema(schema, `http://cyclonedx.org/schema/${name}.SNAPSHOT.schema.json`);
  }
  return made;
}

/**
 * Compiling one version's schema takes most of a second of the main thread: `scripts/build-server.mjs`
 * compiles them when it precompiles the server (ajv's standalone code, one module per version beside this
 * one in dist-server/), stamped with the ajv and CycloneDX library versions. A run from the sources, or a
 * build made with other versions, compiles here as before.
 */
const preparedValidatorUrl = (version: string): URL => new URL(`./prepared/cyclonedx-bom-${version}.mjs`, import.meta.url);
const packageVersion = (name: string): string =>
  (JSON.parse(readFileSync(createRequire(import.meta.url).resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
const validatorStamp = (): string => `ajv ${packageVersion('ajv')}, @cyclonedx/cyclonedx-library ${packageVersion('@cyclonedx/cyclonedx-library')}`;

/**
 * The standalone modules of the validators of the two current spec versions (the demo's SBOM is 1.6; the
 * build writes them to their URLs). Each takes most of a second to compile, so older versions, rarer in
 * uploads, are compiled at their first use rather than at every build.
 */
export async function prepareJsonValidators(versions: readonly string[] = ['1.5', '1.6']): Promise<{ url: URL; code: string }[]> {
  // A CommonJS module: its exports are the function, with the function again as `default`.
  type Standalone = (ajv: Ajv, validate: ValidateFunction) => string;
  const loaded = (await import('ajv/dist/standalone/index.js')) as unknown as { default: Standalone & { default?: Standalone } };
  const standaloneCode: Standalone = loaded.default.default ?? loaded.default;
  const stamp = validatorStamp();
  return versions.map((version) => {
    const compiling = schemaAjv(true);
    const code = standaloneCode(compiling, compiling.compile(readSchema(`bom-${version}.SNAPSHOT.schema.json`)));
    // ajv's standalone code requires its runtime helpers (equal, ucs2length) even as an ES module.
    const header = `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const stamp = ${JSON.stringify(stamp)};\n`;
    return { url: preparedValidatorUrl(version), code: header + code };
  });
}

async function preparedValidator(version: string): Promise<ValidateFunction | null> {
  const url = preparedValidatorUrl(version);
  if (url.protocol !== 'file:' || !existsSync(url)) return null;
  try {
    const module = (await import(url.href)) as { stamp?: string; default?: ValidateFunction };
    return module.stamp === validatorStamp() && typeof module.default === 'function' ? module.default : null;
  } catch {
    return null;
  }
}

/** The ajv validator of one spec version: prepared at build time, or compiled once here. */
function jsonValidator(version: string): ValidateFunction | Promise<ValidateFunction> {
  const cached = jsonValidators.get(version);
  if (cached) return cached;
  const loading = preparedValidator(version).then((prepared) => {
    if (prepared) return prepared;
    ajv ??= schemaAjv(false);
    return ajv.compile(readSchema(`bom-${version}.SNAPSHOT.schema.json`));
  });
  jsonValidators.set(version, loading);
  void loading.then(
    (validate) => jsonValidators.set(version, validate),
    () => jsonValidators.delete(version),
  );
  return loading;
}

export interface ReadSbom {
  format: 'json' | 'xml';
  specVersion: string;
  serialNumber: string | null;
  /** From metadata.component: the device model / firmware the SBOM describes, when it says. */
  subject: { vendor: string | null; name: string | null; version: string | null };
  components: Component[];
}

const s = (v: unknown, max = 500): string | null => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : null);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function pushComponent(out: Component[], c: Omit<Component, 'ref'> & { ref: string | null }): void {
  if (out.length >= MAX_SBOM_COMPONENTS) throw badRequest(`an SBOM may list at most ${MAX_SBOM_COMPONENTS} components`);
  out.push({ ...c, ref: c.ref ?? `c${out.length + 1}` });
}

function jsonComponents(list: unknown, out: Component[]): void {
  if (!Array.isArray(list)) return;
  for (const c of list) {
    if (!isObj(c)) continue;
    const name = s(c.name);
    if (name) {
      pushComponent(out, {
        ref: s(c['bom-ref']),
        name,
        version: s(c.version, 200) ?? '',
        group: s(c.group),
        supplier: isObj(c.supplier) ? s(c.supplier.name) : isObj(c.manufacturer) ? s(c.manufacturer.name) : s(c.author),
        purl: s(c.purl, 1000),
        cpe: s(c.cpe, 500),
        type: s(c.type, 40) ?? 'library',
      });
    }
    jsonComponents(c.components, out);
  }
}

function child(e: Element, name: string): Element | null {
  for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === name) return n as Element;
  return null;
}
const text = (e: Element | null, name: string): string | null => {
  const c = e ? child(e, name) : null;
  return c ? s(c.textContent?.trim() ?? '') : null;
};

function xmlComponents(parent: Element | null, out: Component[]): void {
  if (!parent) return;
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1 || (n as Element).localName !== 'component') continue;
    const c = n as Element;
    const name = text(c, 'name');
    if (name) {
      pushComponent(out, {
        ref: s(c.getAttribute('bom-ref')),
        name,
        version: text(c, 'version') ?? '',
        group: text(c, 'group'),
        supplier: text(child(c, 'supplier'), 'name') ?? text(child(c, 'manufacturer'), 'name') ?? text(c, 'author'),
        purl: text(c, 'purl'),
        cpe: text(c, 'cpe'),
        type: s(c.getAttribute('type'), 40) ?? 'library',
      });
    }
    xmlComponents(child(c, 'components'), out);
  }
}

/** Validates and reads a CycloneDX SBOM (JSON or XML, spec 1.2–1.6). Throws bad_request with the schema's first errors. */
export async function readSbom(input: string): Promise<ReadSbom> {
  if (input.length > MAX_SBOM_BYTES) throw badRequest(`an SBOM may be at most ${MAX_SBOM_BYTES} bytes`);
  const trimmed = input.trimStart();
  if (trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (e) {
      throw badRequest(`not JSON: ${(e as Error).message}`);
    }
    if (!isObj(doc) || doc.bomFormat !== 'CycloneDX') throw badRequest('not a CycloneDX document (bomFormat must be "CycloneDX")');
    const version = String(doc.specVersion ?? '');
    if (!(SPEC_VERSIONS as readonly string[]).includes(version))
      throw badRequest(`CycloneDX specVersion ${version || '(none)'} is not supported (${SPEC_VERSIONS.join(', ')})`);
    const validate = await jsonValidator(version);
    if (!validate(doc)) {
      const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
      throw badRequest(`the SBOM does not validate against the CycloneDX ${version} JSON schema: ${errors.join('; ')}`, { errors });
    }
    const components: Component[] = [];
    jsonComponents(doc.components, components);
    const meta = isObj(doc.metadata) && isObj(doc.metadata.component) ? doc.metadata.component : null;
    const metaVendor = meta && (isObj(meta.manufacturer) ? s(meta.manufacturer.name) : isObj(meta.supplier) ? s(meta.supplier.name) : null);
    return {
      format: 'json',
      specVersion: version,
      serialNumber: s(doc.serialNumber, 200),
      subject: {
        vendor: metaVendor ?? (isObj(doc.metadata) && isObj(doc.metadata.manufacture) ? s(doc.metadata.manufacture.name) : null),
        name: meta ? s(meta.name) : null,
        version: meta ? s(meta.version, 200) : null,
      },
      components,
    };
  }
  if (!trimmed.startsWith('<')) throw badRequest('an SBOM is CycloneDX JSON or XML');
  // No DOCTYPE: no entities to expand.
  if (/<!DOCTYPE/i.test(trimmed)) throw badRequest('an SBOM must not carry a DOCTYPE');
  const ns = /xmlns="http:\/\/cyclonedx\.org\/schema\/bom\/(1\.[2-6])"/.exec(trimmed)?.[1];
  if (!ns) throw badRequest(`not a CycloneDX XML document of spec ${SPEC_VERSIONS.join(', ')} (namespace http://cyclonedx.org/schema/bom/1.x)`);
  const result = await validateXML({
    xml: [{ fileName: 'sbom.xml', contents: trimmed }],
    schema: [{ fileName: `bom-${ns}.SNAPSHOT.xsd`, contents: readFileSync(join(schemaDir, `bom-${ns}.SNAPSHOT.xsd`), 'utf8') }],
    preload: [{ fileName: 'spdx.SNAPSHOT.xsd', contents: readFileSync(join(schemaDir, 'spdx.SNAPSHOT.xsd'), 'utf8') }],
  });
  if (!result.valid) {
    const errors = result.errors
      .slice(0, 5)
      .map((e) => `${e.loc?.lineNumber ? `line ${e.loc.lineNumber}: ` : ''}${e.message.replace(/^Schemas validity error : /, '').trim()}`);
    throw badRequest(`the SBOM does not validate against the CycloneDX ${ns} XML schema: ${errors.join('; ')}`, { errors });
  }
  const dom = new DOMParser().parseFromString(trimmed, 'application/xml');
  const bom = dom.documentElement!;
  const components: Component[] = [];
  xmlComponents(child(bom, 'components'), components);
  const meta = child(child(bom, 'metadata') ?? bom, 'component');
  return {
    format: 'xml',
    specVersion: ns,
    serialNumber: s(bom.getAttribute('serialNumber'), 200),
    subject: {
      vendor: meta ? (text(child(meta, 'manufacturer'), 'name') ?? text(child(meta, 'supplier'), 'name')) : null,
      name: text(meta, 'name'),
      version: text(meta, 'version'),
    },
    components,
  };
}

const serializer = () => new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));

type XmlNode = CDX.Serialize.XML.Types.SimpleXml.Element | CDX.Serialize.XML.Types.SimpleXml.Comment;
const xmlEscape = (v: string | number): string =>
  String(v).replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

/** Writes the library's normalised XML tree (its own XML serializer needs xmlbuilder2, not a dependency of Vigil). */
function writeXml(node: XmlNode, out: string[], indent: string): void {
  if (node.type === 'comment') return;
  const attrs = Object.entries(node.attributes ?? {}).filter((a): a is [string, string | number] => a[1] !== undefined);
  if (node.namespace !== undefined) attrs.unshift(['xmlns', String(node.namespace)]);
  const open = `${indent}<${node.name}${attrs.map(([k, v]) => ` ${k}="${xmlEscape(v)}"`).join('')}`;
  const children = node.children;
  if (children === undefined) return void out.push(`${open}/>`);
  if (typeof children === 'string' || typeof children === 'number') return void out.push(`${open}>${xmlEscape(children)}</${node.name}>`);
  const nodes = [...children].filter((c) => c.type === 'element');
  if (nodes.length === 0) return void out.push(`${open}/>`);
  out.push(`${open}>`);
  for (const c of nodes) writeXml(c, out, `${indent}  `);
  out.push(`${indent}</${node.name}>`);
}

function serialize(bom: CDX.Models.Bom, format: 'json' | 'xml'): string {
  if (format === 'json') return serializer().serialize(bom, { space: 2 });
  const tree = new CDX.Serialize.XML.Normalize.Factory(CDX.Spec.Spec1dot6).makeForBom().normalize(bom, {});
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  writeXml(tree, out, '');
  return `${out.join('\n')}\n`;
}

/** A package URL as the library's model takes it (its PackageURL class is only read back through toString). */
const purlOf = (text: string): CDX.Models.Component['purl'] => ({ toString: () => text }) as unknown as CDX.Models.Component['purl'];

function cdxComponent(c: Component, bomRef: string): CDX.Models.Component {
  const type = (Object.values(CDX.Enums.ComponentType) as string[]).includes(c.type) ? (c.type as CDX.Enums.ComponentType) : CDX.Enums.ComponentType.Library;
  const out = new CDX.Models.Component(type, c.name, {
    version: c.version || undefined,
    group: c.group ?? undefined,
    cpe: c.cpe ?? undefined,
    purl: c.purl ? purlOf(c.purl) : undefined,
    bomRef,
  });
  if (c.supplier) out.supplier = new CDX.Models.OrganizationalEntity({ name: c.supplier });
  return out;
}

/**
 * The city's installed base as one CycloneDX 1.6 BOM (JSON or XML): a device component per
 * asset, with its firmware's components inside (name, version, group, supplier, CPE, purl).
 */
export function aggregateSbom(assets: readonly Asset[], sbomOf: (a: Asset) => Sbom | undefined, now: Date, format: 'json' | 'xml' = 'json'): string {
  const bom = new CDX.Models.Bom();
  bom.metadata.timestamp = now;
  bom.metadata.component = new CDX.Models.Component(CDX.Enums.ComponentType.Platform, 'Vigil city installed base', { bomRef: 'city' });
  for (const a of assets) {
    const device = new CDX.Models.Component(CDX.Enums.ComponentType.Device, a.model, {
      version: a.firmware || undefined,
      bomRef: `asset:${a.assetId}`,
      cpe: a.cpe ?? undefined,
      description: a.label,
    });
    device.supplier = new CDX.Models.OrganizationalEntity({ name: a.vendor });
    const sbom = sbomOf(a);
    for (const c of sbom?.components ?? []) device.components.add(cdxComponent(c, `asset:${a.assetId}/${c.ref}`));
    bom.components.add(device);
  }
  return serialize(bom, format);
}

const STATE: Record<TriageState, CDX.Enums.Vulnerability.AnalysisState> = {
  new: CDX.Enums.Vulnerability.AnalysisState.InTriage,
  confirmed: CDX.Enums.Vulnerability.AnalysisState.Exploitable,
  'not-affected': CDX.Enums.Vulnerability.AnalysisState.NotAffected,
  mitigated: CDX.Enums.Vulnerability.AnalysisState.Exploitable,
  fixed: CDX.Enums.Vulnerability.AnalysisState.Resolved,
};

/** CycloneDX VEX: each finding's triage as `analysis` (state, justification, response, detail) on the device or component it affects. */
export function vexDocument(findings: readonly Finding[], assetOf: (id: string) => Asset | undefined, now: Date): string {
  const bom = new CDX.Models.Bom();
  bom.metadata.timestamp = now;
  const components = new Map<string, CDX.Models.Component>();
  const refOf = (f: Finding): CDX.Models.BomRef => {
    const key = f.component ? `asset:${f.assetId}/${f.component.ref}` : `asset:${f.assetId}`;
    let c = components.get(key);
    if (!c) {
      const a = assetOf(f.assetId);
      c = f.component
        ? new CDX.Models.Component(CDX.Enums.ComponentType.Library, f.component.name, { version: f.component.version || undefined, bomRef: key })
        : new CDX.Models.Component(CDX.Enums.ComponentType.Device, a?.model ?? f.assetId, {
            version: a?.firmware || undefined,
            bomRef: key,
            description: a?.label,
          });
      components.set(key, c);
      bom.components.add(c);
    }
    return c.bomRef;
  };
  const byCve = new Map<string, CDX.Models.Vulnerability.Vulnerability>();
  for (const f of findings) {
    // One vulnerability entry per CVE and analysis: CycloneDX gives the analysis per vulnerability, affecting many refs.
    const key = `${f.cveId}|${f.triage.state}|${f.triage.justification ?? ''}|${f.triage.detail}`;
    let v = byCve.get(key);
    if (!v) {
      v = new CDX.Models.Vulnerability.Vulnerability({
        bomRef: `vex:${byCve.size + 1}`,
        id: f.cveId,
        source: new CDX.Models.Vulnerability.Source({ name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${f.cveId}` }),
      });
      const response =
        f.triage.state === 'fixed'
          ? [CDX.Enums.Vulnerability.AnalysisResponse.Update]
          : f.triage.state === 'mitigated'
            ? [CDX.Enums.Vulnerability.AnalysisResponse.WorkaroundAvailable]
            : [];
      v.analysis = new CDX.Models.Vulnerability.Analysis({
        state: STATE[f.triage.state],
        justification: (f.triage.justification as CDX.Enums.Vulnerability.AnalysisJustification | null) ?? undefined,
        detail: f.triage.detail || undefined,
      });
      for (const r of response) v.analysis.response.add(r);
      byCve.set(key, v);
      bom.vulnerabilities.add(v);
    }
    v.affects.add(new CDX.Models.Vulnerability.Affect(refOf(f)));
  }
  return serializer().serialize(bom, { space: 2 });
}
