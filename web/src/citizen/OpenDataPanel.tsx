import { useEffect, useState } from 'react';
import { useT } from '../i18n.js';
import { readCatalogue, type CatalogueView } from './open-data.js';
import { errorText } from '../errors.js';

const FREQUENCY_TEXT: Record<string, string> = {
  CONT: 'Updated continuously',
  DAILY: 'Updated daily',
  MONTHLY: 'Updated monthly',
  ANNUAL: 'Updated yearly',
  IRREG: 'Updated irregularly',
};

/** The city's open data: every dataset it publishes, what it holds, how often it changes, and its downloads. */
export function OpenDataPanel({ lang }: { lang: string }) {
  const t = useT();
  const [catalogue, setCatalogue] = useState<CatalogueView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/api/open-data/catalog.jsonld')
      .then(async (res) => {
        if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
        setCatalogue(readCatalogue(await res.json(), lang.slice(0, 2)));
      })
      .catch((e: unknown) => setError(errorText(t, e)));
  }, [lang, t]);
  return (
    <section className="citizen-open-data" data-testid="open-data" data-loaded={catalogue ? 'true' : 'false'}>
      <h2>{t('Open data')}</h2>
      <p className="small">
        {t(
          'The data the city publishes about public safety, free to reuse. Nothing in it names a person, and no figure rests on so few people that one could be recognised.',
        )}
      </p>
      {error && (
        <p className="error" role="alert">
          {t('The open data cannot be loaded')}: {error}
        </p>
      )}
      {catalogue && (
        <>
          <p className="small muted">
            {catalogue.publisher} ·{' '}
            <a href={catalogue.license} rel="license">
              {t('Licence')}
            </a>{' '}
            ·{' '}
            <a href="/api/open-data/catalog.jsonld" type="application/ld+json">
              {t('Catalogue (DCAT-AP, JSON-LD)')}
            </a>
          </p>
          <ul className="open-datasets">
            {catalogue.datasets.map((d) => (
              <li key={d.id} data-testid="open-dataset">
                <h3>{d.title}</h3>
                <p className="small">{d.description}</p>
                <p className="small muted">{t(FREQUENCY_TEXT[d.frequency] ?? 'Updated irregularly')}</p>
                <p className="downloads">
                  {d.downloads.map((x) => (
                    <a key={x.href} href={x.href} download className="download" data-media-type={x.mediaType}>
                      {t('Download')} {x.title}
                    </a>
                  ))}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
