import type { SecurityRefusal } from '../alarms/contract.js';
import type { CityReadPort } from '../city/contract.js';
import { newId } from '../kernel/ids.js';
import type { AppContext } from '../platform/app-context.js';
import { SECURITY_EVENT_KINDS, type CsirtEvents, type SecurityEvent, type SecurityEventKind } from './contract.js';
import { GroupCommit } from './group-commit.js';
import { hostOf, plainIp } from './rules.js';
import type { SyslogMessage } from './syslog.js';

/** Events per `csirt.events.received` at most (a write holds what arrived while the last one ran). */
const BATCH_MAX = 2000;
/** Events waiting to be written beyond which new ones are dropped (and counted). */
const BACKLOG_MAX = 100_000;
const MAX_FIELDS = 32;
const MAX_TEXT = 2048;

const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b/;
const SRC_FIELDS = ['src', 'srcip', 'src_ip', 'source_ip', 'sourceip', 'client', 'client_ip', 'rhost', 'ip'];
/** Where a firewall or a daemon names the address in the text: `SRC=1.2.3.4`, `from 1.2.3.4`, `rhost=1.2.3.4`. */
const SRC_IN_TEXT = /(?:\bSRC=|\bfrom |\brhost=|\bclient[= ])\[?((?:\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F:]{3,45})/;

export interface IntakeFigures {
  received: number;
  refused: number;
  dropped: number;
}

/** The address an event is about, from structured fields or the text. */
export function sourceAddress(fields: Record<string, string>, message: string): string | null {
  for (const name of SRC_FIELDS) {
    const v = fields[name];
    if (v && (IPV4.test(v) || v.includes(':'))) return v.trim().slice(0, 45);
  }
  return SRC_IN_TEXT.exec(message)?.[1] ?? null;
}

const text = (s: string | null | undefined, max = MAX_TEXT): string | null => (s == null ? null : s.slice(0, max));

/** The reception time in ISO 8601, formatted once per millisecond (a burst shares it). */
let isoAt = -1;
let isoText = '';
const isoOf = (ms: number): string => {
  if (ms !== isoAt) {
    isoAt = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
};

/**
 * Security events in: syslog messages, JSON events over HTTP and the receiver's refusals become
 * `SecurityEvent`s, limited per source, and are written by group commit (one `csirt.events.received`
 * per write, holding what arrived in the tick or while the last write ran), each caller resolving
 * once the write holding its events is durable.
 */
export class SecurityIntake {
  readonly figures: IntakeFigures = { received: 0, refused: 0, dropped: 0 };
  private readonly batcher: GroupCommit<SecurityEvent>;
  private readonly perSource = new Map<string, { second: number; n: number }>();

  constructor(
    private readonly ctx: AppContext,
    private readonly city: CityReadPort,
    private readonly perSourcePerSecond: number,
  ) {
    this.batcher = new GroupCommit<SecurityEvent>(async (events) => {
      const data: CsirtEvents['csirt.events.received'] = { events };
      await ctx.record([{ type: 'csirt.events.received', subject: 'csirt:events', orgId: null, actor: 'system:csirt-intake', data }]);
    }, BATCH_MAX);
  }

  /** Whether one more message from this source fits its budget this second (counted as dropped when not). */
  admit(source: string, now: number, limit = this.perSourcePerSecond): boolean {
    const second = Math.floor(now / 1000);
    let s = this.perSource.get(source);
    if (!s || s.second !== second) {
      if (this.perSource.size > 10_000) this.perSource.clear();
      this.perSource.set(source, (s = { second, n: 0 }));
    }
    if (++s.n > limit || this.batcher.waiting >= BACKLOG_MAX) {
      this.figures.dropped++;
      return false;
    }
    return true;
  }

  refused(): void {
    this.figures.refused++;
  }

  /** Stores the events (resolves once durable). */
  add(events: SecurityEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    this.figures.received += events.length;
    return this.batcher.add(events);
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  private device(host: string | null, account: string | null): { deviceId: string | null; orgId: string | null } {
    const d = (account ? this.city.devicesByAccount.get(account) : undefined) ?? (host ? this.city.devices.get(host) : undefined);
    return { deviceId: d?.id ?? null, orgId: d?.orgId ?? null };
  }

  fromSyslog(m: SyslogMessage, remote: string | null, now: number): SecurityEvent {
    // Keyed by what the sender wrote: no prototype. Loops, not entries(): no arrays per message.
    const fields = Object.create(null) as Record<string, string>;
    let n = 0;
    for (const id in m.structured) {
      const params = m.structured[id]!;
      for (const k in params) {
        if (n++ >= MAX_FIELDS) break;
        fields[k in fields ? `${id}.${k}` : k] = params[k]!.slice(0, 256);
      }
    }
    const { deviceId, orgId } = this.device(m.hostname, null);
    // Keys in sorted order: the log's canonical JSON then writes the event without sorting it.
    return {
      account: null,
      app: text(m.appName, 48),
      deviceId,
      eventId: newId('sev'),
      fields,
      host: text(m.hostname, 255),
      kind: 'syslog',
      message: m.message.length > MAX_TEXT ? m.message.slice(0, MAX_TEXT) : m.message,
      occurredAt: m.timestamp,
      orgId,
      receivedAt: isoOf(now),
      remote: plainIp(remote),
      severity: m.severity,
      source: 'syslog',
      srcIp: sourceAddress(fields, m.message),
      user: fields.user ?? fields.username ?? null,
    };
  }

  fromJson(body: JsonSecurityEvent, remote: string | null, now: number): SecurityEvent {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(body.fields ?? {}).slice(0, MAX_FIELDS)) fields[k.slice(0, 64)] = String(v).slice(0, 256);
    const { deviceId, orgId } = this.device(body.deviceId ?? body.host ?? null, body.account ?? null);
    const kind: SecurityEventKind =
      body.kind && (SECURITY_EVENT_KINDS as readonly string[]).includes(body.kind) ? (body.kind as SecurityEventKind) : 'external';
    return {
      eventId: newId('sev'),
      source: 'http',
      kind,
      receivedAt: new Date(now).toISOString(),
      occurredAt: body.at ? new Date(Date.parse(body.at)).toISOString() : null,
      severity: body.severity ?? 5,
      host: text(body.host, 255),
      app: text(body.app, 48),
      remote: plainIp(remote),
      srcIp: body.srcIp ?? sourceAddress(fields, body.message),
      deviceId,
      account: text(body.account, 64),
      user: text(body.user, 128),
      orgId,
      message: body.message.slice(0, MAX_TEXT),
      fields,
    };
  }

  fromRefusal(r: SecurityRefusal): SecurityEvent {
    const ip = r.remote ? plainIp(r.kind === 'mqtt-refused' ? r.remote : hostOf(r.remote)) : null;
    const { deviceId, orgId } = this.device(null, r.account);
    return {
      eventId: newId('sev'),
      source: 'vigil',
      kind: r.kind,
      receivedAt: new Date(r.at).toISOString(),
      occurredAt: null,
      severity: r.kind === 'dc09-wrong-key' ? 3 : 4,
      host: null,
      app: r.kind.startsWith('mqtt') ? 'mqtt' : 'dc09',
      remote: ip,
      srcIp: ip,
      deviceId,
      account: r.account,
      user: r.username,
      orgId,
      message: r.problem.slice(0, MAX_TEXT),
      fields: {},
    };
  }
}

/** A JSON security event over HTTP (POST /api/csirt/events). */
export interface JsonSecurityEvent {
  message: string;
  kind?: string;
  severity?: number;
  at?: string;
  host?: string;
  app?: string;
  srcIp?: string;
  deviceId?: string;
  account?: string;
  user?: string;
  fields?: Record<string, string | number | boolean>;
}

export const JSON_EVENT_SCHEMA = {
  type: 'object',
  required: ['message'],
  additionalProperties: false,
  properties: {
    message: { type: 'string', minLength: 1, maxLength: 8192 },
    kind: { type: 'string', enum: ['external', 'syslog', 'login-failed', 'tamper'] },
    severity: { type: 'integer', minimum: 0, maximum: 7 },
    at: { type: 'string', format: 'date-time' },
    host: { type: 'string', maxLength: 255 },
    app: { type: 'string', maxLength: 48 },
    srcIp: { type: 'string', maxLength: 45, pattern: '^[0-9a-fA-F:.]+$' },
    deviceId: { type: 'string', maxLength: 200 },
    account: { type: 'string', maxLength: 64 },
    user: { type: 'string', maxLength: 128 },
    fields: {
      type: 'object',
      maxProperties: 32,
      additionalProperties: { anyOf: [{ type: 'string', maxLength: 1024 }, { type: 'number' }, { type: 'boolean' }] },
    },
  },
} as const;
