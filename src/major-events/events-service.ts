import { can } from '../platform/policy.js';
import { VigilError, badRequest, forbidden, notFound } from '../kernel/errors.js';
import type { LineString, Position } from '../kernel/geo.js';
import { newId } from '../kernel/ids.js';
import { checkedFile, fileFromLog } from '../platform/attachments.js';
import type { Principal, Role } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { canSeeGuidance, canSeeItem, isRecipient, standingIn, type Standing } from './clearance.js';
import { majorEvent, type MajorEventEvents } from './events.js';
import type { EventItems, MajorEventsState } from './events-state.js';
import { parseGeometry, parseLayer } from './geometry.js';
import {
  CLEARANCE,
  GEOMETRY_OF_KIND,
  type Clearance,
  type EntityLink,
  type EventFeature,
  type EventMessage,
  type EventStatus,
  type EventUpload,
  type FeatureKind,
  type Guidance,
  type MajorEvent,
  type Member,
  type Participant,
} from './model.js';

/** What the service needs from the rest of Vigil (kept narrow so tests and app.ts wire the real ones). */
export interface EventsDeps {
  orgName(orgId: string): string | null;
  userByName(username: string): { userId: string; orgId: string; displayName: string } | null;
  usernameOf(userId: string): string | null;
  /** Foot or car route on the routing engine's live graph; null when unreachable; throws 503 while the graph is being built. */
  route(profile: 'foot' | 'car', from: Position, to: Position): { geometry: LineString; distanceM: number; timeS: number } | null;
  incidentVisible(incidentId: string, by: Principal): boolean;
  unitVisible(unitId: string, by: Principal): boolean;
}

const COMMAND_ROLES: readonly Role[] = ['commander', 'admin'];
const has = (p: Principal, roles: readonly Role[]): boolean => p.roles.some((r) => roles.includes(r));
const MAX_NAME = 200;

export interface EventInput {
  name: string;
  description?: string;
  startsAt: string;
  endsAt: string;
  participants?: { orgId: string; maxClearance: Clearance; defaultClearance?: Clearance }[];
  members?: { username: string; eventRole: string; clearance: Clearance }[];
}
export interface FeatureInput {
  kind: FeatureKind;
  name: string;
  note?: string;
  geometry: unknown;
  minClearance: Clearance;
  sharedWith?: string[] | null;
}
export interface ShareInput {
  minClearance: Clearance;
  sharedWith?: string[] | null;
}
export interface GuidanceInput {
  instruction: string;
  toOrgIds?: string[];
  toUsernames?: string[];
  /** A route on the routing engine's graph… */
  route?: { profile: 'foot' | 'car'; from: Position; to: Position };
  /** …or a line drawn on the map. */
  line?: unknown;
}

/** What a principal sees of an event: the event, how it stands in it, and the items its clearance and organisation allow. */
export interface EventView {
  event: MajorEvent & { status: EventStatus };
  me: Standing & { canManage: boolean; canDraw: boolean; canPushGuidance: boolean };
  features: EventFeature[];
  messages: EventMessage[];
  uploads: EventUpload[];
  guidance: Guidance[];
}

/** planned / active / ended from the window and the explicit start and stand-down. */
export function eventStatus(e: MajorEvent, now: number): EventStatus {
  if (e.phase === 'stood-down') return 'ended';
  if (e.phase === 'started') return 'active';
  if (now >= Date.parse(e.endsAt)) return 'ended';
  return now >= Date.parse(e.startsAt) ? 'active' : 'planned';
}

/** Major events: participants and clearances, the map's features, messages, uploads and guidance — every read filtered by standing. */
export class MajorEventsService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: MajorEventsState,
    private readonly deps: EventsDeps,
  ) {}

  /** Events the caller's organisation takes part in, with its standing in each. */
  list(by: Principal): (MajorEvent & { status: EventStatus; me: Standing })[] {
    const now = this.ctx.clock.now();
    return [...this.state.events.values()]
      .map((e) => ({ e, me: standingIn(e, by) }))
      .filter(({ me }) => me.level > 0)
      .sort((a, b) => (a.e.startsAt < b.e.startsAt ? -1 : 1))
      .map(({ e, me }) => ({ ...this.eventAs(e, me), status: eventStatus(e, now), me }));
  }

  view(eventId: string, by: Principal): EventView {
    const { event, me, items } = this.open(eventId, by);
    return {
      event: { ...this.eventAs(event, me), status: eventStatus(event, this.ctx.clock.now()) },
      me: { ...me, canManage: this.canManage(event, me, by), canDraw: this.canDraw(me, by), canPushGuidance: this.canDraw(me, by) },
      features: [...items.features.values()].filter((f) => canSeeItem(me, f)),
      messages: [...items.messages.values()].filter((m) => canSeeItem(me, m)),
      uploads: [...items.uploads.values()].filter((u) => canSeeItem(me, u)).map(({ seq: _s, ...u }) => u),
      guidance: [...items.guidance.values()].filter((g) => canSeeGuidance(me, g)).map((g) => this.guidanceAs(g, me)),
    };
  }

  /** Guidance sent to the caller (by user or organisation) in every event it takes part in, newest first. */
  guidanceFor(by: Principal): (Guidance & { eventName: string; acknowledged: boolean })[] {
    const out: (Guidance & { eventName: string; acknowledged: boolean })[] = [];
    for (const e of this.state.events.values()) {
      const me = standingIn(e, by);
      if (me.level === 0 || e.phase === 'stood-down') continue;
      for (const g of this.state.items.get(e.eventId)!.guidance.values()) {
        if (isRecipient(me, g)) out.push({ ...this.guidanceAs(g, me), eventName: e.name, acknowledged: g.acks.some((a) => a.userId === by.userId) });
      }
    }
    return out.sort((a, b) => (a.at < b.at ? 1 : -1));
  }

  async create(input: EventInput, by: Principal): Promise<MajorEvent> {
    if (!has(by, COMMAND_ROLES) || !by.orgId) throw forbidden('events are created by a commander or an administrator of an organisation');
    const window = this.window(input.startsAt, input.endsAt);
    const now = new Date(this.ctx.clock.now()).toISOString();
    const eventId = newId('mev');
    const draft: MajorEvent = {
      eventId,
      name: this.text(input.name, 'name', MAX_NAME, true),
      description: this.text(input.description ?? '', 'description', 5000, false),
      ownerOrgId: by.orgId,
      ...window,
      phase: 'scheduled',
      startedAt: null,
      stoodDownAt: null,
      participants: [],
      members: [],
      createdAt: now,
      createdBy: by.actor,
    };
    const { participants, members } = this.roster(draft, input.participants ?? [], input.members ?? [], by);
    const event = { ...draft, participants, members };
    await this.ctx.record([majorEvent('majorevents.event.created', by.orgId, by.actor, { eventId, event })]);
    return this.state.events.get(eventId)!;
  }

  async update(eventId: string, input: Partial<Pick<EventInput, 'name' | 'description' | 'startsAt' | 'endsAt'>>, by: Principal): Promise<MajorEvent> {
    const { event } = this.manageable(eventId, by);
    const changes: MajorEventEvents['majorevents.event.updated'] = { eventId };
    if (input.name !== undefined) changes.name = this.text(input.name, 'name', MAX_NAME, true);
    if (input.description !== undefined) changes.description = this.text(input.description, 'description', 5000, false);
    if (input.startsAt !== undefined || input.endsAt !== undefined)
      Object.assign(changes, this.window(input.startsAt ?? event.startsAt, input.endsAt ?? event.endsAt));
    await this.ctx.record([majorEvent('majorevents.event.updated', event.ownerOrgId, by.actor, changes)]);
    return event;
  }

  async setRoster(eventId: string, input: Pick<EventInput, 'participants' | 'members'>, by: Principal): Promise<MajorEvent> {
    const { event } = this.manageable(eventId, by);
    const roster = this.roster(event, input.participants ?? [], input.members ?? [], by);
    await this.ctx.record([majorEvent('majorevents.event.participants-set', event.ownerOrgId, by.actor, { eventId, ...roster })]);
    return event;
  }

  async start(eventId: string, by: Principal): Promise<MajorEvent> {
    const { event } = this.manageable(eventId, by);
    if (event.phase !== 'scheduled') throw new VigilError('conflict', `the event is already ${event.phase}`);
    await this.ctx.record([majorEvent('majorevents.event.started', event.ownerOrgId, by.actor, { eventId })]);
    return event;
  }

  async standDown(eventId: string, note: string | null, by: Principal): Promise<MajorEvent> {
    const { event } = this.manageable(eventId, by);
    if (event.phase === 'stood-down') throw new VigilError('conflict', 'the event is already stood down');
    await this.ctx.record([majorEvent('majorevents.event.stood-down', event.ownerOrgId, by.actor, { eventId, note: note?.trim().slice(0, 2000) || null })]);
    return event;
  }

  async drawFeature(eventId: string, input: FeatureInput, by: Principal): Promise<EventFeature> {
    const { event, me } = this.open(eventId, by);
    if (!this.canDraw(me, by)) throw forbidden('drawing on the event map needs a commander at officer level or above');
    const kind = input.kind;
    if (!(kind in GEOMETRY_OF_KIND)) throw badRequest(`unknown feature kind ${String(kind)}`);
    const share = this.share(event, me, input);
    const feature: EventFeature = {
      featureId: newId('fea'),
      eventId,
      kind,
      name: this.text(input.name, 'name', MAX_NAME, true),
      note: this.text(input.note ?? '', 'note', 2000, false),
      geometry: parseGeometry(input.geometry, [GEOMETRY_OF_KIND[kind]]),
      ...share,
      orgId: me.orgId!,
      createdBy: by.actor,
      updatedAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.ctx.record([majorEvent('majorevents.feature.drawn', event.ownerOrgId, by.actor, { eventId, feature })]);
    return feature;
  }

  /**
   * Changes a feature. Staff may move a resource they can see (a barrier team
   * reporting where it is); everything else is for those who may draw.
   */
  async updateFeature(eventId: string, featureId: string, input: Partial<FeatureInput>, by: Principal): Promise<EventFeature> {
    const { event, me, items } = this.open(eventId, by);
    const current = items.features.get(featureId);
    if (!current || !canSeeItem(me, current)) throw notFound('feature', featureId);
    const onlyMoves = Object.keys(input).every((k) => k === 'geometry');
    if (!this.canDraw(me, by) && !(current.kind === 'resource' && onlyMoves && me.level >= CLEARANCE.staff))
      throw forbidden('changing this feature needs a commander at officer level or above');
    if (input.kind !== undefined && input.kind !== current.kind) throw badRequest('a feature keeps its kind; draw a new one');
    const share =
      input.minClearance !== undefined || input.sharedWith !== undefined
        ? this.share(event, me, {
            minClearance: input.minClearance ?? current.minClearance,
            sharedWith: input.sharedWith === undefined ? current.sharedWith : input.sharedWith,
          })
        : { minClearance: current.minClearance, sharedWith: current.sharedWith };
    const feature: EventFeature = {
      ...current,
      ...share,
      name: input.name !== undefined ? this.text(input.name, 'name', MAX_NAME, true) : current.name,
      note: input.note !== undefined ? this.text(input.note, 'note', 2000, false) : current.note,
      geometry: input.geometry !== undefined ? parseGeometry(input.geometry, [GEOMETRY_OF_KIND[current.kind]]) : current.geometry,
      updatedAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.ctx.record([majorEvent('majorevents.feature.updated', event.ownerOrgId, by.actor, { eventId, feature })]);
    return feature;
  }

  async removeFeature(eventId: string, featureId: string, by: Principal): Promise<void> {
    const { event, me, items } = this.open(eventId, by);
    const current = items.features.get(featureId);
    if (!current || !canSeeItem(me, current)) throw notFound('feature', featureId);
    if (!this.canDraw(me, by)) throw forbidden('removing a feature needs a commander at officer level or above');
    await this.ctx.record([majorEvent('majorevents.feature.removed', event.ownerOrgId, by.actor, { eventId, featureId })]);
  }

  async postMessage(eventId: string, input: ShareInput & { text: string; links?: EntityLink[] }, by: Principal): Promise<EventMessage> {
    const { event, me, items } = this.open(eventId, by);
    const share = this.share(event, me, input);
    const links = (input.links ?? []).map((l) => this.link(l, items, me, by));
    const message: EventMessage = {
      messageId: newId('emsg'),
      eventId,
      text: this.text(input.text, 'text', 4000, true),
      author: by.displayName,
      actor: by.actor,
      links,
      ...share,
      orgId: me.orgId!,
      at: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.ctx.record([majorEvent('majorevents.message.posted', event.ownerOrgId, by.actor, { eventId, message })]);
    return message;
  }

  async uploadNote(eventId: string, input: ShareInput & { name: string; text: string }, by: Principal): Promise<EventUpload> {
    const text = this.text(input.text, 'text', 8000, true);
    return this.store(eventId, 'note', { name: input.name, contentType: 'text/plain', bytes: Buffer.from(text, 'utf8') }, input, by, { text, features: null });
  }

  async uploadPhoto(eventId: string, file: { name: string; contentType: string; bytes: Buffer }, share: ShareInput, by: Principal): Promise<EventUpload> {
    return this.store(eventId, 'photo', file, share, by, { text: null, features: null });
  }

  async uploadLayer(eventId: string, input: ShareInput & { name: string; layer: unknown }, by: Principal): Promise<EventUpload> {
    const layer = parseLayer(input.layer);
    // The checked copy is stored, never the input as sent.
    const bytes = Buffer.from(JSON.stringify(layer), 'utf8');
    return this.store(
      eventId,
      'layer',
      { name: input.name, contentType: 'text/plain', bytes },
      input,
      by,
      { text: null, features: layer.features.length },
      'application/geo+json',
    );
  }

  /** An upload's bytes, for those who may see it (photos as images, layers as GeoJSON, notes as text). */
  async uploadContent(uploadId: string, by: Principal): Promise<{ upload: EventUpload; bytes: Buffer }> {
    const eventId = this.state.uploadEvent.get(uploadId);
    if (!eventId) throw notFound('upload', uploadId);
    const { me, items } = this.open(eventId, by);
    const u = items.uploads.get(uploadId);
    if (!u || !canSeeItem(me, u)) throw notFound('upload', uploadId);
    const { seq, ...upload } = u;
    if (upload.kind === 'note') return { upload, bytes: Buffer.from(upload.text ?? '', 'utf8') };
    const bytes = await fileFromLog(this.ctx.log, seq, upload.sha256, (data) => {
      const d = data as MajorEventEvents['majorevents.upload.stored'];
      return d.upload?.uploadId === uploadId ? d.base64 : null;
    });
    return { upload, bytes };
  }

  async pushGuidance(eventId: string, input: GuidanceInput, by: Principal): Promise<Guidance> {
    const { event, me } = this.open(eventId, by);
    if (!this.canDraw(me, by)) throw forbidden('guidance is pushed by a commander at officer level or above');
    const toOrgIds = [...new Set(input.toOrgIds ?? [])];
    for (const o of toOrgIds) if (!event.participants.some((p) => p.orgId === o)) throw badRequest(`organisation ${o} does not take part in this event`);
    const toUserIds = [...new Set(input.toUsernames ?? [])].map((name) => {
      const u = this.deps.userByName(name);
      if (!u || !event.participants.some((p) => p.orgId === u.orgId)) throw badRequest(`${name} is not a user of a participating organisation`);
      return u.userId;
    });
    if (toOrgIds.length === 0 && toUserIds.length === 0) throw badRequest('send guidance to at least one organisation or user');
    if ((input.route === undefined) === (input.line === undefined)) throw badRequest('give either a route (profile, from, to) or a drawn line');
    let geometry: LineString,
      source: Guidance['source'],
      distanceM: number | null = null,
      durationS: number | null = null;
    if (input.route) {
      const { profile, from, to } = input.route;
      const from2 = parseGeometry({ type: 'Point', coordinates: from }, ['Point'], 'route.from').coordinates as Position;
      const to2 = parseGeometry({ type: 'Point', coordinates: to }, ['Point'], 'route.to').coordinates as Position;
      const r = this.deps.route(profile, from2, to2);
      if (!r) throw badRequest(`no ${profile} route between these points`);
      geometry = r.geometry;
      source = profile === 'foot' ? 'route-foot' : 'route-car';
      distanceM = Math.round(r.distanceM);
      durationS = Math.round(r.timeS);
    } else {
      geometry = parseGeometry(input.line, ['LineString'], 'line') as LineString;
      source = 'drawn';
    }
    const guidance: Guidance = {
      guidanceId: newId('gui'),
      eventId,
      instruction: this.text(input.instruction, 'instruction', 1000, true),
      geometry,
      source,
      distanceM,
      durationS,
      toOrgIds,
      toUserIds,
      senderOrgId: me.orgId!,
      sender: by.displayName,
      actor: by.actor,
      at: new Date(this.ctx.clock.now()).toISOString(),
      acks: [],
    };
    await this.ctx.record([majorEvent('majorevents.guidance.pushed', event.ownerOrgId, by.actor, { eventId, guidance })]);
    return guidance;
  }

  async acknowledge(eventId: string, guidanceId: string, by: Principal): Promise<Guidance> {
    const { event, me, items } = this.open(eventId, by);
    const g = items.guidance.get(guidanceId);
    if (!g || !canSeeGuidance(me, g)) throw notFound('guidance', guidanceId);
    if (!isRecipient(me, g) || !by.userId) throw forbidden('only those the guidance was sent to acknowledge it');
    if (!g.acks.some((a) => a.userId === by.userId)) {
      const ack = { userId: by.userId, displayName: by.displayName, orgId: me.orgId!, at: new Date(this.ctx.clock.now()).toISOString() };
      await this.ctx.record([majorEvent('majorevents.guidance.acknowledged', event.ownerOrgId, by.actor, { eventId, guidanceId, ack })]);
    }
    return this.guidanceAs(items.guidance.get(guidanceId)!, me);
  }

  /** The event as the caller may see it: members are listed to officers and above (and each member sees itself). */
  eventAs(e: MajorEvent, me: Standing): MajorEvent {
    return me.level >= CLEARANCE.officer ? e : { ...e, members: e.members.filter((m) => m.userId === me.userId) };
  }

  /** Recipients see that they acknowledged; the sender's officers see who did. */
  guidanceAs(g: Guidance, me: Standing): Guidance {
    return me.orgId === g.senderOrgId && me.level >= CLEARANCE.officer ? g : { ...g, acks: g.acks.filter((a) => a.userId === me.userId) };
  }

  /** The event, the caller's standing and the items; a non-participant gets 404 (it may not learn the event exists). */
  open(eventId: string, by: Principal): { event: MajorEvent; me: Standing; items: EventItems } {
    const event = this.state.events.get(eventId);
    const me = event ? standingIn(event, by) : null;
    if (!event || !me || me.level === 0) throw notFound('event', eventId);
    return { event, me, items: this.state.items.get(eventId)! };
  }

  canManage(e: MajorEvent, me: Standing, by: Principal): boolean {
    return can(by, 'manage', { orgId: e.ownerOrgId }) && me.level >= CLEARANCE.officer && has(by, COMMAND_ROLES);
  }

  canDraw(me: Standing, by: Principal): boolean {
    return me.level >= CLEARANCE.officer && has(by, COMMAND_ROLES);
  }

  private manageable(eventId: string, by: Principal): { event: MajorEvent; me: Standing } {
    const { event, me } = this.open(eventId, by);
    if (!this.canManage(event, me, by)) throw forbidden("the event is run by its owning organisation's commanders at officer level or above");
    return { event, me };
  }

  private async store(
    eventId: string,
    kind: EventUpload['kind'],
    file: { name: string; contentType: string; bytes: Buffer },
    share: ShareInput,
    by: Principal,
    extra: Pick<EventUpload, 'text' | 'features'>,
    storedType?: string,
  ): Promise<EventUpload> {
    const { event, me } = this.open(eventId, by);
    if (me.level < CLEARANCE.staff) throw forbidden('uploads need staff level or above');
    const s = this.share(event, me, share);
    const { base64, ...checked } = checkedFile(file, kind === 'photo' ? ['image/jpeg', 'image/png'] : ['text/plain']);
    const upload: EventUpload = {
      uploadId: newId('upl'),
      eventId,
      kind,
      ...checked,
      contentType: storedType ?? checked.contentType,
      ...extra,
      ...s,
      orgId: me.orgId!,
      author: by.displayName,
      actor: by.actor,
      at: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.ctx.record([majorEvent('majorevents.upload.stored', event.ownerOrgId, by.actor, { eventId, upload, base64: kind === 'note' ? null : base64 })]);
    return upload;
  }

  /** Who an item is for: never above the author's own level, shared only with participating organisations. */
  private share(event: MajorEvent, me: Standing, input: ShareInput): { minClearance: Clearance; sharedWith: string[] | null } {
    const min = input.minClearance;
    if (!Number.isInteger(min) || min < 1 || min > 4) throw badRequest('minClearance is 1 (public-info) to 4 (command)');
    if (min > me.level) throw badRequest(`you act at ${me.levelName} level and cannot restrict above it`);
    if (input.sharedWith === null || input.sharedWith === undefined) return { minClearance: min, sharedWith: null };
    const orgs = [...new Set(input.sharedWith)];
    for (const o of orgs) if (!event.participants.some((p) => p.orgId === o)) throw badRequest(`organisation ${o} does not take part in this event`);
    return { minClearance: min, sharedWith: orgs };
  }

  private link(l: EntityLink, items: EventItems, me: Standing, by: Principal): EntityLink {
    const ok = (() => {
      switch (l.kind) {
        case 'feature': {
          const f = items.features.get(l.id);
          return f !== undefined && canSeeItem(me, f);
        }
        case 'upload': {
          const u = items.uploads.get(l.id);
          return u !== undefined && canSeeItem(me, u);
        }
        case 'message': {
          const m = items.messages.get(l.id);
          return m !== undefined && canSeeItem(me, m);
        }
        case 'incident':
          return this.deps.incidentVisible(l.id, by);
        case 'unit':
          return this.deps.unitVisible(l.id, by);
        default:
          return false;
      }
    })();
    if (!ok) throw notFound(`linked ${String(l.kind)}`, l.id);
    return { kind: l.kind, id: l.id };
  }

  /** The roster as given, checked; whoever sets it stays on it (at command level when new), so no commander locks themselves out. */
  private roster(
    event: MajorEvent,
    participants: NonNullable<EventInput['participants']>,
    members: NonNullable<EventInput['members']>,
    by: Principal,
  ): { participants: Participant[]; members: Member[] } {
    const out: Participant[] = [];
    // The owner always takes part and may reach the top level (its commanders run the event).
    const owner = participants.find((p) => p.orgId === event.ownerOrgId);
    for (const p of [
      { orgId: event.ownerOrgId, maxClearance: CLEARANCE.command, defaultClearance: owner?.defaultClearance ?? CLEARANCE.staff },
      ...participants.filter((p) => p.orgId !== event.ownerOrgId),
    ]) {
      if (out.some((o) => o.orgId === p.orgId)) throw badRequest(`organisation ${p.orgId} is listed twice`);
      const orgName = this.deps.orgName(p.orgId);
      if (!orgName) throw notFound('organisation', p.orgId);
      const max = p.maxClearance as Clearance;
      const def = (p.defaultClearance ?? Math.min(max, CLEARANCE.staff)) as Clearance;
      if (![1, 2, 3, 4].includes(max) || ![1, 2, 3, 4].includes(def)) throw badRequest('clearances are 1 to 4');
      if (def > max) throw badRequest(`${orgName}: the default clearance is above the maximum`);
      out.push({ orgId: p.orgId, orgName, maxClearance: max, defaultClearance: def });
    }
    const seen = new Set<string>();
    const listed: Member[] = members.map((m) => {
      const u = this.deps.userByName(m.username);
      if (!u) throw notFound('user', m.username);
      if (seen.has(u.userId)) throw badRequest(`${m.username} is listed twice`);
      seen.add(u.userId);
      const p = out.find((o) => o.orgId === u.orgId);
      if (!p) throw badRequest(`${m.username}'s organisation does not take part in this event`);
      if (![1, 2, 3, 4].includes(m.clearance)) throw badRequest('clearances are 1 to 4');
      if (m.clearance > p.maxClearance) throw badRequest(`${m.username}: ${p.orgName} reaches at most level ${p.maxClearance}`);
      return {
        userId: u.userId,
        username: m.username,
        displayName: u.displayName,
        orgId: u.orgId,
        eventRole: this.text(m.eventRole, 'eventRole', 100, true),
        clearance: m.clearance,
      };
    });
    if (by.userId && by.orgId === event.ownerOrgId && !seen.has(by.userId)) {
      const current = event.members.find((m) => m.userId === by.userId);
      listed.unshift(
        current ?? {
          userId: by.userId,
          username: this.deps.usernameOf(by.userId) ?? by.userId,
          displayName: by.displayName,
          orgId: by.orgId,
          eventRole: 'Event commander',
          clearance: CLEARANCE.command,
        },
      );
    }
    return { participants: out, members: listed };
  }

  private window(startsAt: string, endsAt: string): { startsAt: string; endsAt: string } {
    const s = Date.parse(startsAt),
      e = Date.parse(endsAt);
    if (!Number.isFinite(s) || !Number.isFinite(e)) throw badRequest('startsAt and endsAt are ISO 8601 date-times');
    if (e <= s) throw badRequest('an event ends after it starts');
    if (e - s > 31 * 86_400_000) throw badRequest('an event lasts at most 31 days');
    return { startsAt: new Date(s).toISOString(), endsAt: new Date(e).toISOString() };
  }

  private text(v: string, what: string, max: number, required: boolean): string {
    const t = typeof v === 'string' ? v.trim() : '';
    if (required && !t) throw badRequest(`${what} is required`);
    if (t.length > max) throw badRequest(`${what} is at most ${max} characters`);
    return t;
  }
}
