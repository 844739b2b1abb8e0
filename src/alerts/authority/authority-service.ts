import type { Area } from '../../city/contract.js';
import { badRequest, forbidden, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Principal } from '../../platform/access.js';
import type { AppContext } from '../../platform/app-context.js';
import { CATEGORIES } from '../cap/cap-model.js';
import { CHANNELS, type AlertRecord } from '../model.js';
import type { AlertAuthority, AuthorityArea, AuthorityEvents } from './authority-model.js';
import { outsideAuthority } from './authority-check.js';
import type { AuthorityState } from './authority-state.js';

/** What a grant names: areas by name (a city area, or a drawn polygon of [lon, lat] with its name). */
export interface AuthorityInput {
  areas: { name: string; polygon?: [number, number][] }[];
  categories: string[];
  eventCodes?: string[];
  channels: string[];
  note?: string;
}

export interface AuthorityDeps {
  platformOrgId: () => string | null;
  orgs: () => readonly { id: string; name: string }[];
  cityAreas: () => ReadonlyMap<string, Area>;
}

/** A grant as the API and the UI show it: with the organisation's name. */
export type AuthorityView = AlertAuthority & { orgName: string };

/**
 * Who may warn the public, and where: the platform organisation grants alerting
 * authorities; issuing and approving an alert outside the author organisation's
 * grant is refused. The platform organisation itself holds full authority.
 */
export class AuthorityService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: AuthorityState,
    private readonly deps: AuthorityDeps,
  ) {}

  list(by: Principal): AuthorityView[] {
    const all = [...this.state.byOrg.values()].filter((g) => by.orgId === this.deps.platformOrgId() || g.orgId === by.orgId);
    return all.map((g) => this.view(g)).sort((a, b) => a.orgName.localeCompare(b.orgName));
  }

  /** An organisation by id or exact name (people name organisations; the API accepts either). */
  orgOf(ref: string): { id: string; name: string } {
    const orgs = this.deps.orgs();
    const org = orgs.find((o) => o.id === ref) ?? orgs.find((o) => o.name.toLowerCase() === ref.trim().toLowerCase());
    if (!org) throw notFound('organisation', ref);
    return org;
  }

  async grant(orgRef: string, input: AuthorityInput, by: Principal, reason?: string): Promise<AuthorityView> {
    this.requirePlatformAdmin(by);
    const org = this.orgOf(orgRef);
    if (org.id === this.deps.platformOrgId()) throw badRequest(`${org.name} is the platform organisation: it holds full authority to alert`);
    const categories = checkList(input.categories, CATEGORIES, 'categories');
    const channels = checkList(input.channels, CHANNELS, 'channels');
    const eventCodes = [...new Set((input.eventCodes ?? []).map((c) => c.trim()).filter(Boolean))];
    if (eventCodes.some((c) => c.length > 64)) throw badRequest('an event code has at most 64 characters');
    const areas = input.areas.map((a) => this.areaOf(a));
    if (areas.length === 0) throw badRequest('name at least one area the organisation may alert');
    const grantId = newId('aut');
    const data: AuthorityEvents['alerts.authority.granted'] = {
      grantId,
      orgId: org.id,
      areas,
      categories,
      eventCodes,
      channels,
      note: input.note?.trim() ?? '',
    };
    await this.ctx.record([{ type: 'alerts.authority.granted', subject: `org:${org.id}`, orgId: org.id, actor: by.actor, data, reason: reason ?? null }]);
    return this.view(this.state.byOrg.get(org.id)!);
  }

  async revoke(orgRef: string, by: Principal, reason?: string): Promise<void> {
    this.requirePlatformAdmin(by);
    const org = this.orgOf(orgRef);
    const grant = this.state.byOrg.get(org.id);
    if (!grant) throw notFound('alerting authority of', org.name);
    const data: AuthorityEvents['alerts.authority.revoked'] = { grantId: grant.grantId, orgId: org.id };
    await this.ctx.record([{ type: 'alerts.authority.revoked', subject: `org:${org.id}`, orgId: org.id, actor: by.actor, data, reason: reason ?? null }]);
  }

  /**
   * Refuses to issue or approve an alert outside its organisation's authority. A
   * Cancel of the organisation's own alert is always allowed: ending a warning it
   * gave must not wait for a grant.
   */
  requireAuthority(alert: AlertRecord, action: 'issue' | 'approve'): void {
    if (alert.orgId === this.deps.platformOrgId()) return;
    if (alert.cap.msgType === 'Cancel') return;
    const name = this.deps.orgs().find((o) => o.id === alert.orgId)?.name ?? alert.orgId;
    const grant = this.state.byOrg.get(alert.orgId);
    if (!grant) throw forbidden(`${name} holds no authority to alert the public; the platform organisation grants it`, { action });
    const why = outsideAuthority(alert, grant, this.deps.cityAreas());
    if (why) throw forbidden(`cannot ${action}: outside ${name}'s authority to alert: ${why}`, { action });
  }

  private areaOf(a: AuthorityInput['areas'][number]): AuthorityArea {
    const name = a.name.trim();
    if (!name) throw badRequest('a granted area has a name');
    if (a.polygon) {
      const ring = a.polygon.map(([lon, lat]) => {
        if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) throw badRequest(`area "${name}": [${lon}, ${lat}] is not [longitude, latitude]`);
        return [lon, lat] as [number, number];
      });
      if (ring.length < 3) throw badRequest(`area "${name}": a polygon has at least 3 corners`);
      const [first, last] = [ring[0]!, ring[ring.length - 1]!];
      if (first[0] !== last[0] || first[1] !== last[1]) ring.push(first); // closed, so every edge is tested
      return { kind: 'polygon', name, ring };
    }
    const areas = [...this.deps.cityAreas().values()];
    const area = areas.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!area) {
      const known = areas.map((x) => x.name).sort();
      throw badRequest(`no city area named "${name}"; known: ${known.join(', ') || 'none (import the city first)'}`);
    }
    return { kind: 'city-area', areaId: area.id, name: area.name };
  }

  private view(g: AlertAuthority): AuthorityView {
    return { ...g, orgName: this.deps.orgs().find((o) => o.id === g.orgId)?.name ?? g.orgId };
  }

  private requirePlatformAdmin(by: Principal): void {
    if (!by.roles.includes('admin') || by.orgId === null || by.orgId !== this.deps.platformOrgId())
      throw forbidden('only administrators of the platform organisation grant or revoke the authority to alert');
  }
}

function checkList<T extends string>(given: readonly string[], known: readonly T[], what: string): T[] {
  const unknown = given.filter((g) => !(known as readonly string[]).includes(g));
  if (unknown.length) throw badRequest(`unknown ${what}: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (given.length === 0) throw badRequest(`grant at least one of the ${what}`);
  return [...new Set(given)] as T[];
}
