import { createHash } from 'node:crypto';
import type { AlarmEvents } from '../alarms/contract.js';
import type { CityReadPort } from '../city/contract.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { AlertEvents } from '../alerts/contract.js';
import type { EarlyWarningEvents } from './contract.js';
import { evaluate, newRuleTrack, type RuleTrack } from './rule-logic.js';
import type { EarlyWarningRule, Reading } from './rule-model.js';

/** A rule fired on a reading: the draft to write, with an id every node derives alike. */
export interface Firing {
  ruleId: string;
  alertId: string;
  readings: Reading[];
}

/** The alert id a rule's firing drafts: the rule and the reading that completed the condition, so two nodes write one draft. */
export function firingAlertId(ruleId: string, signalId: string): string {
  return `alt_ew_${createHash('sha256').update(`${ruleId}\n${signalId}`).digest('hex').slice(0, 26)}`;
}

/**
 * Early-warning rules and where each stands, rebuilt from the log: the rules
 * (`alerts.rule.*`), every sensor reading (`alarms.signal.received` over MQTT) and
 * the fate of the drafts (`alerts.alert.*`). Every node applies the same events in
 * the same order, so every node decides the same firings; writing them is the
 * service's job (a projection never appends).
 */
export class EarlyWarningState implements Projection {
  readonly name = 'early-warning';
  readonly typePrefixes = ['alerts.rule.', 'alerts.alert.', 'alarms.signal.received', 'city.devices.', 'city.sites.'];
  readonly rules = new Map<string, EarlyWarningRule>();
  readonly tracks = new Map<string, RuleTrack>();
  /** The last reading of each device a rule heard, for the rules panel. */
  readonly lastReadings = new Map<string, Map<string, Reading>>();
  /** Firings decided but not yet seen drafted in the log. */
  readonly pending = new Map<string, Firing>();
  private readonly draftRule = new Map<string, string>();
  private readonly drafted = new Set<string>();
  /** Device → the enabled rules watching it, filled as readings come; emptied when rules or the city change. */
  private readonly watchers = new Map<string, EarlyWarningRule[]>();
  /** Told of each firing as it is decided (the service drafts it). */
  onFiring: (firing: Firing) => void = () => {};

  constructor(private readonly city: CityReadPort) {}

  apply(e: StoredEvent): void {
    if (e.type === 'alarms.signal.received') return this.reading((e.data as AlarmEvents['alarms.signal.received']).signal);
    if (e.type.startsWith('city.') || e.type.startsWith('alerts.rule.')) this.watchers.clear();
    switch (e.type as keyof EarlyWarningEvents | keyof AlertEvents) {
      case 'alerts.rule.defined': {
        const { rule } = e.data as EarlyWarningEvents['alerts.rule.defined'];
        const old = this.tracks.get(rule.ruleId);
        // A changed condition starts counting afresh; an open draft stays open (one that was never written, e.g. its area was invalid, is let go).
        const openDraft = old?.openDraft && this.drafted.has(old.openDraft) ? old.openDraft : null;
        this.tracks.set(rule.ruleId, { ...newRuleTrack(), latched: old?.latched ?? false, openDraft });
        this.rules.set(rule.ruleId, rule);
        break;
      }
      case 'alerts.rule.switched': {
        const d = e.data as EarlyWarningEvents['alerts.rule.switched'];
        const rule = this.rules.get(d.ruleId);
        if (!rule) break;
        rule.enabled = d.enabled;
        const old = this.tracks.get(d.ruleId);
        this.tracks.set(d.ruleId, { ...newRuleTrack(), openDraft: old?.openDraft ?? null });
        break;
      }
      case 'alerts.alert.drafted': {
        const { alert } = e.data as AlertEvents['alerts.alert.drafted'];
        this.pending.delete(alert.alertId);
        const ruleId = alert.trigger?.ruleId;
        const track = ruleId ? this.tracks.get(ruleId) : undefined;
        if (!ruleId || !track) break;
        this.draftRule.set(alert.alertId, ruleId);
        this.drafted.add(alert.alertId);
        track.openDraft = alert.alertId;
        break;
      }
      case 'alerts.alert.issued':
      case 'alerts.alert.rejected':
      case 'alerts.alert.ended': {
        // Once an officer decided on it, the draft no longer holds the rule back.
        const alertId = (e.data as { alertId: string }).alertId;
        const track = this.tracks.get(this.draftRule.get(alertId) ?? '');
        if (track?.openDraft === alertId) track.openDraft = null;
        break;
      }
    }
  }

  /** Rules of these organisations, by name. */
  rulesOf(orgIds: ReadonlySet<string>): EarlyWarningRule[] {
    return [...this.rules.values()].filter((r) => orgIds.has(r.orgId)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Whether a rule listens to a device. */
  watches(rule: EarlyWarningRule, deviceId: string): boolean {
    if ('deviceIds' in rule.sensors) return rule.sensors.deviceIds.includes(deviceId);
    const device = this.city.devices.get(deviceId);
    if (!device || device.kind !== rule.sensors.deviceKind) return false;
    const areaId = rule.sensors.areaId;
    if (areaId === null || this.city.areas.get(areaId)?.level === 'city') return true;
    return device.siteId !== null && this.city.sites.get(device.siteId)?.areaId === areaId;
  }

  private reading(signal: AlarmEvents['alarms.signal.received']['signal']): void {
    // Panel frames are the bulk of the traffic and never feed a rule: leave at once.
    if (signal.protocol !== 'mqtt' || this.rules.size === 0 || !signal.deviceId || signal.flags.includes('unknown-device')) return;
    const colon = signal.code.indexOf(':');
    const reading: Reading = {
      signalId: signal.signalId,
      deviceId: signal.deviceId,
      sensorType: signal.code.slice(0, colon),
      state: signal.code.slice(colon + 1),
      value: signal.reading?.value ?? null,
      unit: signal.reading?.unit ?? null,
      at: Date.parse(signal.occurredAt ?? signal.receivedAt),
    };
    let watching = this.watchers.get(reading.deviceId);
    if (!watching) this.watchers.set(reading.deviceId, (watching = [...this.rules.values()].filter((r) => r.enabled && this.watches(r, reading.deviceId))));
    for (const rule of watching) {
      let last = this.lastReadings.get(rule.ruleId);
      if (!last) this.lastReadings.set(rule.ruleId, (last = new Map()));
      last.set(reading.deviceId, reading);
      const cited = evaluate(rule, this.tracks.get(rule.ruleId)!, reading);
      if (!cited) continue;
      const firing: Firing = { ruleId: rule.ruleId, alertId: firingAlertId(rule.ruleId, reading.signalId), readings: cited };
      // Open from the moment it is decided: a clear and a new rise before the draft is written draft nothing more.
      this.tracks.get(rule.ruleId)!.openDraft = firing.alertId;
      this.draftRule.set(firing.alertId, rule.ruleId);
      this.pending.set(firing.alertId, firing);
      this.onFiring(firing);
    }
  }
}
