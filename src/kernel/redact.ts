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

/** The secret values of a configuration: URL passwords, the installation key. Others (derived keys) are added by whoever derives them. */
export function configuredSecrets(config: {
  secretKey: string | null;
  databaseUrl: string | null;
  natsUrl: string | null;
  mqttUrl: string | null;
  sirenMqttUrl: string | null;
  smtpUrl: string | null;
  smppUrl: string | null;
  cbcUrl: string | null;
  exchange?: { amqpUrl: string | null };
}): string[] {
  const urls = [
    config.databaseUrl,
    config.natsUrl,
    config.mqttUrl,
    config.sirenMqttUrl,
    config.smtpUrl,
    config.smppUrl,
    config.cbcUrl,
    config.exchange?.amqpUrl ?? null,
  ];
  const passwords = urls.flatMap((u) => {
    if (!u || !URL.canParse(u)) return [];
    const p = new URL(u).password;
    return p ? [p, decodeURIComponent(p)] : [];
  });
  return [...passwords, ...(config.secretKey ? [config.secretKey] : [])];
}

/** Masks secrets in log lines; more can be added as they become known (keys derived at start). */
export class SecretMasker {
  private mask: (text: string) => string;
  private readonly values: string[];

  constructor(values: readonly string[] = []) {
    this.values = [...values];
    this.mask = secretMasker(this.values);
  }

  add(...values: string[]): void {
    this.values.push(...values);
    this.mask = secretMasker(this.values);
  }

  apply(text: string): string {
    return this.mask(text);
  }
}
