import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { VigilError } from './errors.js';
import { checkTuning } from './tuning.js';

/**
 * All runtime configuration comes from VIGIL_* environment variables (12-factor),
 * read and validated once at start-up. A bad value stops start-up with a message
 * that names the variable, rather than failing later under load.
 */
export interface VigilConfig {
  port: number;
  /** Address of the HTTP API and web UI (VIGIL_HOST); loopback unless configured. */
  host: string;
  dataDir: string;
  /** postgres://… selects the PostgreSQL store; unset selects embedded SQLite in dataDir. */
  databaseUrl: string | null;
  /** nats://… selects NATS JetStream for the event stream; unset selects in-process. */
  natsUrl: string | null;
  /** Node name, used for consumer identities and metrics labels when several nodes run. */
  nodeId: string;
  /** The OSM extract the demo city is built from. */
  demoOsmFile: string;
  /** The OSM extract the road graphs are built from (VIGIL_ROUTING_OSM; default: the imported city's, else the demo extract; 'off' disables routing). */
  routingOsmFile: string | null;
  /** VIGIL_ROUTING_OSM unset: the road graphs follow the imported city's extract, `routingOsmFile` only until a city is imported. */
  routingOsmFollowsCity: boolean;
  /** Load the demo city, organisations and users when the store is empty. */
  demoOnEmpty: boolean;
  /** The demo's SMTP sink and SMSC on loopback (src/demo/demo-sinks.ts): auto (a demo folder on loopback), or forced on/off (VIGIL_DEMO_SINKS). */
  demoSinks: 'auto' | 'true' | 'false';
  /** Password given to demo users (printed at start-up, never stored in clear). */
  demoPassword: string;
  /** Seed the demo's published password into a PostgreSQL store too (a test cluster on loopback); off by default. */
  demoAllowDatabase: boolean;
  timeZone: string;
  /** CAP <sender> of the alerts this installation issues (an address that identifies the issuing authority). */
  capSender: string;
  /** SMTP server for the e-mail channel (smtp:// or smtps://, credentials in the URL); null: e-mail is unavailable. */
  smtpUrl: string | null;
  smtpFrom: string;
  /** SMSC for the SMS channel: smpp://system_id:password@host:2775; null: SMS is unavailable. */
  smppUrl: string | null;
  /** PEM file of the CA that signed the SMSC's certificate (VIGIL_SMPP_CA_FILE), for smpps:// when it is not a public CA. */
  smppCaFile: string | null;
  smsSender: string;
  /** Extra CA certificates (PEM file) trusted for Web Push services, e.g. a push relay of a closed network; null: public CAs only. */
  pushCaFile: string | null;
  /** Hosts Web Push endpoints may name (VIGIL_PUSH_HOSTS, comma-separated, '*.' for a domain); null: the known push services. */
  pushHosts: string[] | null;
  /** Cell Broadcast Centre the cell-broadcast channel hands its messages to (http/https); null: unavailable. */
  cbcUrl: string | null;
  /** Whether organisations' webhooks may target loopback/private/link-local addresses (an on-premises hub); off by default against SSRF. */
  webhookAllowPrivate: boolean;
  /** Waits before retrying a cell-broadcast request (ms); one attempt more than there are waits. */
  deliveryBackoffMs: number[];
  /** Waits between attempts of a webhook delivery, event and CAP webhooks alike (ms); after the last one it is recorded as failed. */
  webhookRetryMs: number[];
  /** How often the leader looks for other agencies' CAP feeds that are due (VIGIL_CAP_FEED_TICK_MS). */
  capFeedTickMs: number;
  /** How often the leader looks for personal notices due (a report resolved, a consultation decided; VIGIL_NOTICE_TICK_MS). */
  noticeTickMs: number;
  /** Waits between attempts of a personal notice (ms); after the last one it is recorded as failed for good (VIGIL_NOTICE_RETRY_MS). */
  noticeRetryMs: number[];
  /** Broker the sirens and loudspeakers listen on; defaults to VIGIL_MQTT_URL, else the embedded broker. */
  sirenMqttUrl: string | null;
  /** Commands go to <prefix>/<deviceId>/command. */
  sirenTopicPrefix: string;
  /** How devices and people reach this node (links in messages, voice files for loudspeakers). */
  publicUrl: string | null;
  bodyLimitBytes: number;
  maxWebSocketClients: number;
  /** Most concurrent HTTP connections per node; beyond it new connections are refused. */
  maxConnections: number;
  sessionTtlSeconds: number;
  /** Reverse proxies whose X-Forwarded-* headers are believed (VIGIL_TRUST_PROXY: addresses/CIDRs, comma-separated); empty: none. */
  trustProxy: string[];
  /** PEM certificate chain and key files: the HTTP listener serves HTTPS when both are given (VIGIL_TLS_CERT, VIGIL_TLS_KEY). */
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SQLite durability: FULL fsyncs every group commit (survives power loss), NORMAL survives process crashes. */
  sqliteSynchronous: 'FULL' | 'NORMAL';
  webDistDir: string;
  /** Offline vulnerability data (CVE JSON 5 records, CISA KEV) the demo imports and `vigil vuln import` reads by default (VIGIL_VULN_DATA_DIR); null when absent. */
  vulnDataDir: string | null;
  /** SIA DC-09 receiver port (TCP and UDP); 0 picks free ports; null disables the receiver. */
  dc09Port: number | null;
  /** Address of the DC-09 receiver (VIGIL_DC09_HOST); loopback unless configured: a monitoring centre sets it to receive panels. */
  dc09Host: string;
  /** mqtt://… broker whose sensor messages are ingested; null disables MQTT ingest. */
  mqttUrl: string | null;
  mqttTopic: string;
  /** Topic filter of units' AVL positions; the '+' level is the unit id. */
  unitsMqttTopic: string;
  /** Window over which people counts are gathered into one event per crowd zone (ms). */
  crowdWindowMs: number;
  /** Port of the embedded MQTT broker used when no VIGIL_MQTT_URL is set; null disables it. */
  mqttEmbeddedPort: number | null;
  /** Address of the embedded MQTT broker (VIGIL_MQTT_EMBEDDED_HOST); loopback unless configured: it accepts anonymous clients. */
  mqttEmbeddedHost: string;
  /** PEM files of the embedded broker's mqtts listener (VIGIL_MQTT_TLS_CERT/KEY); with them plain MQTT stays on loopback. */
  mqttTlsCert: string | null;
  mqttTlsKey: string | null;
  /** Port of the mqtts listener (VIGIL_MQTT_TLS_PORT, default 8883; 0 picks a free port). */
  mqttTlsPort: number;
  /** PEM file of the CA of device client certificates on the mqtts listener (VIGIL_MQTT_CLIENT_CA); CN `device:<id>`. */
  mqttClientCa: string | null;
  /** PEM file of that CA's certificate revocation list (VIGIL_MQTT_CLIENT_CRL), reloaded when it changes. */
  mqttClientCrl: string | null;
  /** How often the CRL file is checked for a change (VIGIL_MQTT_CLIENT_CRL_POLL_MS, default 5 000). */
  mqttClientCrlPollMs: number;
  /** How long a siren or loudspeaker has to acknowledge a command before it is reported (VIGIL_SIREN_ACK_TIMEOUT_MS). */
  sirenAckTimeoutMs: number;
  /** 64 hex characters; null: a key file in the data folder (one machine). */
  secretKey: string | null;
  /**
   * Days each class of personal data is kept after its key was last used (VIGIL_RETENTION_<CLASS>_DAYS);
   * 0 keeps it until the person is erased (docs/privacy.md).
   */
  retentionDays: { caller: number; attachment: number; avl: number; answer: number; subscriber: number; reporter: number; participant: number };
  /** How often the retention job shreds expired keys on the leading node (VIGIL_RETENTION_EVERY_MINUTES). */
  retentionEveryMs: number;
  /** Most concurrent panel connections on the DC-09 TCP port. */
  dc09MaxConnections: number;
  /** DC-09 frames a second one source address may send (VIGIL_DC09_FRAMES_PER_SOURCE; burst twice that; 0 = unlimited). */
  dc09FramesPerSource: number;
  /** Open DC-09 TCP connections per source address (VIGIL_DC09_CONNECTIONS_PER_SOURCE). */
  dc09ConnectionsPerSource: number;
  /** Public subscriptions from one address (IPv4, or IPv6 /64) per 10 minutes, per node. */
  subscribePerIp: number;
  /** Public subscription updates ("I am here now", preferences, unsubscribe) from one address per 10 minutes, per node. */
  subscriberUpdatesPerIp: number;
  /** Citizen reports (Open311 POST) from one address (IPv4, or IPv6 /64) per hour, per node (VIGIL_REPORTS_PER_IP). */
  reportsPerIp: number;
  /** Citizen reports from one device (Open311 device_id) per hour, per node (VIGIL_REPORTS_PER_DEVICE). */
  reportsPerDevice: number;
  /** Open311 jurisdiction_id of this installation (VIGIL_OPEN311_JURISDICTION). */
  open311Jurisdiction: string;
  /** Open data: the least number of people (reports, incidents, residents) behind any published figure, k ≥ 5 (VIGIL_OPEN_DATA_MIN_COUNT). */
  openDataMinCount: number;
  /** Open data: the licence of the published datasets, a URI (VIGIL_OPEN_DATA_LICENSE; CC BY 4.0 by default). */
  openDataLicense: string;
  /** Open311 api_keys of the apps allowed to post, `name=key` comma-separated (VIGIL_OPEN311_API_KEYS); the citizen app's own key is always accepted. */
  open311ApiKeys: Record<string, string>;
  /** The CSIRT desk's syslog listeners (src/csirt): each off unless its port is set. */
  syslog: SyslogConfig;
  /** The AMQP link to a partner agency's hub (src/exchange, docs/exchange.md); amqpUrl null: no link. */
  exchange: ExchangeConfig;
}

/** Syslog intake (VIGIL_SYSLOG_*): UDP, TCP and TLS ports (null: off), bind address, limits. */
export interface SyslogConfig {
  host: string;
  udpPort: number | null;
  tcpPort: number | null;
  tlsPort: number | null;
  tlsCert: string | null;
  tlsKey: string | null;
  maxMessageBytes: number;
  maxConnections: number;
  /** Messages a second one source address may send (more are counted and dropped). */
  perSourcePerSecond: number;
}

/** VIGIL_EXCHANGE_*: the AMQP link to a partner agency's hub. */
export interface ExchangeConfig {
  /** VIGIL_EXCHANGE_AMQP_URL (amqp: or amqps:); null: no link. */
  amqpUrl: string | null;
  /** This node's agency id on the hub, the EDXL-DE senderID (VIGIL_EXCHANGE_AGENCY). */
  agency: string;
  /** The partner agency's id on the hub, the EDXL-DE recipient (VIGIL_EXCHANGE_PARTNER). */
  partner: string | null;
  /** The organisation (name or id) standing for the partner here: incidents shared with it go out, its messages come in as its incidents (VIGIL_EXCHANGE_PARTNER_ORG). */
  partnerOrg: string | null;
  /** The AMQP topic exchange both agencies use (VIGIL_EXCHANGE_AMQP_EXCHANGE). */
  amqpExchange: string;
  /** How envelopes are written: EDXL-DE JSON (the hubs' form) or XML (VIGIL_EXCHANGE_FORMAT). */
  format: 'json' | 'xml';
  /** First wait before a message the partner has not acknowledged is sent again; doubles up to 10 min (VIGIL_EXCHANGE_RETRY_MS, default 30 s). */
  retryMs: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new VigilError('bad_request', `${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new VigilError('bad_request', `${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function backoff(env: Env, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (!raw) return fallback;
  const waits = raw.split(',').map((x) => Number(x.trim()));
  if (waits.length > 10 || waits.some((w) => !Number.isInteger(w) || w < 0 || w > 3_600_000))
    throw new VigilError('bad_request', `${name} is a comma-separated list of at most 10 waits in ms`);
  return waits;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (!raw) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new VigilError('bad_request', `${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new VigilError('bad_request', `${name} must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

function flag(raw: string | undefined): boolean {
  return ['1', 'true', 'yes'].includes((raw ?? '').toLowerCase());
}

/** Every listener binds here unless configured: nothing is reachable from the network by accident. */
export const LOOPBACK = '127.0.0.1';

/** The demo users' password when VIGIL_DEMO_PASSWORD is not set; it is in the README, so anyone knows it. */
export const DEMO_PUBLISHED_PASSWORD = 'vigil-demo';

/** Whether a listen address is reachable only from this machine: 127.0.0.0/8, ::1 (also IPv4-mapped) or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  const octets = v4.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/** The address a local client dials to reach a listener bound to `host` (a wildcard bind is reached on loopback). */
export function localDialHost(host: string): string {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  if (h === '0.0.0.0' || h === '' || h === '::' || h === '0:0:0:0:0:0:0:0') return LOOPBACK;
  return h.includes(':') ? `[${h}]` : h;
}

/** Root of the repository (src/kernel/../..), used to find bundled assets. */
export const repoRoot = resolve(new URL('.', import.meta.url).pathname, '..', '..');

const DAYS_MAX = 36_500;

export function loadConfig(env: Env = process.env): VigilConfig {
  // Pool sizes and limits are read where they are used; a bad one stops the start here, by name.
  checkTuning(env);
  return {
    retentionDays: {
      caller: int(env, 'VIGIL_RETENTION_CALLER_DAYS', 90, 0, DAYS_MAX),
      attachment: int(env, 'VIGIL_RETENTION_ATTACHMENT_DAYS', 365, 0, DAYS_MAX),
      avl: int(env, 'VIGIL_RETENTION_AVL_DAYS', 30, 0, DAYS_MAX),
      answer: int(env, 'VIGIL_RETENTION_ANSWER_DAYS', 30, 0, DAYS_MAX),
      subscriber: int(env, 'VIGIL_RETENTION_SUBSCRIBER_DAYS', 730, 0, DAYS_MAX),
      reporter: int(env, 'VIGIL_RETENTION_REPORTER_DAYS', 365, 0, DAYS_MAX),
      participant: int(env, 'VIGIL_RETENTION_PARTICIPANT_DAYS', 365, 0, DAYS_MAX),
    },
    retentionEveryMs: int(env, 'VIGIL_RETENTION_EVERY_MINUTES', 60, 1, 7 * 24 * 60) * 60_000,
    port: int(env, 'VIGIL_PORT', 8080, 0, 65535),
    host: env.VIGIL_HOST || LOOPBACK,
    dataDir: resolve(env.VIGIL_DATA_DIR || 'data'),
    databaseUrl: url(env, 'VIGIL_DATABASE_URL', ['postgres:', 'postgresql:']),
    natsUrl: url(env, 'VIGIL_NATS_URL', ['nats:', 'tls:']),
    nodeId: env.VIGIL_NODE_ID || `node-${process.pid}`,
    demoOsmFile: resolve(env.VIGIL_DEMO_OSM || resolve(repoRoot, 'assets', 'osm', 'monaco.osm.gz')),
    routingOsmFile:
      env.VIGIL_ROUTING_OSM === 'off' ? null : resolve(env.VIGIL_ROUTING_OSM || env.VIGIL_DEMO_OSM || resolve(repoRoot, 'assets', 'osm', 'monaco.osm.gz')),
    routingOsmFollowsCity: !env.VIGIL_ROUTING_OSM,
    demoOnEmpty: (env.VIGIL_DEMO ?? 'true') !== 'false',
    demoSinks: oneOf(env, 'VIGIL_DEMO_SINKS', 'auto', ['auto', 'true', 'false'] as const),
    demoPassword: env.VIGIL_DEMO_PASSWORD || DEMO_PUBLISHED_PASSWORD,
    demoAllowDatabase: flag(env.VIGIL_DEMO_ALLOW_DATABASE),
    timeZone: env.VIGIL_TIME_ZONE || 'Europe/Monaco',
    capSender: env.VIGIL_CAP_SENDER || 'alerts@vigil.invalid',
    smtpUrl: url(env, 'VIGIL_SMTP_URL', ['smtp:', 'smtps:']),
    smtpFrom: env.VIGIL_SMTP_FROM || 'Vigil alerts <alerts@vigil.invalid>',
    smppUrl: url(env, 'VIGIL_SMPP_URL', ['smpp:', 'smpps:', 'ssmpp:']),
    smppCaFile: env.VIGIL_SMPP_CA_FILE ? resolve(env.VIGIL_SMPP_CA_FILE) : null,
    smsSender: env.VIGIL_SMS_SENDER || 'ALERT',
    pushCaFile: env.VIGIL_PUSH_CA_FILE ? resolve(env.VIGIL_PUSH_CA_FILE) : null,
    pushHosts: env.VIGIL_PUSH_HOSTS
      ? env.VIGIL_PUSH_HOSTS.split(',')
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean)
      : null,
    cbcUrl: url(env, 'VIGIL_CBC_URL', ['http:', 'https:']),
    webhookAllowPrivate: flag(env.VIGIL_WEBHOOK_ALLOW_PRIVATE),
    deliveryBackoffMs: backoff(env, 'VIGIL_DELIVERY_BACKOFF_MS', [1_000, 4_000, 16_000]),
    webhookRetryMs: backoff(env, 'VIGIL_WEBHOOK_RETRY_MS', [1_000, 10_000, 60_000, 300_000, 1_800_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000]),
    capFeedTickMs: int(env, 'VIGIL_CAP_FEED_TICK_MS', 5_000, 100, 3_600_000),
    noticeTickMs: int(env, 'VIGIL_NOTICE_TICK_MS', 5_000, 100, 3_600_000),
    noticeRetryMs: backoff(env, 'VIGIL_NOTICE_RETRY_MS', [10_000, 60_000, 300_000, 1_800_000, 3_600_000, 3_600_000, 3_600_000]),
    sirenMqttUrl: url(env, 'VIGIL_SIREN_MQTT_URL', ['mqtt:', 'mqtts:', 'ws:', 'wss:']),
    sirenTopicPrefix: env.VIGIL_SIREN_TOPIC || 'vigil/sirens',
    publicUrl: url(env, 'VIGIL_PUBLIC_URL', ['http:', 'https:']),
    bodyLimitBytes: int(env, 'VIGIL_BODY_LIMIT_BYTES', 1_048_576, 1024, 512 * 1024 * 1024),
    maxWebSocketClients: int(env, 'VIGIL_MAX_WS_CLIENTS', 5000, 1, 1_000_000),
    maxConnections: int(env, 'VIGIL_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    sessionTtlSeconds: int(env, 'VIGIL_SESSION_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
    trustProxy: proxyList(env.VIGIL_TRUST_PROXY),
    ...tlsFiles(env),
    logLevel: oneOf(env, 'VIGIL_LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    sqliteSynchronous: oneOf(env, 'VIGIL_SQLITE_SYNCHRONOUS', 'FULL', ['FULL', 'NORMAL'] as const),
    webDistDir: resolve(env.VIGIL_WEB_DIST || resolve(repoRoot, 'web', 'dist')),
    vulnDataDir: env.VIGIL_VULN_DATA_DIR
      ? resolve(env.VIGIL_VULN_DATA_DIR)
      : existsSync(resolve(repoRoot, '..', 'shared', 'data', 'vuln'))
        ? resolve(repoRoot, '..', 'shared', 'data', 'vuln')
        : null,
    dc09Port: env.VIGIL_DC09_PORT === 'off' ? null : int(env, 'VIGIL_DC09_PORT', 9000, 0, 65535),
    dc09Host: env.VIGIL_DC09_HOST || LOOPBACK,
    mqttUrl: url(env, 'VIGIL_MQTT_URL', ['mqtt:', 'mqtts:', 'ws:', 'wss:']),
    mqttTopic: env.VIGIL_MQTT_TOPIC || 'vigil/sensors/+/events',
    unitsMqttTopic: unitsTopic(env.VIGIL_UNITS_MQTT_TOPIC || 'vigil/units/+/position'),
    crowdWindowMs: int(env, 'VIGIL_CROWD_WINDOW_MS', 1000, 10, 60_000),
    mqttEmbeddedPort: env.VIGIL_MQTT_EMBEDDED_PORT === 'off' ? null : int(env, 'VIGIL_MQTT_EMBEDDED_PORT', 1884, 0, 65535),
    mqttEmbeddedHost: env.VIGIL_MQTT_EMBEDDED_HOST || LOOPBACK,
    mqttTlsCert: env.VIGIL_MQTT_TLS_CERT ? resolve(env.VIGIL_MQTT_TLS_CERT) : null,
    mqttTlsKey: env.VIGIL_MQTT_TLS_KEY ? resolve(env.VIGIL_MQTT_TLS_KEY) : null,
    mqttTlsPort: int(env, 'VIGIL_MQTT_TLS_PORT', 8883, 0, 65535),
    mqttClientCa: env.VIGIL_MQTT_CLIENT_CA ? resolve(env.VIGIL_MQTT_CLIENT_CA) : null,
    mqttClientCrl: env.VIGIL_MQTT_CLIENT_CRL ? resolve(env.VIGIL_MQTT_CLIENT_CRL) : null,
    mqttClientCrlPollMs: int(env, 'VIGIL_MQTT_CLIENT_CRL_POLL_MS', 5_000, 50, 3_600_000),
    sirenAckTimeoutMs: int(env, 'VIGIL_SIREN_ACK_TIMEOUT_MS', 15_000, 100, 3_600_000),
    secretKey: env.VIGIL_SECRET_KEY || null,
    dc09MaxConnections: int(env, 'VIGIL_DC09_MAX_CONNECTIONS', 20_000, 1, 1_000_000),
    dc09FramesPerSource: int(env, 'VIGIL_DC09_FRAMES_PER_SOURCE', 500, 0, 1_000_000),
    dc09ConnectionsPerSource: int(env, 'VIGIL_DC09_CONNECTIONS_PER_SOURCE', 1000, 1, 1_000_000),
    subscribePerIp: int(env, 'VIGIL_SUBSCRIBE_PER_IP', 20, 1, 1_000_000),
    subscriberUpdatesPerIp: int(env, 'VIGIL_SUBSCRIBER_UPDATES_PER_IP', 120, 1, 1_000_000),
    syslog: {
      host: env.VIGIL_SYSLOG_HOST || LOOPBACK,
      udpPort: env.VIGIL_SYSLOG_UDP_PORT ? int(env, 'VIGIL_SYSLOG_UDP_PORT', 0, 0, 65535) : null,
      tcpPort: env.VIGIL_SYSLOG_TCP_PORT ? int(env, 'VIGIL_SYSLOG_TCP_PORT', 0, 0, 65535) : null,
      tlsPort: env.VIGIL_SYSLOG_TLS_PORT ? int(env, 'VIGIL_SYSLOG_TLS_PORT', 0, 0, 65535) : null,
      tlsCert: env.VIGIL_SYSLOG_TLS_CERT || null,
      tlsKey: env.VIGIL_SYSLOG_TLS_KEY || null,
      maxMessageBytes: int(env, 'VIGIL_SYSLOG_MAX_BYTES', 8192, 480, 65_536),
      maxConnections: int(env, 'VIGIL_SYSLOG_MAX_CONNECTIONS', 1000, 1, 100_000),
      perSourcePerSecond: int(env, 'VIGIL_SYSLOG_RATE_PER_SOURCE', 5000, 1, 1_000_000),
    },
    reportsPerIp: int(env, 'VIGIL_REPORTS_PER_IP', 30, 1, 1_000_000),
    reportsPerDevice: int(env, 'VIGIL_REPORTS_PER_DEVICE', 10, 1, 1_000_000),
    open311Jurisdiction: env.VIGIL_OPEN311_JURISDICTION?.trim() || 'vigil',
    openDataMinCount: int(env, 'VIGIL_OPEN_DATA_MIN_COUNT', 5, 5, 1_000_000),
    openDataLicense: url(env, 'VIGIL_OPEN_DATA_LICENSE', ['https:', 'http:']) ?? 'https://creativecommons.org/licenses/by/4.0/',
    open311ApiKeys: open311Keys(env.VIGIL_OPEN311_API_KEYS),
    exchange: {
      amqpUrl: url(env, 'VIGIL_EXCHANGE_AMQP_URL', ['amqp:', 'amqps:']),
      agency: env.VIGIL_EXCHANGE_AGENCY || 'vigil',
      partner: env.VIGIL_EXCHANGE_PARTNER || null,
      partnerOrg: env.VIGIL_EXCHANGE_PARTNER_ORG || null,
      amqpExchange: env.VIGIL_EXCHANGE_AMQP_EXCHANGE || 'vigil.edxl',
      format: oneOf(env, 'VIGIL_EXCHANGE_FORMAT', 'json', ['json', 'xml'] as const),
      retryMs: int(env, 'VIGIL_EXCHANGE_RETRY_MS', 30_000, 50, 3_600_000),
    },
  };
}

/** VIGIL_OPEN311_API_KEYS: `app-name=key,other=key2`; a key shorter than 16 characters is refused. */
function open311Keys(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq).trim();
    const key = entry.slice(eq + 1).trim();
    if (eq < 1 || key.length < 16)
      throw new VigilError(
        'bad_request',
        `VIGIL_OPEN311_API_KEYS entries are name=key with a key of at least 16 characters, got "${name || entry.slice(0, 20)}"`,
      );
    out[name] = key;
  }
  return out;
}

/** VIGIL_TRUST_PROXY: IP addresses or CIDRs of the reverse proxies in front of Vigil. */
function proxyList(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of entries) {
    const [addr = '', bits, extra] = e.split('/');
    const ok = isIP(addr) !== 0 && extra === undefined && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(addr) === 4 ? 32 : 128)));
    if (!ok) throw new Error(`VIGIL_TRUST_PROXY must list IP addresses or CIDRs (e.g. 127.0.0.1,10.0.0.0/8): ${e}`);
  }
  return entries;
}

function tlsFiles(env: Env): { tlsCertFile: string | null; tlsKeyFile: string | null } {
  const cert = env.VIGIL_TLS_CERT || null;
  const key = env.VIGIL_TLS_KEY || null;
  if (Boolean(cert) !== Boolean(key)) throw new Error('VIGIL_TLS_CERT and VIGIL_TLS_KEY go together: give both PEM files, or neither');
  return { tlsCertFile: cert && resolve(cert), tlsKeyFile: key && resolve(key) };
}

/** The units' AVL topic filter must carry the unit id in exactly one '+' level. */
function unitsTopic(filter: string): string {
  if (filter.split('/').filter((l) => l === '+').length !== 1 || filter.includes('#'))
    throw new Error(`VIGIL_UNITS_MQTT_TOPIC must have exactly one '+' level (the unit id) and no '#': ${filter}`);
  return filter;
}
