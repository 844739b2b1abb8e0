import type { RunningVigil } from '../../src/app.js';

export interface ApiResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  body: string;
}

export type ApiCall = (method: string, url: string, payload?: unknown, contentType?: string) => Promise<ApiResponse>;

/** Calls the node's HTTP API in-process as a demo user (or anonymously when the sign-in fails). */
export async function signedIn(vigil: RunningVigil, username: string, password = 'vigil-demo'): Promise<ApiCall> {
  const login = await vigil.server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const token = (login.json() as { token?: string }).token;
  return async (method, url, payload, contentType) => {
    const r = await vigil.server.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
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
