import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openVigil } from '../app.js';
import type { VigilConfig } from '../kernel/config.js';
import { VigilError } from '../kernel/errors.js';

/**
 * `vigil vuln import [PATH]`: CVE JSON 5 records and the CISA KEV catalogue a city downloaded
 * (a folder with cve/*.json and kev/known_exploited_vulnerabilities.json, a folder of records,
 * or one file), offline; default VIGIL_VULN_DATA_DIR. Records already held unchanged are skipped.
 */
export async function vulnImportCommand(config: VigilConfig, path: string | undefined): Promise<number> {
  const source = path ? resolve(path) : config.vulnDataDir;
  if (!source || !existsSync(source))
    throw new VigilError('bad_request', `no vulnerability data at ${source ?? '(none: give a PATH or set VIGIL_VULN_DATA_DIR)'}`);
  const vigil = await openVigil({ ...config, demoOnEmpty: false });
  try {
    const r = await vigil.capabilities.deviceSecurity.service.importPath(source, 'system:cli');
    console.log(
      `${r.cves} CVE record(s) imported (${r.unchanged} unchanged), ${r.kev} KEV entries; catalogue: ${r.catalogue.cves} records, KEV ${r.catalogue.kevVersion ?? 'none'} (${r.catalogue.kev})`,
    );
    return 0;
  } finally {
    await vigil.close();
  }
}
