import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedXml } from 'xml-crypto';

/** Another agency's CAP 1.2 alert, shaped like a national service's (placeholders: {id}, {sent}, {area}, {extra}). */
export function agencyAlert(o: { id?: string; sent?: string; area?: string; severity?: string; extraInfo?: string; sender?: string; expires?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${o.id ?? 'SV-SNET-2026-0042'}</identifier>
  <sender>${o.sender ?? 'alertas@snet.example'}</sender>
  <sent>${o.sent ?? '2026-12-04T06:00:00-06:00'}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>es-SV</language>
    <category>Met</category>
    <event>Lluvias intensas</event>
    <urgency>Expected</urgency>
    <severity>${o.severity ?? 'Moderate'}</severity>
    <certainty>Likely</certainty>
    <expires>${o.expires ?? '2099-12-05T06:00:00-06:00'}</expires>
    <senderName>Servicio Nacional de Estudios Territoriales</senderName>
    <headline>Alerta por lluvias en ${o.area ?? 'Usulután'}</headline>${o.extraInfo ?? ''}
    <area>
      <areaDesc>${o.area ?? 'Usulután'}</areaDesc>
      <polygon>13.3,-88.5 13.5,-88.5 13.5,-88.3 13.3,-88.3 13.3,-88.5</polygon>
    </area>
  </info>
</alert>
`;
}

/** A throwaway RSA key and self-signed certificate made by openssl (a real X.509 certificate, as agencies publish them). */
export function makeSigningKey(cn = 'SNET CAP signing'): { keyPem: string; certPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cap-key-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', `/CN=${cn}`], {
      stdio: 'ignore',
    });
    return { keyPem: readFileSync(join(dir, 'k.pem'), 'utf8'), certPem: readFileSync(join(dir, 'c.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The alert signed as CAP 1.2 §3.3.2.1 says: enveloped XML-DSig over the whole alert, the signature its last child. */
export function signAlert(xml: string, keyPem: string, certPem: string): string {
  const sig = new SignedXml({
    privateKey: keyPem,
    publicCert: certPem,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  sig.addReference({
    xpath: "/*[local-name(.)='alert']",
    isEmptyUri: true,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml.replace(/^<\?xml[^>]*\?>\s*/, ''), { location: { reference: "/*[local-name(.)='alert']", action: 'append' } });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${sig.getSignedXml()}`;
}
