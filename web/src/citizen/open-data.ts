/**
 * The city's open data catalogue (DCAT-AP JSON-LD, /api/open-data/catalog.jsonld) read
 * for the citizen app: each dataset's title and description in the reader's language,
 * how often it changes, and its downloads. Pure: tested without a browser.
 */
export interface CatalogueEntry {
  id: string;
  title: string;
  description: string;
  /** EU frequency code: CONT, DAILY, MONTHLY, ANNUAL, IRREG. */
  frequency: string;
  downloads: { title: string; href: string; mediaType: string }[];
}

export interface CatalogueView {
  title: string;
  publisher: string;
  license: string;
  datasets: CatalogueEntry[];
}

type LangValue = { '@value': string; '@language': string };
type Node = Record<string, unknown>;

const pick = (v: unknown, lang: string): string => {
  const list = (Array.isArray(v) ? v : [v]) as (LangValue | string | undefined)[];
  const of = (l: string) => list.find((x): x is LangValue => typeof x === 'object' && x !== null && x['@language'] === l)?.['@value'];
  const first = list[0];
  return of(lang) ?? of('en') ?? (typeof first === 'string' ? first : (first?.['@value'] ?? ''));
};
const idOf = (v: unknown): string => (typeof v === 'object' && v !== null && typeof (v as Node)['@id'] === 'string' ? ((v as Node)['@id'] as string) : '');
const lastSegment = (iri: string): string => iri.slice(iri.lastIndexOf('/') + 1);
/** A download on this server is linked by its path, so it opens from whatever address the app was reached at. */
const local = (href: string): string => {
  try {
    const u = new URL(href);
    return u.pathname.startsWith('/api/open-data/') ? `${u.pathname}${u.search}` : href;
  } catch {
    return href;
  }
};

export function readCatalogue(doc: unknown, lang: string): CatalogueView {
  const c = (doc ?? {}) as Node;
  const datasets = (Array.isArray(c['dcat:dataset']) ? c['dcat:dataset'] : []) as Node[];
  return {
    title: pick(c['dct:title'], lang),
    publisher: String(((c['dct:publisher'] ?? {}) as Node)['foaf:name'] ?? ''),
    license: idOf(c['dct:license']),
    datasets: datasets.map((d) => ({
      id: String(d['dct:identifier'] ?? ''),
      title: pick(d['dct:title'], lang),
      description: pick(d['dct:description'], lang),
      frequency: lastSegment(idOf(d['dct:accrualPeriodicity'])),
      downloads: ((Array.isArray(d['dcat:distribution']) ? d['dcat:distribution'] : []) as Node[]).map((x) => ({
        title: String(x['dct:title'] ?? ''),
        href: local(idOf(x['dcat:downloadURL'])),
        mediaType: idOf(x['dcat:mediaType']).replace('https://www.iana.org/assignments/media-types/', ''),
      })),
    })),
  };
}
