import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files of a test certificate authority and what it signed (openssl, EC P-256, one day). */
export interface TestPki {
  caFile: string;
  ca: Buffer;
  /** A server certificate for localhost / 127.0.0.1 signed by the CA. */
  serverCert: Buffer;
  serverKey: Buffer;
  /** A client certificate with this common name, signed by the CA (or by `otherCa` when asked). */
  client(cn: string, options?: { untrusted?: boolean }): { cert: Buffer; key: Buffer };
  /** The CA's certificate revocation list (PEM, made by `openssl ca -gencrl`) revoking these certificates. */
  crl(revoked: Buffer[]): Buffer;
}

const openssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });

/**
 * A self-signed certificate (openssl, EC P-256, one day) of `subject` (`/CN=…`) written to `certFile`, its
 * key to `keyFile`; `extensions` are added as they are (`subjectAltName=…`).
 */
export function selfSignedCert(keyFile: string, certFile: string, subject: string, ...extensions: string[]): void {
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    subject,
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
}

function newCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  selfSignedCert(key, cert, `/CN=${name}`);
  return { cert, key };
}

function signed(dir: string, ca: { cert: string; key: string }, name: string, cn: string, ext: string): { cert: Buffer; key: Buffer } {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '1', '-extfile', extFile]);
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

/** A CA, a server certificate for loopback, and client certificates on demand, in `dir`. */
export function testPki(dir: string): TestPki {
  const ca = newCa(dir, 'test-ca');
  const other = newCa(dir, 'other-ca');
  const server = signed(dir, ca, 'server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  let n = 0;
  return {
    caFile: ca.cert,
    ca: readFileSync(ca.cert),
    serverCert: server.cert,
    serverKey: server.key,
    client: (cn, options = {}) => signed(dir, options.untrusted ? other : ca, `client-${++n}`, cn, 'extendedKeyUsage=clientAuth\n'),
    crl: (revoked) => {
      // A fresh `openssl ca` database each time: the list revokes exactly `revoked`.
      const db = mkdtempSync(join(dir, 'crl-'));
      const config = join(db, 'ca.cnf');
      writeFileSync(join(db, 'index.txt'), '');
      writeFileSync(join(db, 'crlnumber'), '01\n');
      writeFileSync(
        config,
        `[ca]\ndefault_ca = test\n[test]\ndatabase = ${join(db, 'index.txt')}\ncrlnumber = ${join(db, 'crlnumber')}\ndefault_md = sha256\ndefault_crl_days = 1\n`,
      );
      const keys = ['-config', config, '-keyfile', ca.key, '-cert', ca.cert];
      revoked.forEach((cert, i) => {
        const file = join(db, `revoked-${i}.pem`);
        writeFileSync(file, cert);
        openssl(['ca', ...keys, '-revoke', file]);
      });
      const out = join(db, 'crl.pem');
      openssl(['ca', ...keys, '-gencrl', '-out', out]);
      return readFileSync(out);
    },
  };
}
