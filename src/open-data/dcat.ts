import type { OpenDataDataset } from './contract.js';

const EU = 'http://publications.europa.eu/resource/authority';

/** The JSON-LD context of the catalogue: DCAT, Dublin Core terms, FOAF, vCard (DCAT-AP 2 / 3 vocabularies). */
export const DCAT_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

export interface CatalogueInput {
  baseUrl: string;
  publisher: string;
  license: string;
  minimumCount: number;
  modified: string;
  datasets: OpenDataDataset[];
}

const text = (t: { en: string; fr: string }) => [
  { '@value': t.en, '@language': 'en' },
  { '@value': t.fr, '@language': 'fr' },
];

/**
 * The catalogue in DCAT-AP, as JSON-LD: a dcat:Catalog with its publisher, licence and
 * datasets; each dcat:Dataset with title and description (en, fr), keywords, themes,
 * update frequency, publisher and contact point; each dcat:Distribution with its
 * access and download URL, media type, format and licence.
 */
export function dcatCatalogue(c: CatalogueInput): Record<string, unknown> {
  const publisher = { '@id': `${c.baseUrl}/api/open-data/catalog.jsonld#publisher`, '@type': 'foaf:Agent', 'foaf:name': c.publisher };
  const contact = {
    '@type': 'vcard:Organization',
    'vcard:fn': c.publisher,
    'vcard:hasURL': { '@id': `${c.baseUrl}/api/open-data/catalog.html` },
  };
  const license = { '@id': c.license };
  return {
    '@context': DCAT_CONTEXT,
    '@id': `${c.baseUrl}/api/open-data/catalog.jsonld`,
    '@type': 'dcat:Catalog',
    'dct:title': text({ en: `${c.publisher}: open data on public safety`, fr: `${c.publisher} : données ouvertes sur la sécurité publique` }),
    'dct:description': text({
      en: `Public alerts, citizen reports (anonymised), safety indicators, areas and public facilities published by ${c.publisher} through Vigil. No personal data; no figure rests on fewer than ${c.minimumCount} people.`,
      fr: `Alertes publiques, signalements citoyens (anonymisés), indicateurs de sécurité, quartiers et équipements publics publiés par ${c.publisher} avec Vigil. Aucune donnée personnelle ; aucun chiffre ne repose sur moins de ${c.minimumCount} personnes.`,
    }),
    'dct:publisher': publisher,
    'dct:language': [{ '@id': `${EU}/language/ENG` }, { '@id': `${EU}/language/FRA` }],
    'dct:license': license,
    'dct:modified': { '@value': c.modified, '@type': 'xsd:dateTime' },
    'foaf:homepage': { '@id': `${c.baseUrl}/api/open-data/catalog.html` },
    'dcat:themeTaxonomy': { '@id': `${EU}/data-theme` },
    'dcat:dataset': c.datasets.map((d) => ({
      '@id': `${c.baseUrl}/api/open-data/catalog.jsonld#${d.id}`,
      '@type': 'dcat:Dataset',
      'dct:identifier': d.id,
      'dct:title': text(d.title),
      'dct:description': text(d.description),
      'dcat:keyword': d.keywords.map((k) => ({ '@value': k, '@language': 'en' })),
      'dcat:theme': d.themes.map((t) => ({ '@id': `${EU}/data-theme/${t}` })),
      'dct:accrualPeriodicity': { '@id': `${EU}/frequency/${d.frequency}` },
      'dct:publisher': { '@id': publisher['@id'] },
      'dcat:contactPoint': contact,
      'dcat:landingPage': { '@id': `${c.baseUrl}/api/open-data/catalog.html#${d.id}` },
      'dcat:distribution': d.distributions.map((x) => ({
        '@id': `${c.baseUrl}/api/open-data/catalog.jsonld#${d.id}-${x.format}`,
        '@type': 'dcat:Distribution',
        'dct:title': x.title,
        'dcat:accessURL': { '@id': x.url },
        'dcat:downloadURL': { '@id': x.url },
        'dcat:mediaType': { '@id': `https://www.iana.org/assignments/media-types/${x.mediaType}` },
        'dct:format': { '@id': `${EU}/file-type/${x.fileType}` },
        'dct:license': license,
      })),
    })),
  };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const FREQUENCY: Record<OpenDataDataset['frequency'], string> = {
  CONT: 'continuously',
  DAILY: 'daily',
  MONTHLY: 'monthly',
  ANNUAL: 'yearly',
  IRREG: 'when it changes',
};

/** The human page of the catalogue: every dataset with its licence, frequency, publisher and downloads (public, no sign-in). */
export function catalogueHtml(c: CatalogueInput): string {
  const rows = c.datasets
    .map(
      (d) => `<section id="${escapeHtml(d.id)}" class="dataset">
<h2>${escapeHtml(d.title.en)} <small lang="fr">${escapeHtml(d.title.fr)}</small></h2>
<p>${escapeHtml(d.description.en)}</p>
<dl><dt>Publisher</dt><dd>${escapeHtml(c.publisher)}</dd><dt>Licence</dt><dd><a href="${escapeHtml(c.license)}">${escapeHtml(c.license)}</a></dd><dt>Updated</dt><dd>${FREQUENCY[d.frequency]}</dd><dt>Keywords</dt><dd>${d.keywords.map(escapeHtml).join(', ')}</dd></dl>
<ul class="downloads">${d.distributions.map((x) => `<li><a href="${escapeHtml(x.url)}" type="${escapeHtml(x.mediaType)}">${escapeHtml(x.title)}</a></li>`).join('')}</ul>
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(c.publisher)} — open data</title>
<link rel="alternate" type="application/ld+json" href="${escapeHtml(c.baseUrl)}/api/open-data/catalog.jsonld">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#111}h1{font-size:1.6rem}section{border-top:1px solid #ccc;padding:.5rem 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}small{color:#444;font-weight:400}a{color:#0645ad}</style>
</head><body>
<h1>${escapeHtml(c.publisher)} — open data on public safety</h1>
<p>No personal data is published, and no figure rests on fewer than ${c.minimumCount} people. The machine-readable catalogue (DCAT-AP, JSON-LD) is at <a href="${escapeHtml(c.baseUrl)}/api/open-data/catalog.jsonld">${escapeHtml(c.baseUrl)}/api/open-data/catalog.jsonld</a>.</p>
${rows}
</body></html>`;
}
