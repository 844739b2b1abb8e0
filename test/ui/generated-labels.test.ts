import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partsOf, sitePlace, wordLabel, type Site } from '../../src/city/contract.js';
import { generateDemoDevices } from '../../src/demo/demo-devices.js';
import { indexDirectory } from '../../src/directory/contract.js';
import { labelWords, localName } from '../../web/src/generated-labels.js';
import en from '../../web/src/locales/en.json' with { type: 'json' };
import fr from '../../web/src/locales/fr.json' with { type: 'json' };

const french = (k: string): string => (fr as Record<string, string>)[k] ?? k;
const english = (k: string): string => (en as Record<string, string>)[k] ?? k;

/** A small city: named public buildings, and unnamed buildings with neither name nor address (their name is made up). */
function sites(): Site[] {
  const site = (n: number, over: Partial<Site>): Site => ({
    id: `site:${String(n).padStart(3, '0')}`,
    name: null,
    category: 'building',
    position: [7.42 + n * 0.001, 43.73 + (n % 7) * 0.001],
    footprintM2: null,
    levels: null,
    address: null,
    areaId: 'area:fontvieille',
    buildingType: 'yes',
    residents: null,
    source: 'test',
    ...over,
  });
  return [
    site(1, { name: 'École Saint-Charles', category: 'school' }),
    site(2, { name: 'Hôtel Hermitage', category: 'hotel' }),
    site(3, { name: 'Stade Louis II', category: 'public-venue' }),
    ...Array.from({ length: 40 }, (_, k) => site(10 + k, k % 3 === 0 ? { address: `${k} boulevard Rainier III` } : {})),
  ];
}

test('generated device and site names: stored in English as before, said in French from their parts', () => {
  const { devices } = generateDemoDevices(sites(), { marc: 'org_marc', city: 'org_city', police: 'org_police' }, 7, () => 'Fontvieille');
  assert.ok(devices.length > 40);
  for (const d of devices) {
    assert.ok(d.labelParts, `${d.id} has its parts`);
    // The stored label is the English the parts make, and the English locale says the same.
    assert.equal(wordLabel(d.labelParts), d.label);
    assert.equal(localName(english, d.label, d.labelParts), d.label, d.label);
    const inFrench = localName(french, d.label, d.labelParts);
    assert.doesNotMatch(
      inFrench,
      /\b(?:Siren|Panel|Site camera|Noise sensor|cell site|sector|Water level|building in|school|detector|camera|loudspeaker)\b/,
      inFrench,
    );
  }
  const said = (kind: string) => devices.filter((d) => d.kind === kind).map((d) => localName(french, d.label, d.labelParts));
  assert.ok(said('siren').every((l) => /^Sirène — /.test(l)));
  assert.ok(
    said('siren').some((l) => l.includes('bâtiment à Fontvieille')),
    said('siren').join(' | '),
  );
  assert.ok(
    said('alarm-panel').includes(`Centrale ${devices.find((d) => d.siteId === 'site:001' && d.kind === 'alarm-panel')!.account} — École Saint-Charles`),
  );
  assert.ok(said('camera').includes('Caméra du site — École Saint-Charles'));
  assert.ok(
    said('noise-sensor').every((l) => /^Sonomètre \(dB\(A\)\) — (Sirène|haut-parleur) — /.test(l)),
    said('noise-sensor').join(' | '),
  );
  assert.ok(said('cell-site').every((l) => /^Site cellulaire DÉMO \(fictif\) \d, secteur \d — /.test(l)));
  assert.ok(said('water-level-sensor').every((l) => /^Sonde de niveau d’eau — /.test(l)));
  assert.ok(said('loudspeaker').includes('haut-parleur — Stade Louis II'));

  // A label renamed since (a person's name for it): said as it is, in every language.
  const siren = devices.find((d) => d.kind === 'siren')!;
  assert.equal(partsOf('Sirène du port', siren.labelParts), null);
  assert.equal(localName(french, 'Sirène du port', siren.labelParts), 'Sirène du port');
});

test('the directory says generated names in the reader’s language; a site’s own name and address as they are', () => {
  const unnamed = sitePlace({ name: null, address: null, category: 'place-of-worship' }, 'Monaco-Ville');
  assert.equal(unnamed.name, 'place of worship in Monaco-Ville');
  assert.equal(sitePlace({ name: null, address: '1 rue Grimaldi', category: 'building' }, 'Condamine').parts, null);
  const siren = { template: 'Siren — {where}', params: { where: { label: unnamed.parts! } } };
  const dir = indexDirectory(
    {
      users: [],
      orgs: [],
      sites: [
        { id: 'site:1', name: unnamed.name, orgId: null, parts: unnamed.parts! },
        { id: 'site:2', name: 'Hôtel Hermitage', orgId: null },
      ],
      devices: [{ id: 'dev:siren:1', name: wordLabel(siren), orgId: 'org_city', parts: siren }],
      units: [],
      incidents: [],
    },
    (parts) => wordLabel(parts, labelWords(french)),
  );
  assert.equal(dir.site('site:1'), 'lieu de culte à Monaco-Ville');
  assert.equal(dir.site('site:2'), 'Hôtel Hermitage');
  assert.equal(dir.device('dev:siren:1'), 'Sirène — lieu de culte à Monaco-Ville');
});
