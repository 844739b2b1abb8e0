import type { CityReadPort } from '../city/contract.js';
import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { isValidPosition, type Position } from '../kernel/geo.js';
import { newId } from '../kernel/ids.js';
import type { Principal } from '../platform/access.js';
import { assertCan, can, filterVisible } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { JobGate } from '../platform/heavy/job-gate.js';
import { personalSubject } from '../platform/personal-data.js';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import { finishTrack, unpackFixes, type OpenedBatch, type TrackBatch, type trackJsonInWorker } from './track-worker.js';
import { AvlBatcher } from './avl-batcher.js';
import { parseAvlMessage } from './avl-message.js';
import { unitEvent, type StoredFix, type UnitEvents } from './events.js';
import {
  CAPABILITIES,
  UNIT_KINDS,
  UNIT_TRANSITIONS,
  type Capability,
  type CrewMember,
  type Fix,
  type Unit,
  type UnitDefinition,
  type UnitKind,
  type UnitStatus,
} from './model.js';
import type { UnitsPort } from './contract.js';
import type { UnitsState } from './units-state.js';

export interface UnitInput {
  unitId?: string;
  callSign: string;
  kind: UnitKind;
  capabilities: Capability[];
  homeSiteId?: string | null;
  homePosition?: Position | null;
  crew?: CrewMember[];
  demo?: boolean;
}

type Actor = Principal | { orgId: string; actor: string };

/** Largest window of history one track query returns. */
export const MAX_TRACK_FIXES = 20_000;
/** Log events one track request reads before it answers with a cursor to continue from. */
export const TRACK_PAGE_EVENTS = 20_000;
const TRACK_BATCH = 1000;
const TRACK_WORKER = new URL('./track-worker.ts', import.meta.url);

/** Lets timers, sockets and alarms run between batches (a synchronous store resolves reads at once). */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Units: registration, status (with its transitions), AVL positions and their history. */
export class UnitsService implements UnitsPort {
  readonly avl: AvlBatcher;
  /** AVL messages refused, by reason (a figure for operators). */
  refused = 0;

  constructor(
    private readonly ctx: AppContext,
    readonly state: UnitsState,
    private readonly city: CityReadPort,
    avlWindowMs = 2000,
  ) {
    this.avl = new AvlBatcher((batch) => this.writeFixes(batch), avlWindowMs);
  }

  visible(by: Principal): Unit[] {
    return filterVisible(by, this.state.units.values(), (u) => u.orgId).sort((a, b) => a.callSign.localeCompare(b.callSign));
  }

  unit(unitId: string): Unit | undefined {
    return this.state.units.get(unitId);
  }

  unitOfUser(userId: string | null): Unit | undefined {
    return this.state.unitOfUser(userId);
  }

  unitFor(unitId: string, by: Principal): Unit {
    const u = this.state.units.get(unitId);
    if (!u || !(can(by, 'read', { orgId: u.orgId }) || this.state.unitOfUser(by.userId)?.unitId === unitId)) throw notFound('unit', unitId);
    return u;
  }

  async register(input: UnitInput, by: Actor): Promise<Unit> {
    if (!by.orgId) throw badRequest('a unit belongs to an organisation');
    if (!UNIT_KINDS.includes(input.kind)) throw badRequest(`unknown unit kind ${input.kind}`);
    const unknown = input.capabilities.filter((c) => !CAPABILITIES.includes(c));
    if (unknown.length) throw badRequest(`unknown capabilities: ${unknown.join(', ')}`);
    const callSign = input.callSign.trim();
    if (!callSign) throw badRequest('a unit has a call sign');
    const site = input.homeSiteId ? this.city.sites.get(input.homeSiteId) : undefined;
    if (input.homeSiteId && !site) throw notFound('site', input.homeSiteId);
    const homePosition = input.homePosition ?? site?.position;
    if (!homePosition || !isValidPosition(homePosition)) throw badRequest('a unit has a home station (a site) or a home position');
    const old = input.unitId ? this.state.units.get(input.unitId) : undefined;
    if (old && 'kind' in by) assertCan(by, 'manage', { orgId: old.orgId }, 'unit', old.unitId);
    else if (old && old.orgId !== by.orgId) throw new VigilError('forbidden', 'that unit belongs to another organisation');
    const unit: UnitDefinition = {
      unitId: input.unitId ?? newId('unt'),
      callSign,
      kind: input.kind,
      capabilities: [...new Set(input.capabilities)],
      homeSiteId: site?.id ?? null,
      homePosition: [homePosition[0], homePosition[1]],
      crew: (input.crew ?? []).map((c) => ({ name: c.name.trim(), role: c.role.trim(), userId: c.userId ?? null })),
      orgId: by.orgId,
      demo: input.demo ?? false,
    };
    await this.ctx.record([unitEvent('units.unit.registered', unit.unitId, unit.orgId, by.actor, { unit })]);
    return this.state.units.get(unit.unitId)!;
  }

  /** The event that moves a unit to a status (validated); callers record it, alone or with their own events. */
  statusEvent(unit: Unit, to: UnitStatus, actor: string, incidentId: string | null, note: string | null = null): NewEvent {
    if (unit.status === to) throw conflict(`${unit.callSign} is already ${to}`);
    if (!UNIT_TRANSITIONS[unit.status].includes(to))
      throw conflict(`${unit.callSign} cannot go from ${unit.status} to ${to}`, { from: unit.status, to, allowed: UNIT_TRANSITIONS[unit.status] });
    return unitEvent('units.unit.status-changed', unit.unitId, unit.orgId, actor, { unitId: unit.unitId, from: unit.status, to, incidentId, note }, note);
  }

  /**
   * Whether a principal may act for a unit (status, position): its crew, its organisation,
   * or the dispatch (non-responder roles) of an organisation it shared with to act.
   */
  mayActFor(unit: Unit, by: Principal): boolean {
    if (unit.crew.some((c) => c.userId !== null && c.userId === by.userId)) return true;
    if (!can(by, 'act', { orgId: unit.orgId })) return false;
    return by.orgId === unit.orgId || by.roles.some((r) => r !== 'responder');
  }

  async setStatus(unitId: string, to: UnitStatus, by: Principal, note: string | null = null): Promise<Unit> {
    const unit = this.unitFor(unitId, by);
    if (!this.mayActFor(unit, by)) throw new VigilError('forbidden', `only ${unit.callSign}'s crew or its dispatch changes its status`);
    await this.ctx.record([this.statusEvent(unit, to, by.actor, unit.incidentId, note)]);
    return this.state.units.get(unitId)!;
  }

  /**
   * An AVL message from MQTT (`…/units/<unitId>/position`). Resolves once the fix is
   * durable; an invalid payload or unknown unit is dropped with the reason
   * (redelivery would not make it valid).
   */
  async handleMqttPosition(unitId: string, payload: Buffer): Promise<'recorded' | 'invalid' | 'unknown-unit'> {
    const parsed = parseAvlMessage(payload, this.ctx.clock.now());
    if (!parsed.ok) {
      this.refused++;
      this.ctx.logger.warn({ unitId, problem: parsed.problem }, 'AVL message refused');
      return 'invalid';
    }
    if (!this.state.units.has(unitId)) {
      this.refused++;
      this.ctx.logger.warn({ unitId }, 'AVL message for an unknown unit refused');
      return 'unknown-unit';
    }
    await this.avl.add(unitId, [parsed.fix]);
    return 'recorded';
  }

  /** Fixes over HTTP (an AVL gateway with an API key, or the responder's phone). */
  async addFixes(unitId: string, fixes: Fix[], by: Principal): Promise<Unit> {
    const unit = this.unitFor(unitId, by);
    if (!this.mayActFor(unit, by)) throw new VigilError('forbidden', `only ${unit.callSign}'s crew or organisation reports its position`);
    await this.avl.add(unitId, fixes);
    return this.state.units.get(unitId)!;
  }

  private async writeFixes(batch: Map<string, Fix[]>): Promise<void> {
    const events: NewEvent[] = [];
    for (const [unitId, fixes] of batch) {
      const unit = this.state.units.get(unitId);
      if (!unit) continue;
      const stored: StoredFix[] = fixes.map((f) => [
        f.at,
        round6(f.position[0]),
        round6(f.position[1]),
        f.speed === null ? null : Math.round(f.speed * 10) / 10,
        f.heading === null ? null : Math.round(f.heading),
      ]);
      // A crew's whereabouts are personal data: sealed under the unit's key of the day, shredded at the end of their retention.
      const day = new Date(this.ctx.clock.now()).toISOString().slice(0, 10);
      const sealed = await this.ctx.personal.seal(personalSubject('avl', `${unitId}:${day}`), stored);
      events.push(unitEvent('units.positions.recorded', unitId, unit.orgId, `device:avl:${unitId}`, { unitId, sealed }));
    }
    if (events.length > 0) await this.ctx.record(events);
  }

  /** A unit's track between two times, oldest first, from the log (the history is kept there). */
  /**
   * A unit's fixes in a window, read from the log a page at a time: at most
   * TRACK_PAGE_EVENTS events per call, yielding to the event loop between batches,
   * so a unit with years of history cannot hold the main thread. `nextAfterSeq`
   * continues the read (null when the history is done). Reading the fixes is recorded
   * as a read of personal data, with its purpose.
   */
  async track(
    unitId: string,
    from: number,
    to: number,
    by: Principal,
    page: { afterSeq?: number; maxEvents?: number } = {},
    purpose = 'unit track',
  ): Promise<{ fixes: Fix[]; nextAfterSeq: number | null }> {
    return this.gatedTrack('fixes', unitId, from, to, by, page, purpose, async (read) => ({
      fixes: unpackFixes(finishTrack(read.chunks, MAX_TRACK_FIXES)),
      nextAfterSeq: read.nextAfterSeq,
    }));
  }

  /**
   * A page of the track as the JSON the API answers: the fixes are opened, sorted and
   * written in the worker pool; the main thread only reads the log and the keys.
   */
  async trackJson(
    unitId: string,
    from: number,
    to: number,
    by: Principal,
    page: { afterSeq?: number; maxEvents?: number } = {},
    purpose = 'unit track',
  ): Promise<string> {
    return this.gatedTrack('json', unitId, from, to, by, page, purpose, async (read) => {
      const out = await runInWorker<ReturnType<typeof trackJsonInWorker>>({
        module: TRACK_WORKER,
        fn: 'trackJsonInWorker',
        input: { chunks: read.chunks, max: MAX_TRACK_FIXES, unitId, from, to, nextAfterSeq: read.nextAfterSeq },
        transferList: read.chunks.map((c) => c.buffer as ArrayBuffer),
      });
      this.trackThreads.add(out.threadId);
      return out.json;
    });
  }

  /** Threads that opened or wrote a track (tests show it was not the main thread). */
  readonly trackThreads = new Set<number>();

  private gatedTrack<T>(
    form: 'fixes' | 'json',
    unitId: string,
    from: number,
    to: number,
    by: Principal,
    page: { afterSeq?: number; maxEvents?: number },
    purpose: string,
    finish: (read: { chunks: Float64Array[]; nextAfterSeq: number | null }) => Promise<T>,
  ): Promise<T> {
    const unit = this.unitFor(unitId, by);
    // Behind a gate: the same page asked again by the same reader while it is read is one read (its personal-data
    // read is recorded once, for that reader and purpose); a few pages at once in all, two per reader, else 429.
    const key = JSON.stringify([form, by.actor, unitId, from, to, page.afterSeq ?? 0, page.maxEvents ?? TRACK_PAGE_EVENTS, purpose]);
    return this.trackGate.run({ user: by.actor, key }, async () => finish(await this.readTrack(unit, unitId, from, to, by, page, purpose)));
  }

  /** Track pages being read: 2 at once, 8 waiting, 2 per reader (running or waiting). */
  readonly trackGate = new JobGate('unit track', { concurrency: 2, queue: 8, perUser: 2, retryAfterSeconds: 2 });

  /**
   * Reads a page of the unit's log events in batches (yielding between them); each
   * batch's sealed fixes are opened in the worker pool with the keys the vault gave.
   */
  private async readTrack(
    unit: Unit,
    unitId: string,
    from: number,
    to: number,
    by: Principal,
    page: { afterSeq?: number; maxEvents?: number },
    purpose: string,
  ): Promise<{ chunks: Float64Array[]; nextAfterSeq: number | null }> {
    const chunks: Float64Array[] = [];
    const daysRead = new Set<string>();
    let afterSeq = page.afterSeq ?? 0;
    let read = 0;
    let more = true;
    while (read < (page.maxEvents ?? TRACK_PAGE_EVENTS)) {
      const batch = await this.ctx.log.read({ subject: `unit:${unitId}`, typePrefixes: ['units.positions.recorded'], afterSeq, limit: TRACK_BATCH });
      if (batch.length === 0) {
        more = false;
        break;
      }
      const items = batch.map((e): TrackBatch['items'][number] => {
        const d = e.data as UnitEvents['units.positions.recorded'];
        return 'sealed' in d ? { key: d.sealed.key, sealed: d.sealed.sealed } : { fixes: d.fixes };
      });
      const subjects = [...new Set(items.flatMap((i): string[] => ('sealed' in i ? [i.key] : [])))];
      const keys = subjects.length > 0 ? await this.ctx.vault.get(subjects) : new Map<string, Buffer>();
      const opened = await runInWorker<OpenedBatch>({
        module: TRACK_WORKER,
        fn: 'openTrackBatch',
        input: { keys: [...keys].map(([subject, key]) => [subject, new Uint8Array(key)]), items, from, to } satisfies TrackBatch,
      });
      this.trackThreads.add(opened.threadId);
      chunks.push(opened.packed);
      for (const day of opened.days) daysRead.add(day);
      read += batch.length;
      afterSeq = batch.at(-1)!.seq;
      if (batch.length < TRACK_BATCH) {
        more = false;
        break;
      }
      await yieldToLoop();
    }
    // A crew's whereabouts are personal data: the read is recorded (who, which unit and day, why) before it is returned.
    if (daysRead.size > 0) {
      const reads = [...daysRead].map((subject) => ({
        subject,
        orgId: unit.orgId,
        label: `${unit.callSign} track ${subject.slice(subject.lastIndexOf(':') + 1)}`,
      }));
      await this.ctx.personal.recordReads(by, reads, purpose);
    }
    return { chunks, nextAfterSeq: more ? afterSeq : null };
  }

  /** Where a unit is now: its latest fix, else its home station. */
  positionOf(unit: Unit): Position {
    return unit.position?.position ?? unit.homePosition;
  }
}
