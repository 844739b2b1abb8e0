import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedXml } from 'xml-crypto';

/** Another agency's CAP 1.2 alert, shaped like a national service's (placeholders: {id}, {sent}, {area}, {extra}). */
export function agencyAlert(
  o: { id?: string; sent?: string; area?: string; severity?: string; extraInfo?: string; sender?: string; expires?: string } = {},
): string {
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
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', `/CN=${cn}`],
      {
        stdio: 'ignore',
      },
    );
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

/** A local agency: an Atom index (as MeteoAlarm and the NWS publish) linking CAP documents, with ETag. */
export function agencyServer(): {
  url: () => string;
  close: () => Promise<void>;
  state: { alerts: string[]; conditionalHits: number; fail: boolean; requests: number };
} {
  const state = { alerts: ['FEED-1', 'FEED-2'], conditionalHits: 0, fail: false, requests: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests++;
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (state.fail) return void res.writeHead(503, { 'retry-after': '120' }).end('maintenance');
    if (req.url === '/atom') {
      const etag = `"${state.alerts.join('-')}"`;
      if (req.headers['if-none-match'] === etag) {
        state.conditionalHits++;
        return void res.writeHead(304).end();
      }
      const entries = state.alerts
        .map(
          (id) => `  <entry>
    <id>urn:snet:${id}</id>
    <title>Lluvias intensas</title>
    <updated>2026-12-04T12:00:00Z</updated>
    <link rel="alternate" type="application/cap+xml" href="/cap/${id}.xml"/>
    <cap:event>Lluvias intensas</cap:event>
    <cap:severity>Moderate</cap:severity>
  </entry>`,
        )
        .join('\n');
      return void res
        .writeHead(200, { 'content-type': 'application/atom+xml', etag })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">\n  <id>${base}/atom</id>\n  <title>SNET alerts</title>\n  <updated>2026-12-04T12:00:00Z</updated>\n${entries}\n</feed>\n`,
        );
    }
    const m = /^\/cap\/([A-Z0-9-]+)\.xml$/.exec(req.url ?? '');
    if (m) return void res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(agencyAlert({ id: m[1]!, area: `Zona ${m[1]}` }));
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  return {
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
    state,
  };
}
