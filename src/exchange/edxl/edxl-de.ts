import { badRequest } from '../../kernel/errors.js';
import { DATE_TIME, children, el, esc, parseXmlRoot, serialize, text, withoutDeclaration, type XmlElement } from './xml.js';

/**
 * EDXL-DE 2.0 (OASIS Emergency Data Exchange Language Distribution Element): the envelope
 * agencies route messages in. Two forms are written and read:
 * - XML, the OASIS DE 2.0 form (namespace urn:oasis:names:tc:emergency:EDXL:DE:2.0, UpperCamel
 *   names, status and kind in their default value lists in the EDXL common types namespace);
 *   earlier and DE 1.0-style lower-camel envelopes are read too (see the XML section);
 * - JSON, the form national hubs carry over AMQP (for example France's health hub for SAMU and
 *   fire services): the same element names, `descriptor` holding language and explicit
 *   addresses, `content[].jsonContent.embeddedJsonContent.message` holding the message.
 * Content is embedded XML (CAP, SitRep, RM, HAVE), embedded JSON, or base64 data.
 */
export const EDXL_DE_NS = 'urn:oasis:names:tc:emergency:EDXL:DE:2.0';
export const EDXL_CT_NS = 'urn:oasis:names:tc:emergency:edxl:ct:1.0';
export const STATUS_LIST = 'urn:oasis:names:tc:emergency:EDXL:DE:2.0:Defaults:StatusKind';
export const KIND_LIST = 'urn:oasis:names:tc:emergency:EDXL:DE:2.0:Defaults:DistributionType';

export const DISTRIBUTION_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Unknown', 'NoAppropriateDefault'] as const;
export type DistributionStatus = (typeof DISTRIBUTION_STATUSES)[number];
export const DISTRIBUTION_KINDS = [
  'Report',
  'Update',
  'Cancel',
  'Request',
  'Response',
  'Dispatch',
  'Ack',
  'Error',
  'SensorConfiguration',
  'SensorControl',
  'SensorStatus',
  'SensorDetection',
  'Unknown',
  'NoAppropriateDefault',
] as const;
export type DistributionKind = (typeof DISTRIBUTION_KINDS)[number];

/** A value from a named list (EDXL-CT ValueList): keywords, roles. */
export interface ValueList {
  valueListUri: string;
  values: string[];
}

export interface ExplicitAddress {
  scheme: string;
  values: string[];
}

/** A target area, CAP-style: a circle (centre and radius in km) or a closed polygon, as [lat, lon] pairs. */
export type TargetArea = { circle: { lat: number; lon: number; radiusKm: number } } | { polygon: [number, number][] };

export interface EdxlContent {
  description?: string;
  keywords?: ValueList[];
  /** The incident this content is about (contentDescriptor incidentID). */
  incidentId?: string;
  /** Exactly one of: an embedded XML document, an embedded JSON message, base64 data with its MIME type. */
  xml?: string;
  json?: unknown;
  data?: { mimeType: string; base64: string };
}

export interface EdxlDistribution {
  distributionId: string;
  senderId: string;
  dateTimeSent: string;
  dateTimeExpires: string;
  status: DistributionStatus;
  kind: DistributionKind;
  language?: string;
  senderRoles?: ValueList[];
  recipientRoles?: ValueList[];
  keywords?: ValueList[];
  /** Earlier distributions this one refers to, as `distributionID,senderID,dateTimeSent` (an Ack names what it acknowledges). */
  references?: string[];
  explicitAddresses?: ExplicitAddress[];
  targetAreas?: TargetArea[];
  contents: EdxlContent[];
}

/** The scheme Vigil addresses agencies with (their ids on the hub). */
export const AGENCY_SCHEME = 'urn:vigil:agency';

/** Structural rules of EDXL-DE 2.0 Vigil checks on what it reads and writes; the list of what is wrong, empty when valid. */
export function checkDistribution(d: EdxlDistribution): string[] {
  const errors: string[] = [];
  if (!d.distributionId?.trim()) errors.push('distributionID is required');
  if (!d.senderId?.trim()) errors.push('senderID is required');
  for (const [name, v] of [
    ['dateTimeSent', d.dateTimeSent],
    ['dateTimeExpires', d.dateTimeExpires],
  ] as const)
    if (!DATE_TIME.test(v ?? '')) errors.push(`${name} must be a date-time with a time zone, got "${v ?? ''}"`);
  if (DATE_TIME.test(d.dateTimeSent ?? '') && DATE_TIME.test(d.dateTimeExpires ?? '') && Date.parse(d.dateTimeExpires) < Date.parse(d.dateTimeSent))
    errors.push('dateTimeExpires is before dateTimeSent');
  if (!(DISTRIBUTION_STATUSES as readonly string[]).includes(d.status))
    errors.push(`distributionStatus "${d.status}" is not one of ${DISTRIBUTION_STATUSES.join(', ')}`);
  if (!(DISTRIBUTION_KINDS as readonly string[]).includes(d.kind)) errors.push(`distributionKind "${d.kind}" is not one of ${DISTRIBUTION_KINDS.join(', ')}`);
  for (const a of d.explicitAddresses ?? []) if (!a.scheme || a.values.length === 0) errors.push('an explicitAddress needs a scheme and at least one value');
  for (const t of d.targetAreas ?? []) {
    if ('circle' in t) {
      const { lat, lon, radiusKm } = t.circle;
      if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && radiusKm >= 0 && Number.isFinite(radiusKm))) errors.push('a target circle is out of range');
    } else {
      const ring = t.polygon;
      if (ring.length < 4) errors.push('a target polygon needs at least 4 points');
      else if (ring[0]![0] !== ring[ring.length - 1]![0] || ring[0]![1] !== ring[ring.length - 1]![1]) errors.push('a target polygon must be closed');
      if (ring.some(([la, lo]) => !(Math.abs(la) <= 90 && Math.abs(lo) <= 180))) errors.push('a target polygon point is out of range');
    }
  }
  for (const [i, c] of d.contents.entries()) {
    const forms = [c.xml !== undefined, c.json !== undefined, c.data !== undefined].filter(Boolean).length;
    if (forms !== 1) errors.push(`content ${i + 1} must hold exactly one of embedded XML, embedded JSON or data`);
  }
  return errors;
}

function assertValid(d: EdxlDistribution, what: string): EdxlDistribution {
  const errors = checkDistribution(d);
  if (errors.length > 0) throw badRequest(`${what}: ${errors.join('; ')}`, { errors });
  return d;
}

// ---------------------------------------------------------------- XML
//
// Written in the EDXL-DE 2.0 form: UpperCamel element names, status and kind each wrapped in
// their default value list (`StatusKindDefault`, `DistributionKindDefault`, holding
// `ct:ValueListURI` and `ct:Value`), the routing elements grouped in `Descriptor`, and the
// content objects inside `Content`. Read leniently so that stored messages and older partners
// still read: element names are matched without regard to case (Vigil's earlier lower-camel
// form, EDXL-DE 1.0 names, the hubs' XML), with or without `Descriptor` and `Content`, and
// status and kind as a default value list, a bare value list or plain text. docs/exchange.md
// lists what was checked against the OASIS examples and what could not be (no XSD here).

/** Vigil's target areas (CAP-style circle and polygon) inside TargetArea: DE 2.0 expects EDXL-GSF geometry, which Vigil does not write. */
export const VIGIL_AREA_NS = 'urn:vigil:edxl:area:1';

const valueList = (name: string, v: ValueList): string =>
  `<${name}><ct:ValueListURI>${esc(v.valueListUri)}</ct:ValueListURI>${v.values.map((x) => `<ct:Value>${esc(x)}</ct:Value>`).join('')}</${name}>`;

/** `<DistributionStatus><StatusKindDefault>…</StatusKindDefault></DistributionStatus>`: a value from a default list, in its wrapper. */
const defaultValue = (name: string, wrapper: string, listUri: string, value: string): string =>
  `<${name}>${valueList(wrapper, { valueListUri: listUri, values: [value] })}</${name}>`;

const areaXml = (t: TargetArea): string =>
  `<TargetArea><area xmlns="${VIGIL_AREA_NS}">` +
  ('circle' in t
    ? `<circle>${t.circle.lat},${t.circle.lon} ${t.circle.radiusKm}</circle>`
    : `<polygon>${t.polygon.map(([la, lo]) => `${la},${lo}`).join(' ')}</polygon>`) +
  '</area></TargetArea>';

function contentObjectXml(c: EdxlContent): string {
  const descriptor =
    c.description !== undefined || c.incidentId !== undefined || (c.keywords?.length ?? 0) > 0
      ? `<ContentDescriptor>${el('ContentDescription', c.description)}${(c.keywords ?? []).map((k) => valueList('ContentKeyword', k)).join('')}${el('IncidentID', c.incidentId)}</ContentDescriptor>`
      : '';
  let body: string;
  if (c.xml !== undefined) body = `<ContentXML><EmbeddedXMLContent>${withoutDeclaration(c.xml)}</EmbeddedXMLContent></ContentXML>`;
  else {
    const { mimeType, base64 } =
      c.json !== undefined ? { mimeType: 'application/json', base64: Buffer.from(JSON.stringify(c.json)).toString('base64') } : c.data!;
    body = `<NonXMLContent><MIMEType>${esc(mimeType)}</MIMEType><ContentData>${esc(base64)}</ContentData></NonXMLContent>`;
  }
  return `<ContentObject>${descriptor}${body}</ContentObject>`;
}

/** The envelope as OASIS EDXL-DE 2.0 XML (element names and order of the DE 2.0 examples). */
export function distributionToXml(d: EdxlDistribution): string {
  assertValid(d, 'EDXL-DE');
  const descriptor =
    el('Language', d.language) +
    (d.senderRoles ?? []).map((v) => valueList('SenderRole', v)).join('') +
    (d.recipientRoles ?? []).map((v) => valueList('RecipientRole', v)).join('') +
    (d.keywords ?? []).map((v) => valueList('Keyword', v)).join('') +
    (d.references ?? []).map((r) => el('DistributionReference', r)).join('') +
    (d.explicitAddresses ?? [])
      .map((a) => `<ExplicitAddress>${el('ExplicitAddressScheme', a.scheme)}${a.values.map((v) => el('ExplicitAddressValue', v)).join('')}</ExplicitAddress>`)
      .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<EDXLDistribution xmlns="${EDXL_DE_NS}" xmlns:ct="${EDXL_CT_NS}">` +
    el('DistributionID', d.distributionId) +
    el('SenderID', d.senderId) +
    el('DateTimeSent', d.dateTimeSent) +
    el('DateTimeExpires', d.dateTimeExpires) +
    defaultValue('DistributionStatus', 'StatusKindDefault', STATUS_LIST, d.status) +
    defaultValue('DistributionKind', 'DistributionKindDefault', KIND_LIST, d.kind) +
    (descriptor ? `<Descriptor>${descriptor}</Descriptor>` : '') +
    (d.targetAreas ?? []).map(areaXml).join('') +
    (d.contents.length > 0 ? `<Content>${d.contents.map(contentObjectXml).join('')}</Content>` : '') +
    '</EDXLDistribution>'
  );
}

/** Element children whose local name is `name` in any letter case (DE 2.0 `DistributionID`, DE 1.0 and Vigil's earlier `distributionID`). */
const kids = (parent: XmlElement, name: string): XmlElement[] => {
  const wanted = name.toLowerCase();
  return children(parent).filter((e) => (e.localName ?? '').toLowerCase() === wanted);
};
const kid = (parent: XmlElement, name: string): XmlElement | undefined => kids(parent, name)[0];
const kidText = (parent: XmlElement, name: string): string | undefined => text(kid(parent, name));

const readValueList = (e: XmlElement): ValueList => ({
  // DE 2.0 and EDXL-CT: ValueListURI; DE 1.0: valueListUrn.
  valueListUri: kidText(e, 'ValueListURI') ?? kidText(e, 'valueListUrn') ?? '',
  values: kids(e, 'Value').map((v) => text(v) ?? ''),
});

const num = (s: string | undefined): number => (s === undefined || s.trim() === '' ? NaN : Number(s));

/** Vigil's circle or polygon (in its own namespace, or directly inside TargetArea as Vigil wrote before); null for geometry Vigil does not read (EDXL-GSF). */
function readArea(e: XmlElement): TargetArea | null {
  const holder = kid(e, 'area') ?? e;
  const circle = kidText(holder, 'circle');
  if (circle !== undefined) {
    const [centre, radius] = circle.split(/\s+/);
    const [lat, lon] = (centre ?? '').split(',');
    return { circle: { lat: num(lat), lon: num(lon), radiusKm: num(radius) } };
  }
  const polygon = kidText(holder, 'polygon');
  if (polygon === undefined) return null;
  return {
    polygon: polygon
      .split(/\s+/)
      .filter(Boolean)
      .map((p) => {
        const [la, lo] = p.split(',');
        return [num(la), num(lo)] as [number, number];
      }),
  };
}

function readContentObject(object: XmlElement): EdxlContent {
  const out: EdxlContent = {};
  // DE 2.0 groups these in ContentDescriptor; DE 1.0 has them directly in contentObject.
  const descriptor = kid(object, 'ContentDescriptor') ?? object;
  const d = kidText(descriptor, 'ContentDescription');
  if (d !== undefined) out.description = d;
  const k = kids(descriptor, 'ContentKeyword').map(readValueList);
  if (k.length > 0) out.keywords = k;
  const i = kidText(descriptor, 'IncidentID');
  if (i !== undefined) out.incidentId = i;
  // DE 2.0 ContentXML, DE 1.0 xmlContent.
  const xml = kid(object, 'ContentXML') ?? kid(object, 'xmlContent');
  const non = kid(object, 'NonXMLContent');
  if (xml) {
    const embedded = kid(xml, 'EmbeddedXMLContent');
    const doc = embedded ? children(embedded)[0] : undefined;
    if (!doc) throw badRequest('EDXL-DE: ContentXML holds no embedded document (EmbeddedXMLContent)');
    out.xml = serialize(doc);
  } else if (non) {
    const mimeType = kidText(non, 'MIMEType') ?? 'application/octet-stream';
    const data = kidText(non, 'ContentData') ?? '';
    if (mimeType === 'application/json') {
      try {
        out.json = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as unknown;
      } catch {
        throw badRequest('EDXL-DE: JSON content is not valid JSON');
      }
    } else out.data = { mimeType, base64: data };
  } else throw badRequest('EDXL-DE: a ContentObject holds ContentXML or NonXMLContent');
  return out;
}

/** The content objects: DE 2.0 `Content/ContentObject` (one or more per Content), or DE 1.0's `contentObject` directly in the envelope. */
function contentObjects(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const content of kids(root, 'Content')) {
    const objects = kids(content, 'ContentObject');
    if (objects.length === 0) throw badRequest('EDXL-DE: a Content holds at least one ContentObject');
    out.push(...objects);
  }
  return [...out, ...kids(root, 'ContentObject')];
}

/**
 * A value from a list: DE 2.0 `<DistributionStatus><StatusKindDefault><ct:Value>`, Vigil's
 * earlier `<distributionStatus><ct:Value>`, or plain text as the hubs' XML writes it.
 */
function listValue(root: XmlElement, name: string, wrapper: string): string {
  const e = kid(root, name);
  if (!e) throw badRequest(`EDXL-DE: <${name}> is missing`);
  const inner = kid(e, wrapper) ?? children(e).find((c) => kid(c, 'Value')) ?? e;
  const v = kid(inner, 'Value');
  return v ? (text(v) ?? '') : children(e).length === 0 ? (text(e) ?? '') : '';
}

const requiredText = (root: XmlElement, name: string): string => {
  const v = kidText(root, name);
  if (v === undefined || v === '') throw badRequest(`EDXL-DE: <${name}> is missing`);
  return v;
};

/** Reads an EDXL-DE 2.0 XML envelope, and the earlier forms described above (checked structurally; see checkDistribution). */
export function distributionFromXml(xml: string): EdxlDistribution {
  const root = parseXmlRoot(xml, [EDXL_DE_NS], 'EDXLDistribution', 'EDXL-DE');
  const d: EdxlDistribution = {
    distributionId: requiredText(root, 'DistributionID'),
    senderId: requiredText(root, 'SenderID'),
    dateTimeSent: requiredText(root, 'DateTimeSent'),
    dateTimeExpires: requiredText(root, 'DateTimeExpires'),
    status: listValue(root, 'DistributionStatus', 'StatusKindDefault') as DistributionStatus,
    kind: listValue(root, 'DistributionKind', 'DistributionKindDefault') as DistributionKind,
    contents: contentObjects(root).map(readContentObject),
  };
  // DE 2.0 groups the routing elements in Descriptor; Vigil's earlier form had them in the envelope.
  const descriptor = kid(root, 'Descriptor') ?? root;
  const language = kidText(descriptor, 'Language');
  if (language !== undefined) d.language = language;
  const lists = (name: string): ValueList[] | undefined => {
    const l = kids(descriptor, name).map(readValueList);
    return l.length > 0 ? l : undefined;
  };
  const senderRoles = lists('SenderRole');
  if (senderRoles) d.senderRoles = senderRoles;
  const recipientRoles = lists('RecipientRole');
  if (recipientRoles) d.recipientRoles = recipientRoles;
  const keywords = lists('Keyword');
  if (keywords) d.keywords = keywords;
  const refs = kids(descriptor, 'DistributionReference').map((r) => text(r) ?? '');
  if (refs.length > 0) d.references = refs;
  const addresses = kids(descriptor, 'ExplicitAddress').map((a) => ({
    scheme: kidText(a, 'ExplicitAddressScheme') ?? '',
    values: kids(a, 'ExplicitAddressValue').map((v) => text(v) ?? ''),
  }));
  if (addresses.length > 0) d.explicitAddresses = addresses;
  const areas = kids(root, 'TargetArea')
    .map(readArea)
    .filter((a): a is TargetArea => a !== null);
  if (areas.length > 0) d.targetAreas = areas;
  return assertValid(d, 'EDXL-DE');
}

// ---------------------------------------------------------------- JSON (the hubs' form)

interface JsonValueList {
  valueListURI: string;
  value: string[];
}
const jsonList = (v: ValueList): JsonValueList => ({ valueListURI: v.valueListUri, value: v.values });
const fromJsonList = (v: unknown): ValueList => {
  const o = v as Partial<JsonValueList> | null;
  if (!o || typeof o.valueListURI !== 'string' || !Array.isArray(o.value) || !o.value.every((x) => typeof x === 'string'))
    throw badRequest('EDXL-DE JSON: a value list is {valueListURI, value: [strings]}');
  return { valueListUri: o.valueListURI, values: o.value };
};

/** The envelope in the JSON form hubs use. */
export function distributionToJson(d: EdxlDistribution): Record<string, unknown> {
  assertValid(d, 'EDXL-DE');
  const descriptor: Record<string, unknown> = {};
  if (d.language !== undefined) descriptor.language = d.language;
  if (d.senderRoles) descriptor.senderRole = d.senderRoles.map(jsonList);
  if (d.recipientRoles) descriptor.recipientRole = d.recipientRoles.map(jsonList);
  if (d.keywords) descriptor.keyword = d.keywords.map(jsonList);
  if (d.references) descriptor.distributionReference = d.references;
  if (d.explicitAddresses)
    descriptor.explicitAddress = d.explicitAddresses.map((a) => ({
      explicitAddressScheme: a.scheme,
      explicitAddressValue: a.values.length === 1 ? a.values[0] : a.values,
    }));
  if (d.targetAreas) descriptor.targetArea = d.targetAreas;
  return {
    distributionID: d.distributionId,
    senderID: d.senderId,
    dateTimeSent: d.dateTimeSent,
    dateTimeExpires: d.dateTimeExpires,
    distributionStatus: d.status,
    distributionKind: d.kind,
    descriptor,
    content: d.contents.map((c) => {
      const object: Record<string, unknown> = {};
      if (c.description !== undefined || c.incidentId !== undefined || c.keywords)
        object.contentDescriptor = {
          ...(c.description !== undefined ? { contentDescription: c.description } : {}),
          ...(c.keywords ? { contentKeyword: c.keywords.map(jsonList) } : {}),
          ...(c.incidentId !== undefined ? { incidentID: c.incidentId } : {}),
        };
      if (c.json !== undefined) object.jsonContent = { embeddedJsonContent: { message: c.json } };
      else if (c.xml !== undefined) object.xmlContent = { embeddedXMLContent: withoutDeclaration(c.xml) };
      else object.nonXMLContent = { mimeType: c.data!.mimeType, contentData: c.data!.base64 };
      return object;
    }),
  };
}

const str = (o: Record<string, unknown>, k: string, what = 'EDXL-DE JSON'): string => {
  const v = o[k];
  if (typeof v !== 'string') throw badRequest(`${what}: ${k} must be a string`);
  return v;
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayOf = (v: unknown, k: string): unknown[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badRequest(`EDXL-DE JSON: ${k} must be an array`);
  return v;
};

/** Reads the JSON form (also accepts a single explicitAddress object and single values, as hubs send them). */
export function distributionFromJson(input: unknown): EdxlDistribution {
  if (!isObject(input)) throw badRequest('EDXL-DE JSON: the envelope is an object');
  const descriptor = input.descriptor === undefined ? {} : input.descriptor;
  if (!isObject(descriptor)) throw badRequest('EDXL-DE JSON: descriptor must be an object');
  const d: EdxlDistribution = {
    distributionId: str(input, 'distributionID'),
    senderId: str(input, 'senderID'),
    dateTimeSent: str(input, 'dateTimeSent'),
    dateTimeExpires: str(input, 'dateTimeExpires'),
    status: str(input, 'distributionStatus') as DistributionStatus,
    kind: str(input, 'distributionKind') as DistributionKind,
    contents: arrayOf(input.content, 'content').map((raw) => {
      if (!isObject(raw)) throw badRequest('EDXL-DE JSON: a content is an object');
      const c: EdxlContent = {};
      const cd = raw.contentDescriptor;
      if (cd !== undefined) {
        if (!isObject(cd)) throw badRequest('EDXL-DE JSON: contentDescriptor must be an object');
        if (cd.contentDescription !== undefined) c.description = str(cd, 'contentDescription');
        if (cd.contentKeyword !== undefined) c.keywords = arrayOf(cd.contentKeyword, 'contentKeyword').map(fromJsonList);
        if (cd.incidentID !== undefined) c.incidentId = str(cd, 'incidentID');
      }
      const jc = raw.jsonContent;
      const xc = raw.xmlContent;
      const nc = raw.nonXMLContent;
      if (isObject(jc) && isObject(jc.embeddedJsonContent) && 'message' in jc.embeddedJsonContent) c.json = jc.embeddedJsonContent.message;
      else if (isObject(xc)) c.xml = str(xc, 'embeddedXMLContent');
      else if (isObject(nc)) c.data = { mimeType: str(nc, 'mimeType'), base64: str(nc, 'contentData') };
      else throw badRequest('EDXL-DE JSON: a content holds jsonContent.embeddedJsonContent.message, xmlContent or nonXMLContent');
      return c;
    }),
  };
  if (descriptor.language !== undefined) d.language = str(descriptor, 'language');
  if (descriptor.senderRole !== undefined) d.senderRoles = arrayOf(descriptor.senderRole, 'senderRole').map(fromJsonList);
  if (descriptor.recipientRole !== undefined) d.recipientRoles = arrayOf(descriptor.recipientRole, 'recipientRole').map(fromJsonList);
  if (descriptor.keyword !== undefined) d.keywords = arrayOf(descriptor.keyword, 'keyword').map(fromJsonList);
  if (descriptor.distributionReference !== undefined)
    d.references = arrayOf(descriptor.distributionReference, 'distributionReference').map((r) => {
      if (typeof r !== 'string') throw badRequest('EDXL-DE JSON: a distributionReference is a string');
      return r;
    });
  if (descriptor.explicitAddress !== undefined) {
    const raw = Array.isArray(descriptor.explicitAddress) ? descriptor.explicitAddress : [descriptor.explicitAddress];
    d.explicitAddresses = raw.map((a) => {
      if (!isObject(a)) throw badRequest('EDXL-DE JSON: an explicitAddress is an object');
      const v = a.explicitAddressValue;
      const values = Array.isArray(v) ? v : [v];
      if (!values.every((x) => typeof x === 'string')) throw badRequest('EDXL-DE JSON: explicitAddressValue is a string or strings');
      return { scheme: str(a, 'explicitAddressScheme'), values: values as string[] };
    });
  }
  if (descriptor.targetArea !== undefined)
    d.targetAreas = arrayOf(descriptor.targetArea, 'targetArea').map((t) => {
      if (isObject(t) && isObject(t.circle)) {
        const c = t.circle;
        return { circle: { lat: Number(c.lat), lon: Number(c.lon), radiusKm: Number(c.radiusKm) } };
      }
      if (isObject(t) && Array.isArray(t.polygon))
        return { polygon: t.polygon.map((p) => (Array.isArray(p) ? [Number(p[0]), Number(p[1])] : [NaN, NaN]) as [number, number]) };
      throw badRequest('EDXL-DE JSON: a targetArea is {circle: {lat, lon, radiusKm}} or {polygon: [[lat, lon], …]}');
    });
  return assertValid(d, 'EDXL-DE JSON');
}

/** Reads either form from the bytes of a message: JSON when it starts with `{`, XML otherwise. */
export function parseDistribution(body: string): EdxlDistribution {
  const trimmed = body.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) {
    if (Buffer.byteLength(body, 'utf8') > 1_048_576) throw badRequest('EDXL-DE JSON is over 1048576 bytes');
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw badRequest('EDXL-DE JSON is not valid JSON');
    }
    return distributionFromJson(parsed);
  }
  return distributionFromXml(body);
}

// ---------------------------------------------------------------- building, routing, acknowledging

/** `distributionID,senderID,dateTimeSent`: how EDXL-DE names an earlier distribution. */
export const referenceOf = (d: Pick<EdxlDistribution, 'distributionId' | 'senderId' | 'dateTimeSent'>): string =>
  `${d.distributionId},${d.senderId},${d.dateTimeSent}`;

export function parseReference(ref: string): { distributionId: string; senderId: string; dateTimeSent: string } | null {
  const parts = ref.split(',');
  if (parts.length < 3) return null;
  const dateTimeSent = parts.pop()!;
  const senderId = parts.pop()!;
  return { distributionId: parts.join(','), senderId, dateTimeSent };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A new envelope from `senderId` to the agencies `to`, valid `ttlMs` from `now`. */
export function envelope(input: {
  distributionId: string;
  senderId: string;
  to: readonly string[];
  kind: DistributionKind;
  now: number;
  ttlMs?: number;
  status?: DistributionStatus;
  keywords?: ValueList[];
  references?: string[];
  targetAreas?: TargetArea[];
  contents: EdxlContent[];
  language?: string;
}): EdxlDistribution {
  const d: EdxlDistribution = {
    distributionId: input.distributionId,
    senderId: input.senderId,
    dateTimeSent: iso(input.now),
    dateTimeExpires: iso(input.now + (input.ttlMs ?? 24 * 3600_000)),
    status: input.status ?? 'Actual',
    kind: input.kind,
    contents: input.contents,
  };
  if (input.language) d.language = input.language;
  if (input.to.length > 0) d.explicitAddresses = [{ scheme: AGENCY_SCHEME, values: [...input.to] }];
  if (input.keywords?.length) d.keywords = input.keywords;
  if (input.references?.length) d.references = input.references;
  if (input.targetAreas?.length) d.targetAreas = input.targetAreas;
  return d;
}

/** Wraps a CAP 1.2 alert (its XML) for distribution. */
export function wrapCap(
  capXml: string,
  input: { distributionId: string; senderId: string; to: readonly string[]; now: number; status?: DistributionStatus },
): EdxlDistribution {
  const kind: DistributionKind = /<msgType>\s*Cancel\s*<\/msgType>/.test(capXml)
    ? 'Cancel'
    : /<msgType>\s*Update\s*<\/msgType>/.test(capXml)
      ? 'Update'
      : 'Report';
  return envelope({
    ...input,
    kind,
    keywords: [{ valueListUri: 'urn:vigil:content', values: ['cap'] }],
    contents: [{ description: 'CAP 1.2 alert', xml: capXml, keywords: [{ valueListUri: 'urn:vigil:content', values: ['cap'] }] }],
  });
}

const CONTENT_NAMESPACES: Record<string, string> = {
  'urn:oasis:names:tc:emergency:cap:1.2': 'cap',
  'urn:oasis:names:tc:emergency:EDXL:SitRep:1.0': 'sitrep',
  'urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg': 'rm',
  'urn:oasis:names:tc:emergency:EDXL:HAVE:2.0': 'have',
};

/** What each content is, by the namespace of its embedded document ('json' for JSON messages, 'data' otherwise). */
export function unwrap(d: EdxlDistribution): { type: 'cap' | 'sitrep' | 'rm' | 'have' | 'xml' | 'json' | 'data'; content: EdxlContent }[] {
  return d.contents.map((content) => {
    if (content.json !== undefined) return { type: 'json', content };
    if (content.data !== undefined) return { type: 'data', content };
    const ns = /^\s*<(?:[\w.-]+:)?[\w.-]+[^>]*?\sxmlns(?::[\w.-]+)?="([^"]+)"/.exec(withoutDeclaration(content.xml!))?.[1] ?? '';
    return { type: (CONTENT_NAMESPACES[ns] ?? 'xml') as 'cap', content };
  });
}

/** Who gets an envelope: explicit recipients, senders, keywords, and where. A rule matches when every part it names matches. */
export interface RoutingRule {
  name: string;
  recipients?: readonly string[];
  senders?: readonly string[];
  /** Any of these keyword values (of any list). */
  keywords?: readonly string[];
  /** A bounding box [west, south, east, north] the envelope's target areas must touch. */
  bbox?: readonly [number, number, number, number];
}

function areaBox(t: TargetArea): [number, number, number, number] {
  if ('circle' in t) {
    const dLat = t.circle.radiusKm / 111.32;
    const dLon = t.circle.radiusKm / (111.32 * Math.max(0.01, Math.cos((t.circle.lat * Math.PI) / 180)));
    return [t.circle.lon - dLon, t.circle.lat - dLat, t.circle.lon + dLon, t.circle.lat + dLat];
  }
  const lats = t.polygon.map((p) => p[0]);
  const lons = t.polygon.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

export function matchesRule(d: EdxlDistribution, rule: RoutingRule): boolean {
  if (rule.recipients && !(d.explicitAddresses ?? []).some((a) => a.values.some((v) => rule.recipients!.includes(v)))) return false;
  if (rule.senders && !rule.senders.includes(d.senderId)) return false;
  if (rule.keywords) {
    const all = [...(d.keywords ?? []), ...d.contents.flatMap((c) => c.keywords ?? [])].flatMap((k) => k.values);
    if (!all.some((k) => rule.keywords!.includes(k))) return false;
  }
  if (rule.bbox) {
    const [w, s, e, n] = rule.bbox;
    const touches = (d.targetAreas ?? []).some((t) => {
      const [aw, as, ae, an] = areaBox(t);
      return aw <= e && ae >= w && as <= n && an >= s;
    });
    if (!touches) return false;
  }
  return true;
}

/** The names of the rules an envelope matches, in order. */
export const route = (d: EdxlDistribution, rules: readonly RoutingRule[]): string[] => rules.filter((r) => matchesRule(d, r)).map((r) => r.name);

/** The acknowledgement of a received distribution (kind Ack, referring to it), addressed back to its sender. */
export function ackFor(
  received: Pick<EdxlDistribution, 'distributionId' | 'senderId' | 'dateTimeSent'>,
  by: { distributionId: string; senderId: string; now: number },
): EdxlDistribution {
  return envelope({ ...by, to: [received.senderId], kind: 'Ack', references: [referenceOf(received)], contents: [] });
}

/** The error report on a received distribution: kind Error, referring to it, the errors as text. */
export function errorFor(
  received: Pick<EdxlDistribution, 'distributionId' | 'senderId' | 'dateTimeSent'>,
  by: { distributionId: string; senderId: string; now: number },
  errors: readonly string[],
): EdxlDistribution {
  return envelope({
    ...by,
    to: [received.senderId],
    kind: 'Error',
    references: [referenceOf(received)],
    contents: [{ description: 'errors', json: { errors: [...errors] } }],
  });
}
