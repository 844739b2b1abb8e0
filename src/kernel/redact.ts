/**
 * Secrets never reach the logs: the password (and a token-like username) of a URL is
 * replaced, wherever it appears in a log line, and every configured secret value is
 * masked as a last line of defence (src/app.ts installs both on the logger).
 */
export const REDACTED = '***';

/** A URL with its password replaced (`mqtt://vigil:***@broker:1883`); not a URL: returned as is. */
export function redactUrl(url: string): string {
  return redactUrlsIn(url);
}

// scheme://user:password@ — the password ends at the last '@' before the host, without a '/' or space in between.
const CREDENTIALS_IN_URL = /([a-z][a-z0-9+.-]*:\/\/)([^\s/:@"'\\]*):([^\s/"'\\]*)@/gi;

/** Every `scheme://user:password@` in a text with its password replaced. */
export function redactUrlsIn(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
}

/** A function that masks these secret values (at least 6 characters: shorter ones would mask ordinary words) and URL credentials in a text. */
export function secretMasker(secrets: readonly (string | null | undefined)[]): (text: string) => string {
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = redactUrlsIn(text);
    for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };
}
