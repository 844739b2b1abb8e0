import type { CityReadPort } from '../city/contract.js';
import { DEVICE_KINDS } from '../city/contract.js';
import { badRequest, notFound, VigilError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { Principal } from '../platform/access.js';
import { assertCan, filterVisible } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import { ALERT_TEMPLATES, capTime, outerRing, ringToCapPolygon } from '../alerts/contract.js';
import type { AlertInput, AlertTemplate, AlertTrigger, CapInfo } from '../alerts/contract.js';
import type { EarlyWarningEvents, RuleStatus } from './contract.js';
import type { EarlyWarningState, Firing } from './early-warning-state.js';
import type { EarlyWarningRule, Reading, RuleInput } from './rule-model.js';
import { RULE_SENSOR_TYPES } from './rule-model.js';

/** What early warning needs of alerts (a port app.ts fills from the alerts capability). */
export interface AlertDrafting {
  /** Whether the alert exists already (another node wrote the draft). */
  exists(alertId: string): boolean;
  /** Throws when the input would not make a valid alert. */
  check(input: AlertInput): Promise<void>;
  /** Writes a rule's draft under `alertId`, submitted for approval at once. */
  draft(alertId: string, input: AlertInput, rule: { orgId: string; definedBy: string }, trigger: AlertTrigger): Promise<unknown>;
}

const describe = (r: Pick<Reading, 'value' | 'unit' | 'state'>): string => (r.value !== null ? `${r.value}${r.unit ? ` ${r.unit}` : ''}` : r.state);

/** The alert a firing drafts: the rule's template in its languages, its area and codes, the readings in the note and as parameters. */
export function draftInput(rule: EarlyWarningRule, template: AlertTemplate, readings: Reading[], city: CityReadPort, now: number): AlertInput {
  const area = (() => {
    const a = rule.draft.area;
    if (a.kind === 'polygon') return { areaDesc: a.areaDesc, polygon: [a.polygon] };
    if (a.kind === 'neighbourhood') {
      const n = city.areas.get(a.areaId);
      const ring = n?.geometry ? outerRing(n.geometry) : null;
      if (!n || !ring) throw badRequest(`the area ${a.areaId} has no boundary in the city model: draw a polygon or use a circle around the sensor`);
      return { areaDesc: n.name, polygon: [ringToCapPolygon(ring)] };
    }
    const device = city.devices.get(readings.at(-1)?.deviceId ?? '');
    const [lon, lat] = device?.position ?? city.city?.center ?? [0, 0];
    return { areaDesc: `${a.radiusKm} km around ${device?.label ?? 'the sensor'}`, circle: [`${lat.toFixed(5)},${lon.toFixed(5)} ${a.radiusKm}`] };
  })();
  const m = rule.measure;
  const condition = m.type === 'threshold' ? `${m.sensorType} ${m.direction} ${m.threshold} ${m.unit}` : `${m.sensorType} in alarm`;
  const cited = readings.map((r) => `${r.deviceId} ${describe(r)} at ${new Date(r.at).toISOString()}`);
  const note = `Drafted by early-warning rule "${rule.name}" (${rule.ruleId}): ${condition} for ${rule.persistence.readings} reading(s) / ${rule.persistence.seconds} s. Readings: ${cited.join('; ')}`;
  const parameter = [
    { valueName: 'VIGIL_EARLY_WARNING_RULE', value: rule.ruleId },
    ...readings.map((r) => ({
      valueName: 'VIGIL_SENSOR_READING',
      value: `device=${r.deviceId};value=${r.value ?? ''};unit=${r.unit ?? ''};state=${r.state};at=${new Date(r.at).toISOString()}`,
    })),
  ];
  const info: CapInfo[] = rule.draft.languages.map((language) => {
    const text = template.texts[language]!;
    return {
      language,
      category: template.category,
      event: text.event,
      responseType: template.responseType,
      urgency: rule.draft.urgency,
      severity: rule.draft.severity,
      certainty: template.certainty,
      expires: capTime(now + template.expiresHours * 3_600_000),
      headline: text.headline,
      description: text.description,
      instruction: text.instruction,
      parameter,
      area: [area],
    };
  });
  return { status: rule.draft.status, scope: 'Public', note: note.slice(0, 2000), info, channels: rule.draft.channels };
}

/**
 * Early warning: alert officers define rules over sensor readings; when one fires
 * (decided alike on every node by EarlyWarningState) this service writes the draft,
 * submitted for approval, under an id derived from the rule and the reading.
 */
export class EarlyWarningService {
  private started = false;
  private draining: Promise<void> | null = null;
  private again = false;
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly ctx: AppContext,
    readonly state: EarlyWarningState,
    private readonly alerts: AlertDrafting,
    private readonly city: CityReadPort,
  ) {
    state.onFiring = () => this.kick();
  }

  list(by: Principal): RuleStatus[] {
    return filterVisible(by, this.state.rulesOf(by.visibleOrgIds), (r) => r.orgId).map((rule) => this.statusOf(rule));
  }

  statusOf(rule: EarlyWarningRule): RuleStatus {
    const track = this.state.tracks.get(rule.ruleId);
    const watching =
      'deviceIds' in rule.sensors ? rule.sensors.deviceIds.length : [...this.city.devices.keys()].filter((id) => this.state.watches(rule, id)).length;
    const last = [...(this.state.lastReadings.get(rule.ruleId)?.values() ?? [])].sort((a, b) => b.at - a.at).slice(0, 20);
    return {
      rule,
      watching,
      latched: track?.latched ?? false,
      openDraft: track?.openDraft ?? null,
      lastReadings: last,
      failure: this.failures.get(rule.ruleId) ?? null,
    };
  }

  async define(input: RuleInput, by: Principal, ruleId?: string): Promise<RuleStatus> {
    if (!by.orgId) throw badRequest('a rule belongs to an organisation');
    const old = ruleId ? this.own(ruleId, by) : null;
    const rule: EarlyWarningRule = {
      ...input,
      ruleId: old?.ruleId ?? newId('ewr'),
      orgId: old?.orgId ?? by.orgId,
      enabled: old?.enabled ?? true,
      definedBy: by.actor,
      definedAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.check(rule, by);
    await this.ctx.record([
      {
        type: 'alerts.rule.defined',
        subject: `rule:${rule.ruleId}`,
        orgId: rule.orgId,
        actor: by.actor,
        data: { rule } satisfies EarlyWarningEvents['alerts.rule.defined'],
      },
    ]);
    return this.statusOf(this.state.rules.get(rule.ruleId)!);
  }

  async switch(ruleId: string, enabled: boolean, by: Principal): Promise<RuleStatus> {
    const rule = this.own(ruleId, by);
    if (rule.enabled !== enabled) {
      await this.ctx.record([
        {
          type: 'alerts.rule.switched',
          subject: `rule:${ruleId}`,
          orgId: rule.orgId,
          actor: by.actor,
          data: { ruleId, enabled } satisfies EarlyWarningEvents['alerts.rule.switched'],
        },
      ]);
    }
    return this.statusOf(this.state.rules.get(ruleId)!);
  }

  /** After the log was replayed: drafts firings decided but not yet written (a node that stopped in between). */
  start(): void {
    this.started = true;
    this.kick();
  }

  stop(): Promise<void> {
    this.started = false;
    return this.draining ?? Promise.resolve();
  }

  /** Resolves once every firing decided so far is drafted (or failed). */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private kick(): void {
    if (!this.started) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        for (const firing of [...this.state.pending.values()]) await this.draft(firing);
      } while (this.again && this.started);
    })().finally(() => (this.draining = null));
  }

  private async draft(firing: Firing): Promise<void> {
    const rule = this.state.rules.get(firing.ruleId);
    // Another node wrote it already, or the rule is gone: nothing to do.
    if (!rule || this.alerts.exists(firing.alertId)) {
      this.state.pending.delete(firing.alertId);
      return;
    }
    const template = ALERT_TEMPLATES.find((t) => t.id === rule.draft.templateId)!;
    const trigger: AlertTrigger = {
      ruleId: rule.ruleId,
      ruleName: rule.name,
      deviceIds: [...new Set(firing.readings.map((r) => r.deviceId))],
      readings: firing.readings.map((r) => ({
        signalId: r.signalId,
        deviceId: r.deviceId,
        value: r.value,
        unit: r.unit,
        state: r.state,
        at: new Date(r.at).toISOString(),
      })),
    };
    try {
      await this.alerts.draft(firing.alertId, draftInput(rule, template, firing.readings, this.city, this.ctx.clock.now()), rule, trigger);
      this.failures.delete(rule.ruleId);
    } catch (error) {
      // Kept out of the queue so one bad rule cannot spin; the panel shows why, the next start retries.
      this.state.pending.delete(firing.alertId);
      this.failures.set(rule.ruleId, error instanceof Error ? error.message : String(error));
      this.ctx.logger.error({ err: error, ruleId: rule.ruleId, alertId: firing.alertId }, 'early-warning rule could not draft its alert');
    }
  }

  /** What the schema cannot say: the devices, area and template exist and are the officer's to use; the draft would be valid CAP. */
  private async check(rule: EarlyWarningRule, by: Principal): Promise<void> {
    if (!rule.name.trim()) throw badRequest('a rule has a name');
    const s = rule.sensors;
    if ('deviceIds' in s) {
      if (s.deviceIds.length === 0) throw badRequest('a rule watches at least one device');
      for (const id of s.deviceIds) {
        const d = this.city.devices.get(id);
        if (!d) throw notFound('device', id);
        assertCan(by, 'read', { orgId: d.orgId }, 'device', id);
      }
    } else {
      if (!DEVICE_KINDS.includes(s.deviceKind)) throw badRequest(`no device kind "${s.deviceKind}"`);
      if (s.areaId !== null && !this.city.areas.has(s.areaId)) throw notFound('area', s.areaId);
    }
    const m = rule.measure;
    if (!RULE_SENSOR_TYPES.includes(m.sensorType)) throw badRequest(`no sensor type "${m.sensorType}"`);
    if (m.type === 'threshold' && !(Number.isFinite(m.threshold) && Number.isFinite(m.hysteresis) && m.hysteresis >= 0))
      throw badRequest('a threshold and a hysteresis ≥ 0 are numbers');
    const template = ALERT_TEMPLATES.find((t) => t.id === rule.draft.templateId);
    if (!template) throw notFound('template', rule.draft.templateId);
    const missing = rule.draft.languages.filter((l) => !template.texts[l]);
    if (rule.draft.languages.length === 0 || missing.length > 0)
      throw badRequest(
        `the template "${template.id}" is written in ${Object.keys(template.texts).join(', ')}; choose among them${missing.length ? ` (not ${missing.join(', ')})` : ''}`,
      );
    // A sample firing at a watched device: the draft must be valid CAP 1.2 now, not when the river rises.
    const sampleDevice = 'deviceIds' in s ? s.deviceIds[0]! : ([...this.city.devices.keys()].find((id) => this.state.watches(rule, id)) ?? '');
    const sample: Reading = {
      signalId: 'sample',
      deviceId: sampleDevice,
      sensorType: m.sensorType,
      state: 'alarm',
      value: m.type === 'threshold' ? m.threshold : null,
      unit: m.type === 'threshold' ? m.unit : null,
      at: this.ctx.clock.now(),
    };
    try {
      await this.alerts.check(draftInput(rule, template, [sample], this.city, this.ctx.clock.now()));
    } catch (error) {
      if (error instanceof VigilError) throw badRequest(`the alert this rule would draft is not valid: ${error.message}`, error.details);
      throw error;
    }
  }

  private own(ruleId: string, by: Principal): EarlyWarningRule {
    const rule = this.state.rules.get(ruleId);
    if (!rule) throw notFound('rule', ruleId);
    // A rule drafts public alerts in its organisation's name: configuration, its owner's only.
    assertCan(by, 'manage', { orgId: rule.orgId }, 'rule', ruleId);
    return rule;
  }
}
