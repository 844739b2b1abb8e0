import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dcatCatalogue } from '../../src/open-data/dcat.js';
import { readCatalogue } from '../../web/src/citizen/open-data.js';

test("the citizen app reads the DCAT-AP catalogue: titles in the reader's language, frequency, downloads by path", () => {
  const doc = dcatCatalogue({
    baseUrl: 'https://vigil.example.mc',
    publisher: 'Mairie de Monaco',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    minimumCount: 5,
    modified: '2026-12-04T20:00:00.000Z',
    datasets: [
      {
        id: 'citizen-reports',
        title: { en: 'Citizen reports (anonymised)', fr: 'Signalements citoyens (anonymisés)' },
        description: { en: 'Counts per neighbourhood', fr: 'Nombres par quartier' },
        keywords: ['reports'],
        frequency: 'DAILY',
        themes: ['JUST'],
        distributions: [
          {
            format: 'csv',
            title: 'CSV',
            mediaType: 'text/csv',
            fileType: 'CSV',
            url: 'https://vigil.example.mc/api/open-data/datasets/citizen-reports.csv',
          },
          { format: 'cap-atom', title: 'Elsewhere', mediaType: 'application/atom+xml', fileType: 'ATOM', url: 'https://other.example.org/feed' },
        ],
      },
    ],
  });
  const fr = readCatalogue(JSON.parse(JSON.stringify(doc)), 'fr');
  assert.equal(fr.publisher, 'Mairie de Monaco');
  assert.equal(fr.license, 'https://creativecommons.org/licenses/by/4.0/');
  assert.deepEqual(fr.datasets[0], {
    id: 'citizen-reports',
    title: 'Signalements citoyens (anonymisés)',
    description: 'Nombres par quartier',
    frequency: 'DAILY',
    downloads: [
      { title: 'CSV', href: '/api/open-data/datasets/citizen-reports.csv', mediaType: 'text/csv' },
      { title: 'Elsewhere', href: 'https://other.example.org/feed', mediaType: 'application/atom+xml' },
    ],
  });
  assert.equal(readCatalogue(doc, 'de').datasets[0]!.title, 'Citizen reports (anonymised)', 'English when the language is not there');
  assert.deepEqual(readCatalogue(null, 'en').datasets, [], 'nothing read from nothing');
});
