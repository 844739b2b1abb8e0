import { SaxesParser } from 'saxes';
import { VigilError } from '../../kernel/errors.js';
import { CAP_NS, type CapAlert, type CapArea, type CapInfo, type CapResource, type CapValuePair } from './cap-model.js';

/** The largest CAP document accepted (a national feed's alert is a few kB; resources are links). */
export const MAX_CAP_BYTES = 1024 * 1024;
/** What an oversized CAP document is told (413), over HTTP and from the reader. */
export const CAP_TOO_LARGE = `a CAP document is at most 1 MiB (${MAX_CAP_BYTES} bytes); this one is larger: send its resources as links, or fewer areas`;

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Writes elements in the schema's sequence; absent optional ones are left out. */
class XmlWriter {
  private out: string[] = [];
  constructor(private depth = 0) {}
  open(name: string, attrs = ''): this {
    this.out.push(`${'  '.repeat(this.depth++)}<${name}${attrs}>`);
    return this;
  }
  close(name: string): this {
    this.out.push(`${'  '.repeat(--this.depth)}</${name}>`);
    return this;
  }
  leaf(name: string, value: string | number | undefined): this {
    if (value !== undefined) this.out.push(`${'  '.repeat(this.depth)}<${name}>${escape(String(value))}</${name}>`);
    return this;
  }
  leaves(name: string, values: readonly string[] | undefined): this {
    for (const v of values ?? []) this.leaf(name, v);
    return this;
  }
  pairs(name: string, values: readonly CapValuePair[] | undefined): this {
    for (const p of values ?? []) this.open(name).leaf('valueName', p.valueName).leaf('value', p.value).close(name);
    return this;
  }
  toString(): string {
    return this.out.join('\n');
  }
}

/** A CAP 1.2 document for the alert, elements in schema order, UTF-8. */
export function capToXml(alert: CapAlert): string {
  const w = new XmlWriter();
  w.open('alert', ` xmlns="${CAP_NS}"`)
    .leaf('identifier', alert.identifier)
    .leaf('sender', alert.sender)
    .leaf('sent', alert.sent)
    .leaf('status', alert.status)
    .leaf('msgType', alert.msgType)
    .leaf('source', alert.source)
    .leaf('scope', alert.scope)
    .leaf('restriction', alert.restriction)
    .leaf('addresses', alert.addresses)
    .leaves('code', alert.code)
    .leaf('note', alert.note)
    .leaf('references', alert.references)
    .leaf('incidents', alert.incidents);
  for (const info of alert.info ?? []) {
    w.open('info')
      .leaf('language', info.language)
      .leaves('category', info.category)
      .leaf('event', info.event)
      .leaves('responseType', info.responseType)
      .leaf('urgency', info.urgency)
      .leaf('severity', info.severity)
      .leaf('certainty', info.certainty)
      .leaf('audience', info.audience)
      .pairs('eventCode', info.eventCode)
      .leaf('effective', info.effective)
      .leaf('onset', info.onset)
      .leaf('expires', info.expires)
      .leaf('senderName', info.senderName)
      .leaf('headline', info.headline)
      .leaf('description', info.description)
      .leaf('instruction', info.instruction)
      .leaf('web', info.web)
      .leaf('contact', info.contact)
      .pairs('parameter', info.parameter);
    for (const r of info.resource ?? []) {
      w.open('resource')
        .leaf('resourceDesc', r.resourceDesc)
        .leaf('mimeType', r.mimeType)
        .leaf('size', r.size)
        .leaf('uri', r.uri)
        .leaf('derefUri', r.derefUri)
        .leaf('digest', r.digest)
        .close('resource');
    }
    for (const a of info.area ?? []) {
      w.open('area')
        .leaf('areaDesc', a.areaDesc)
        .leaves('polygon', a.polygon)
        .leaves('circle', a.circle)
        .pairs('geocode', a.geocode)
        .leaf('altitude', a.altitude)
        .leaf('ceiling', a.ceiling)
        .close('area');
    }
    w.close('info');
  }
  w.close('alert');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${w.toString()}\n`;
}

interface Element {
  name: string;
  children: Element[];
  text: string;
}

/** The CAP elements of a document as a tree; elements of other namespaces (e.g. an XML signature) are skipped. */
function readTree(xml: string, ns: string = CAP_NS): Element {
  const parser = new SaxesParser({ xmlns: true });
  const stack: Element[] = [];
  let root: Element | null = null;
  let foreignDepth = 0;
  parser.on('opentag', (tag) => {
    if (foreignDepth > 0 || (tag.uri !== ns && stack.length > 0)) {
      foreignDepth++;
      return;
    }
    if (stack.length === 0 && (tag.local !== 'alert' || tag.uri !== ns)) {
      throw new VigilError(
        'validation_failed',
        `not a CAP ${ns === CAP_NS ? '1.2' : '1.1'} alert: the root is <${tag.name}> in namespace "${tag.uri}", expected <alert> in ${ns}`,
      );
    }
    const el: Element = { name: tag.local, children: [], text: '' };
    stack[stack.length - 1]?.children.push(el);
    stack.push(el);
    root ??= el;
  });
  parser.on('text', (text) => {
    if (foreignDepth === 0 && stack.length > 0) stack[stack.length - 1]!.text += text;
  });
  parser.on('closetag', () => {
    if (foreignDepth > 0) foreignDepth--;
    else stack.pop();
  });
  parser.on('doctype', () => {
    throw new VigilError('validation_failed', 'a CAP document must not carry a DOCTYPE');
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('validation_failed', `not well-formed XML: ${(error as Error).message}`);
  }
  if (!root) throw new VigilError('validation_failed', 'empty document');
  return root;
}

const texts = (el: Element, name: string): string[] => el.children.filter((c) => c.name === name).map((c) => c.text.trim());
const text = (el: Element, name: string): string | undefined => texts(el, name)[0];
const required = (el: Element, name: string): string => {
  const v = text(el, name);
  if (v === undefined) throw new VigilError('validation_failed', `<${el.name}> has no <${name}>`);
  return v;
};
const num = (el: Element, name: string): number | undefined => {
  const v = text(el, name);
  return v === undefined ? undefined : Number(v);
};
const pairs = (el: Element, name: string): CapValuePair[] | undefined => {
  const list = el.children.filter((c) => c.name === name).map((c) => ({ valueName: required(c, 'valueName'), value: text(c, 'value') ?? '' }));
  return list.length ? list : undefined;
};
const many = (el: Element, name: string): string[] | undefined => {
  const list = texts(el, name);
  return list.length ? list : undefined;
};

/** Drops absent optional fields so parse → write → parse gives equal objects. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Reads a CAP 1.2 document into the model. It does not check the schema: callers
 * validate against the XSD first (validateCapXml), which gives the precise errors.
 */
export function parseCapXml(xml: string, options: { namespace?: string; defaultMimeType?: string } = {}): CapAlert {
  if (Buffer.byteLength(xml) > MAX_CAP_BYTES) throw new VigilError('payload_too_large', CAP_TOO_LARGE);
  const root = readTree(xml, options.namespace);
  const info = root.children
    .filter((c) => c.name === 'info')
    .map((i): CapInfo =>
      compact({
        language: text(i, 'language'),
        category: texts(i, 'category') as CapInfo['category'],
        event: required(i, 'event'),
        responseType: many(i, 'responseType') as CapInfo['responseType'],
        urgency: required(i, 'urgency') as CapInfo['urgency'],
        severity: required(i, 'severity') as CapInfo['severity'],
        certainty: required(i, 'certainty') as CapInfo['certainty'],
        audience: text(i, 'audience'),
        eventCode: pairs(i, 'eventCode'),
        effective: text(i, 'effective'),
        onset: text(i, 'onset'),
        expires: text(i, 'expires'),
        senderName: text(i, 'senderName'),
        headline: text(i, 'headline'),
        description: text(i, 'description'),
        instruction: text(i, 'instruction'),
        web: text(i, 'web'),
        contact: text(i, 'contact'),
        parameter: pairs(i, 'parameter'),
        resource: nonEmpty(
          i.children
            .filter((c) => c.name === 'resource')
            .map((r): CapResource =>
              compact({
                resourceDesc: required(r, 'resourceDesc'),
                mimeType: options.defaultMimeType !== undefined ? (text(r, 'mimeType') ?? options.defaultMimeType) : required(r, 'mimeType'),
                size: num(r, 'size'),
                uri: text(r, 'uri'),
                derefUri: text(r, 'derefUri'),
                digest: text(r, 'digest'),
              }),
            ),
        ),
        area: nonEmpty(
          i.children
            .filter((c) => c.name === 'area')
            .map((a): CapArea =>
              compact({
                areaDesc: required(a, 'areaDesc'),
                polygon: many(a, 'polygon'),
                circle: many(a, 'circle'),
                geocode: pairs(a, 'geocode'),
                altitude: num(a, 'altitude'),
                ceiling: num(a, 'ceiling'),
              }),
            ),
        ),
      }),
    );
  return compact({
    identifier: required(root, 'identifier'),
    sender: required(root, 'sender'),
    sent: required(root, 'sent'),
    status: required(root, 'status') as CapAlert['status'],
    msgType: required(root, 'msgType') as CapAlert['msgType'],
    source: text(root, 'source'),
    scope: required(root, 'scope') as CapAlert['scope'],
    restriction: text(root, 'restriction'),
    addresses: text(root, 'addresses'),
    code: many(root, 'code'),
    note: text(root, 'note'),
    references: text(root, 'references'),
    incidents: text(root, 'incidents'),
    info: nonEmpty(info),
  });
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length ? list : undefined;
}
