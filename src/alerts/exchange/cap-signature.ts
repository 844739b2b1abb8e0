import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { badRequest } from '../../kernel/errors.js';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** A key an organisation trusts to sign a sender's alerts: a PEM certificate or public key. */
export interface SignerKey {
  signerId: string;
  name: string;
  pem: string;
}

/** What was found about a document's XML signature (CAP 1.2 §3.3.2.1: enveloped, XML-DSig). */
export type SignatureCheck =
  | { status: 'unsigned' }
  | { status: 'valid'; signerId: string; signerName: string }
  /** Signed, but no key is trusted for this sender: kept, not verified. */
  | { status: 'unverified'; reason: string }
  | { status: 'invalid'; reason: string };

/** A trusted key checked and described: its SHA-256 fingerprint, subject and end of validity when a certificate. */
export function describeKey(pem: string): { fingerprint: string; subject: string | null; notAfter: string | null } {
  const text = pem.trim();
  try {
    if (text.includes('BEGIN CERTIFICATE')) {
      const cert = new X509Certificate(text);
      return { fingerprint: cert.fingerprint256, subject: cert.subject.replace(/\n/g, ', '), notAfter: new Date(cert.validTo).toISOString() };
    }
    if (text.includes('BEGIN PUBLIC KEY')) {
      const der = createPublicKey(text).export({ type: 'spki', format: 'der' });
      const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
      return { fingerprint: hex.match(/../g)!.join(':'), subject: null, notAfter: null };
    }
  } catch (error) {
    throw badRequest(`the key is not a readable PEM certificate or public key: ${(error as Error).message}`);
  }
  throw badRequest('a trusted signer is a PEM certificate (-----BEGIN CERTIFICATE-----) or public key (-----BEGIN PUBLIC KEY-----)');
}

/** Signature elements of the document: those anywhere, and whether the one that counts is the root's own child. */
function signaturesOf(xml: string): { all: Element[]; root: Element | null } {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => void (level !== 'warning' && errors.push(msg)) }).parseFromString(xml, 'text/xml');
  if (errors.length > 0 || !doc.documentElement) return { all: [], root: null };
  const all = Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'Signature'));
  const root = all.find((s) => (s.parentNode as unknown) === (doc.documentElement as unknown)) ?? null;
  return { all, root };
}

/** Whether a document carries an XML signature (cheap: looks for the namespace first). */
export function looksSigned(xml: string): boolean {
  return xml.includes(DSIG_NS) && signaturesOf(xml).all.length > 0;
}

/**
 * Verifies an enveloped XML signature against the keys trusted for the sender. The
 * signature must be the alert's own child, alone, and sign the whole document (one
 * reference, URI ""); `signed` is the XML that was signed (canonical form), for the
 * caller to read the alert from — never nodes of the document, which could carry
 * unsigned additions (signature wrapping).
 */
export function verifyCapSignature(xml: string, keys: readonly SignerKey[]): SignatureCheck & { signed?: string } {
  const { all, root } = signaturesOf(xml);
  if (all.length === 0) return { status: 'unsigned' };
  if (all.length > 1) return { status: 'invalid', reason: `${all.length} signatures: a CAP alert carries one, as the last child of <alert>` };
  if (!root) return { status: 'invalid', reason: 'the signature is not a child of <alert> (CAP 1.2 §3.3.2.1: enveloped)' };
  if (keys.length === 0) return { status: 'unverified', reason: 'signed, but no trusted signer is registered for this sender' };
  let lastReason = '';
  for (const key of keys) {
    const sig = new SignedXml({ publicCert: key.pem, getCertFromKeyInfo: () => null });
    try {
      sig.loadSignature(root as never);
      const refs = sig.getReferences();
      if (refs.length !== 1 || (refs[0]!.uri ?? '') !== '') {
        return { status: 'invalid', reason: 'the signature must sign the whole alert (one reference with URI "")' };
      }
      if (sig.checkSignature(xml)) {
        const signed = sig.getSignedReferences()[0];
        if (!signed) return { status: 'invalid', reason: 'the signature verified but signed nothing' };
        return { status: 'valid', signerId: key.signerId, signerName: key.name, signed };
      }
      lastReason = `does not verify with ${key.name}`;
    } catch (error) {
      lastReason = `does not verify with ${key.name}: ${(error as Error).message.slice(0, 200)}`;
    }
  }
  return { status: 'invalid', reason: `the signature ${lastReason}` };
}
