import { authenticator } from 'otplib';
import type { RunningVigil } from '../../src/app.js';

export interface ApiResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  body: string;
}

export type ApiCall = (method: string, url: string, payload?: unknown, contentType?: string) => Promise<ApiResponse>;

/**
 * TOTP secrets this helper enrolled, per data folder and username (a node reopened on the same
 * data has the same users), and session cookies it holds, per node and username.
 */
const secretsByData = new Map<string, Map<string, string>>();
const cookies = new WeakMap<RunningVigil, Map<string, string>>();
const secretsOf = (vigil: RunningVigil): Map<string, string> => {
  const key = vigil.ctx.config.dataDir;
  let m = secretsByData.get(key);
  if (!m) secretsByData.set(key, (m = new Map()));
  return m;
};

const perNode = <T>(map: WeakMap<RunningVigil, Map<string, T>>, vigil: RunningVigil): Map<string, T> => {
  let m = map.get(vigil);
  if (!m) map.set(vigil, (m = new Map()));
  return m;
};

/** `vigil_session=…` from a reply's Set-Cookie, or null. */
export function sessionCookieOf(headers: Record<string, unknown>): string | null {
  const raw = headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  const found = all.map((c: string) => /^(vigil_session=[^;]+)/.exec(c)?.[1]).find((c) => c && c !== 'vigil_session=');
  return found ?? null;
}

/** A code of the given step offset (a code is accepted once, so a second sign-in within 30 s uses the next step's). */
const totpCode = (secret: string, stepOffset: number): string => authenticator.clone({ epoch: Date.now() + stepOffset * 30_000 }).generate(secret);

/**
 * Signs in over HTTP (cookie only) and returns the session cookie, or null when the
 * sign-in fails. A user whose roles need a second factor is enrolled with TOTP at
 * their first sign-in (the secret is kept here), later sign-ins give a code.
 */
export async function signInCookie(vigil: RunningVigil, username: string, password = 'vigil-demo'): Promise<string | null> {
  const app = vigil.server.app;
  const cacheKey = `${username}\n${password}`;
  const held = perNode(cookies, vigil).get(cacheKey);
  if (held && (await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: held } })).statusCode === 200) return held;
  const secret = secretsOf(vigil).get(username);
  let login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  for (let offset = 0; login.statusCode === 401 && secret && offset <= 1; offset++) {
    if ((login.json() as { error?: { code?: string } }).error?.code !== 'second_factor_required') break;
    login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, totp: totpCode(secret, offset) } });
  }
  let cookie = login.statusCode === 200 ? sessionCookieOf(login.headers) : null;
  if (cookie && (login.json() as { enrolmentRequired?: boolean }).enrolmentRequired) {
    const enrol = await app.inject({ method: 'POST', url: '/api/auth/totp/enroll', headers: { cookie } });
    const fresh = (enrol.json() as { secret: string }).secret;
    const confirm = await app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: { cookie }, payload: { code: totpCode(fresh, 0) } });
    secretsOf(vigil).set(username, fresh);
    cookie = confirm.statusCode === 200 ? sessionCookieOf(confirm.headers) : null;
  }
  if (cookie) perNode(cookies, vigil).set(cacheKey, cookie);
  return cookie;
}

/** Calls the node's HTTP API in-process as a demo user (or anonymously when the sign-in fails). */
export async function signedIn(vigil: RunningVigil, username: string, password = 'vigil-demo'): Promise<ApiCall> {
  const cookie = await signInCookie(vigil, username, password);
  return async (method, url, payload, contentType) => {
    const r = await vigil.server.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(cookie ? { cookie } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
      ...(payload === undefined ? {} : { payload: payload as string }),
    });
    let json: unknown = null;
    try {
      json = r.json();
    } catch {
      // not JSON (XML, Atom)
    }
    return { status: r.statusCode, json, body: r.body };
  };
}
