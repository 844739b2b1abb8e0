import { namesLocalHost } from '../../adapters/http/outbound-guard.js';
import { parseKey } from '../../adapters/protocols/dc09/dc09-crypto.js';
import type { CityReadPort } from '../../city/contract.js';
import { VigilError, badRequest, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Principal } from '../../platform/access.js';
import { assertCan, filterVisible } from '../../platform/policy.js';
import type { AppContext } from '../../platform/app-context.js';
import type { AlarmsState } from '../alarms-state.js';
import { alarmEvent } from '../events.js';
import { SUPERVISION_PRESETS, type AccountConfig, type AccountSchedule, type ActionPlan, type Keyholder } from '../model.js';
import type { PathSupervisor } from '../supervision/path-supervisor.js';
import { checkSchedule } from '../supervision/schedules.js';

const isPhone = (p: string): boolean => /^\+?[0-9 ()./-]{3,40}$/.test(p) && p.replace(/\D/g, '').length >= 3;

function checkNotifyUrl(url: string, allowPrivate: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest(`notification URL "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw badRequest('a notification URL is http: or https:');
  if (parsed.username || parsed.password) throw badRequest('no credentials in a notification URL');
  // Names are checked again on every delivery, on the addresses they resolve to then (outbound-guard.ts).
  if (!allowPrivate && namesLocalHost(parsed.hostname))
    throw badRequest(
      `${parsed.hostname} is a private or local address: notifications reach public addresses only (an installation whose control rooms are on its own network sets VIGIL_WEBHOOK_ALLOW_PRIVATE=true)`,
    );
}

export interface AccountInput {
  account: string;
  key?: string | null;
  keyFormat?: 'hex' | 'ascii' | 'auto';
  clockOffsetMinutes?: number;
  supervisionSeconds?: number | null;
  preset?: string | null;
  schedule?: AccountSchedule | null;
  relayFor?: string[] | null;
}

/** What a monitoring centre sets up: receiver accounts (keys, supervision, opening hours), action plans, keyholders. */
export class AccountsPlans {
  constructor(
    private readonly ctx: AppContext,
    private readonly state: AlarmsState,
    private readonly city: CityReadPort,
    private readonly supervision: PathSupervisor,
  ) {}

  async configureAccount(input: AccountInput, by: Principal | 'system'): Promise<Omit<AccountConfig, 'key'> & { hasKey: boolean }> {
    const account = input.account.toUpperCase();
    if (!/^[0-9A-F]{3,16}$/.test(account)) throw badRequest('an account is 3–16 hexadecimal characters');
    const old = this.state.accounts.get(account);
    const key = input.key === undefined ? (old?.key ?? null) : input.key;
    const keyFormat = input.keyFormat ?? old?.keyFormat ?? 'auto';
    if (key !== null && !parseKey(key, keyFormat)) throw badRequest('a key is 32, 48 or 64 hex characters, or 16, 24 or 32 ASCII characters');
    let supervisionSeconds = input.supervisionSeconds === undefined ? (old?.supervisionSeconds ?? null) : input.supervisionSeconds;
    const preset = input.preset === undefined ? (old?.preset ?? null) : input.preset;
    if (preset !== null) {
      const seconds = SUPERVISION_PRESETS[preset];
      if (!seconds) throw badRequest(`unknown preset ${preset}; known: ${Object.keys(SUPERVISION_PRESETS).join(', ')}`);
      if (input.supervisionSeconds === undefined) supervisionSeconds = seconds;
    }
    const owner = this.ownerOf(account);
    // An account nobody configured yet (and no device uses) becomes the caller's organisation's.
    if (by !== 'system' && owner !== undefined) assertCan(by, 'manage', { orgId: owner }, 'account', account);
    const orgId = owner !== undefined ? owner : by === 'system' ? null : by.orgId;
    const schedule = input.schedule === undefined ? (old?.schedule ?? null) : input.schedule;
    if (schedule) checkSchedule(schedule);
    const relayFor = input.relayFor === undefined ? (old?.relayFor ?? null) : input.relayFor;
    if (relayFor && relayFor.some((a) => a !== '*' && !/^[0-9A-Fa-f]{3,16}$/.test(a))) throw badRequest('relayFor lists accounts (3–16 hex characters) or *');
    const config = {
      account,
      keyFormat,
      clockOffsetMinutes: input.clockOffsetMinutes ?? old?.clockOffsetMinutes ?? 0,
      supervisionSeconds,
      preset,
      schedule,
      ...(relayFor && relayFor.length > 0 ? { relayFor: [...new Set(relayFor.map((a) => a.toUpperCase()))] } : {}),
    };
    await this.ctx.record([
      alarmEvent('alarms.account.configured', `account:${account}`, orgId, by === 'system' ? 'system' : by.actor, {
        ...config,
        keySecret: key === null ? null : this.ctx.secrets.seal(key),
      }),
    ]);
    this.supervision.configured(account, supervisionSeconds);
    return { ...config, hasKey: key !== null };
  }

  /** The organisation owning an account: its device's, else the one it was configured for; undefined when unknown. */
  ownerOf(account: string): string | null | undefined {
    const device = this.city.devicesByAccount.get(account.toUpperCase());
    if (device) return device.orgId;
    const config = this.state.accounts.get(account.toUpperCase());
    return config ? (config.orgId ?? null) : undefined;
  }

  /** Receiver settings of the accounts the principal may see (keys never leave). */
  listAccounts(by: Principal): (Omit<AccountConfig, 'key'> & { hasKey: boolean; pathFaulted: boolean })[] {
    return filterVisible(by, this.state.accounts.values(), (a) => this.ownerOf(a.account) ?? null).map(({ key, ...rest }) => ({
      ...rest,
      orgId: this.ownerOf(rest.account) ?? null,
      hasKey: key !== null,
      pathFaulted: this.state.faultedPaths.has(rest.account),
    }));
  }

  /** Action plans the principal may see (its own and those of organisations sharing with it). */
  listPlans(by: Principal): ActionPlan[] {
    return filterVisible(by, this.state.plans.values(), (p) => p.orgId);
  }

  async definePlan(input: Omit<ActionPlan, 'planId' | 'orgId'> & { planId?: string }, by: Principal | { orgId: string; actor: string }): Promise<ActionPlan> {
    const orgId = by.orgId;
    if (!orgId) throw badRequest('a plan belongs to an organisation');
    if (input.steps.length === 0) throw badRequest('a plan has at least one step');
    const ids = new Set(input.steps.map((st) => st.stepId));
    if (ids.size !== input.steps.length) throw badRequest('step ids must be unique within a plan');
    for (const siteId of input.siteIds) if (!this.city.sites.has(siteId)) throw notFound('site', siteId);
    for (const st of input.steps) if (st.notifyUrl) checkNotifyUrl(st.notifyUrl, this.ctx.config.webhookAllowPrivate);
    const old = input.planId ? this.state.plans.get(input.planId) : undefined;
    if (old && 'kind' in by) assertCan(by, 'manage', { orgId: old.orgId }, 'plan', old.planId);
    else if (old && old.orgId !== orgId) throw new VigilError('forbidden', 'that plan belongs to another organisation');
    const plan: ActionPlan = { ...input, planId: input.planId ?? newId('pln'), orgId };
    await this.ctx.record([alarmEvent('alarms.plan.defined', `plan:${plan.planId}`, orgId, by.actor, { plan })]);
    return plan;
  }

  async removePlan(planId: string, by: Principal): Promise<void> {
    const plan = this.state.plans.get(planId);
    if (!plan) throw notFound('plan', planId);
    assertCan(by, 'manage', { orgId: plan.orgId }, 'plan', planId);
    await this.ctx.record([alarmEvent('alarms.plan.removed', `plan:${planId}`, plan.orgId, by.actor, { planId })]);
  }

  /** The organisation's keyholders for a site, in calling order (an empty list removes them). */
  async setKeyholders(siteId: string, keyholders: Keyholder[], by: Principal | { orgId: string; actor: string }): Promise<Keyholder[]> {
    if (!this.city.sites.has(siteId)) throw notFound('site', siteId);
    const clean = keyholders.map((k) => ({ name: k.name.trim(), phone: k.phone.trim(), note: k.note?.trim() || null }));
    for (const k of clean) {
      if (!k.name) throw badRequest('a keyholder has a name');
      if (!isPhone(k.phone)) throw badRequest(`"${k.phone}" is not a phone number (digits, spaces, + - ( ) . /, at least 3 digits)`);
    }
    if (!by.orgId) throw badRequest('keyholders belong to an organisation');
    await this.ctx.record([alarmEvent('alarms.keyholders.set', `site:${siteId}`, by.orgId, by.actor, { siteId, keyholders: clean })]);
    return clean;
  }
}
