import { createECDH, createPublicKey, createVerify, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, createServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCert } from './tls-certs.js';

// http_ece (RFC 8188) decrypts like a browser would; it comes with web-push.
const ece = createRequire(import.meta.url)('http_ece') as { decrypt(buffer: Buffer, params: Record<string, unknown>): Buffer };

/**
 * A push service on loopback over HTTPS (a throwaway certificate made with openssl):
 * stores what it is sent, answers `status()`. `caFile` holds its certificate for
 * VIGIL_PUSH_CA_FILE; `agent` trusts it for an adapter built in a test.
 */
export async function pushService(status: (request: { path: string; headers: IncomingHttpHeaders; body: Buffer }) => number = () => 201) {
  const certDir = mkdtempSync(join(tmpdir(), 'vigil-push-tls-'));
  selfSignedCert(join(certDir, 'key.pem'), join(certDir, 'cert.pem'), '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1');
  const tls = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
  rmSync(join(certDir, 'key.pem'));
  const caFile = join(certDir, 'cert.pem');
  const received: { path: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(request);
      res.writeHead(status(request)).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    agent: new Agent({ ca: tls.cert }),
    caFile,
    received,
    close: () =>
      new Promise<void>((r) =>
        server.close(() => {
          rmSync(certDir, { recursive: true, force: true });
          r();
        }),
      ),
  };
}

/** The browser's side of a push subscription: its P-256 key pair and auth secret, and the decryption it does. */
export function browserPushKeys(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    subscription: { endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } },
    decrypt: (body: Buffer): string => ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString(),
  };
}

/**
 * What a push service checks of a sender (RFC 8292): `Authorization: vapid t=<JWT>, k=<key>`,
 * an ES256 JWT signed by that key, for this service's origin, not expired nor valid for more
 * than 24 h, with a contact. Null when it holds, else why not.
 */
export function vapidProblem(headers: IncomingHttpHeaders, origin: string, now = Date.now()): string | null {
  const m = /^vapid t=([^,]+), k=(\S+)$/.exec(String(headers.authorization ?? ''));
  if (!m) return 'no vapid authorization';
  const [h, p, sig] = m[1]!.split('.');
  if (!h || !p || !sig) return 'not a JWT';
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; typ?: string };
  if (header.alg !== 'ES256') return `alg ${header.alg}`;
  const raw = Buffer.from(m[2]!, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) return 'k is not an uncompressed P-256 point';
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  if (!createVerify('SHA256').update(`${h}.${p}`).verify({ key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'))) return 'bad signature';
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { aud?: string; exp?: number; sub?: string };
  if (claims.aud !== origin) return `aud ${claims.aud} is not ${origin}`;
  const exp = (claims.exp ?? 0) * 1000;
  if (exp <= now || exp > now + 24 * 3_600_000 + 60_000) return `exp ${claims.exp} out of range`;
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) return 'no contact in sub';
  return null;
}
