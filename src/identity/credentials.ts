import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/**
 * Secrets handed to clients (session tokens, API keys) are random and only their
 * SHA-256 is stored: a copy of the log or database gives no usable credential.
 * Passwords are hashed with Argon2id (OWASP parameters: 19 MiB, 2 passes).
 */
export const SESSION_COOKIE = 'vigil_session';
export const API_KEY_PREFIX = 'vgk_';

export const newToken = (prefix = ''): string => prefix + randomBytes(32).toString('base64url');
export const sha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');

const ARGON2 = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, ARGON2);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A real Argon2id hash of a random password: unknown usernames take as long to refuse as known ones. */
let decoy: Promise<string> | null = null;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(randomBytes(16).toString('hex')));

export const MIN_PASSWORD_LENGTH = 10;

export function readCookie(header: string | string[] | undefined, name: string): string | null {
  const raw = Array.isArray(header) ? header.join('; ') : header;
  if (!raw) return null;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it), Secure over TLS. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export const clearedSessionCookie = (secure: boolean): string => `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
