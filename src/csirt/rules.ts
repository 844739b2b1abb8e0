import type { AlertRuleId, AlertSeverity, Indicator, ObservableType, SecurityEvent } from './contract.js';

/** What a rule says of one event: raise (or join) the alert of this rule and key. */
export interface RuleHit {
  rule: AlertRuleId;
  key: string;
  severity: AlertSeverity;
  title: string;
  /** What the title names, for a client to say it in its reader's language by rule. */
  params: Record<string, string>;
  orgId: string | null;
  observables: { type: ObservableType; value: string }[];
}

/** Thresholds of the counting rules (docs/csirt.md). */
export const RULE_LIMITS = {
  failedSignins: { count: 5, windowMs: 5 * 60_000 },
  refusedFrames: { count: 20, windowMs: 60_000 },
  mqttRefused: { count: 10, windowMs: 5 * 60_000 },
} as const;

/** Keys a counting window remembers at most (a spray over many addresses forgets the oldest). */
const MAX_KEYS = 50_000;
const MAX_NETWORKS_PER_DEVICE = 16;

const ipType = (ip: string): ObservableType => (ip.includes(':') ? 'ipv6' : 'ipv4');

/** The network an address is in: its /24 (IPv4) or /64 (IPv6). */
export function networkOf(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  return `${ip.split(':').slice(0, 4).join(':')}::/64`;
}

/** `1.2.3.4:5678`, `[::1]:5678` or `::ffff:1.2.3.4:5678` (a socket's address and port) → the address. */
export function hostOf(remote: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(remote);
  if (v6) return v6[1]!;
  const m = /^(.*):(\d{1,5})$/.exec(remote);
  if (!m) return remote;
  const host = m[1]!;
  // A bare IPv6 address ends in hex groups too: only strip when what is left is an address.
  return host.includes('.') || host.includes(':') ? host : remote;
}

/** Strips the IPv4-mapped IPv6 prefix a dual-stack socket gives. */
export function plainIp(ip: string | null): string | null {
  return ip ? ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1') : null;
}

class Windows {
  private readonly times = new Map<string, number[]>();

  /** Adds the time; returns how many times fell in the window ending now. */
  count(key: string, at: number, windowMs: number): number {
    let list = this.times.get(key);
    if (!list) {
      if (this.times.size >= MAX_KEYS) this.times.delete(this.times.keys().next().value!);
      this.times.set(key, (list = []));
    }
    list.push(at);
    while (list.length > 0 && at - list[0]! > windowMs) list.shift();
    if (list.length > 1000) list.splice(0, list.length - 1000);
    return list.length;
  }
}

/**
 * The rules over security events: pure, fed in log order with the time of reception, so every
 * node (and a replay) decides the same hits. Counting rules hit from their threshold on; the
 * state joins further hits to the open alert of the same rule and key (deduplication).
 */
export class RuleEngine {
  private readonly signins = new Windows();
  private readonly frames = new Windows();
  private readonly mqtt = new Windows();
  private readonly networks = new Map<string, Set<string>>();
  /** Indicator value (lower case) → the indicator. */
  readonly indicators = new Map<string, Indicator>();

  evaluate(e: SecurityEvent): RuleHit[] {
    const at = Date.parse(e.receivedAt);
    const hits: RuleHit[] = [];
    const src = plainIp(e.srcIp ?? e.remote);
    const org = e.orgId;
    switch (e.kind) {
      case 'login-failed': {
        if (!e.srcIp) break;
        const n = this.signins.count(e.srcIp, at, RULE_LIMITS.failedSignins.windowMs);
        if (n >= RULE_LIMITS.failedSignins.count)
          hits.push({
            rule: 'failed-signins',
            key: e.srcIp,
            severity: 'medium',
            title: `Failed sign-ins from ${e.srcIp}`,
            params: { ip: e.srcIp },
            orgId: null,
            observables: [{ type: ipType(e.srcIp), value: e.srcIp }],
          });
        break;
      }
      case 'dc09-substitution':
        hits.push({
          rule: 'dc09-substitution',
          key: e.account ?? src ?? '-',
          severity: 'high',
          title: `Substitution attempt on alarm account ${e.account ?? '?'}`,
          params: { account: e.account ?? '?' },
          orgId: org,
          observables: [
            ...(e.account ? [{ type: 'dc09-account' as const, value: e.account }] : []),
            ...(src ? [{ type: ipType(src), value: src }] : []),
            ...(e.deviceId ? [{ type: 'device' as const, value: e.deviceId }] : []),
          ],
        });
        break;
      case 'dc09-wrong-key':
        hits.push({
          rule: 'dc09-new-key',
          key: e.account ?? src ?? '-',
          severity: 'high',
          title: `Panel ${e.account ?? '?'} answers with a key Vigil does not hold`,
          params: { account: e.account ?? '?' },
          orgId: org,
          observables: [
            ...(e.account ? [{ type: 'dc09-account' as const, value: e.account }] : []),
            ...(e.deviceId ? [{ type: 'device' as const, value: e.deviceId }] : []),
            ...(src ? [{ type: ipType(src), value: src }] : []),
          ],
        });
        break;
      case 'mqtt-refused': {
        if (!src) break;
        if (this.mqtt.count(src, at, RULE_LIMITS.mqttRefused.windowMs) >= RULE_LIMITS.mqttRefused.count)
          hits.push({
            rule: 'mqtt-refused-burst',
            key: src,
            severity: 'medium',
            title: `Refused MQTT clients from ${src}`,
            params: { ip: src },
            orgId: null,
            observables: [{ type: ipType(src), value: src }],
          });
        break;
      }
      case 'tamper':
        hits.push({
          rule: 'tamper',
          key: e.deviceId ?? e.account ?? '-',
          severity: 'low',
          title: `Tamper signal from ${e.deviceId ?? e.account ?? 'a panel'}`,
          params: { source: e.deviceId ?? e.account ?? '' },
          orgId: org,
          observables: e.deviceId ? [{ type: 'device', value: e.deviceId }] : e.account ? [{ type: 'dc09-account', value: e.account }] : [],
        });
        break;
      default:
        break;
    }
    if ((e.kind === 'dc09-refused' || e.kind === 'dc09-replay' || e.kind === 'dc09-wrong-key') && src) {
      if (this.frames.count(src, at, RULE_LIMITS.refusedFrames.windowMs) >= RULE_LIMITS.refusedFrames.count)
        hits.push({
          rule: 'refused-frames-burst',
          key: src,
          severity: 'medium',
          title: `Burst of refused DC-09 frames from ${src}`,
          params: { ip: src },
          orgId: null,
          observables: [{ type: ipType(src), value: src }],
        });
    }
    if ((e.source === 'syslog' || e.source === 'http') && e.severity <= 2) {
      const host = e.host ?? src ?? '-';
      hits.push({
        rule: 'syslog-critical',
        key: host,
        severity: e.severity === 0 ? 'high' : 'medium',
        title: `Critical message from ${host}`,
        params: { source: host },
        orgId: org,
        observables: e.deviceId ? [{ type: 'device', value: e.deviceId }] : [{ type: 'hostname', value: host }],
      });
    }
    if (e.deviceId && src && e.source !== 'http') {
      const net = networkOf(src);
      const seen = this.networks.get(e.deviceId);
      if (!seen) {
        if (this.networks.size >= MAX_KEYS) this.networks.delete(this.networks.keys().next().value!);
        this.networks.set(e.deviceId, new Set([net]));
      } else if (!seen.has(net)) {
        if (seen.size < MAX_NETWORKS_PER_DEVICE) seen.add(net);
        hits.push({
          rule: 'device-new-network',
          key: `${e.deviceId}|${net}`,
          severity: 'medium',
          title: `Device ${e.deviceId} seen on a new network ${net}`,
          params: { device: e.deviceId, network: net },
          orgId: org,
          observables: [
            { type: 'device', value: e.deviceId },
            { type: ipType(src), value: src },
          ],
        });
      }
    }
    if (this.indicators.size > 0) {
      for (const v of [e.srcIp, e.remote, e.host, ...Object.values(e.fields)]) {
        const ind = v ? this.indicators.get(plainIp(v)!.toLowerCase()) : undefined;
        if (!ind || (ind.validUntil && Date.parse(ind.validUntil) < at)) continue;
        hits.push({
          rule: 'indicator-match',
          key: `${ind.type}:${ind.value}`,
          severity: 'high',
          title: `Known indicator ${ind.value} (${ind.name})`,
          params: { value: ind.value, name: ind.name },
          orgId: org,
          observables: [{ type: ind.type, value: ind.value }, ...(e.deviceId ? [{ type: 'device' as const, value: e.deviceId }] : [])],
        });
        break;
      }
    }
    return hits;
  }
}
