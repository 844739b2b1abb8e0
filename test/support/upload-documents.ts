/*
 * Max-size uploads for the tests and the bench of the upload readers (test/heavy/uploads-off-thread.test.ts,
 * bench/uploads.bench.ts): a CycloneDX SBOM and a STIX indicator bundle of a chosen size.
 */

/** A CycloneDX 1.6 JSON SBOM of `n` components, each padded by `pad` characters of description. */
export function bigSbom(n: number, pad: number, firmware = '9.9.9'): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    metadata: { component: { type: 'firmware', name: 'Test siren controller', version: firmware, manufacturer: { name: 'Test Vendor' } } },
    components: Array.from({ length: n }, (_, i) => ({
      type: 'library',
      'bom-ref': `lib-${i}`,
      name: `libtest${i}`,
      version: `1.${i % 50}.${i % 7}`,
      purl: `pkg:generic/libtest${i}@1.${i % 50}.${i % 7}`,
      description: 'x'.repeat(pad),
    })),
  });
}

/**
 * A STIX 2.1 bundle of `n` (up to 65 536) indicators of IPv4 addresses 10.`run`.x.y, each padded by `pad`
 * characters of description; another `run` gives other indicator ids and addresses.
 */
export function bigBundle(n: number, pad: number, run = 0): Record<string, unknown> {
  return {
    type: 'bundle',
    id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
    objects: Array.from({ length: n }, (_, i) => ({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${String(i).padStart(8, '0')}-0000-4000-8000-${String(run).padStart(12, '0')}`,
      name: `Bad host ${i}`,
      description: 'y'.repeat(pad),
      pattern: `[ipv4-addr:value = '10.${run}.${(i >> 8) & 255}.${i & 255}']`,
      pattern_type: 'stix',
      valid_from: '2026-01-01T00:00:00Z',
    })),
  };
}
