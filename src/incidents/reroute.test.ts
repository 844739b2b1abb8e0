import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteEventLog } from '../adapters/stores/sqlite/sqlite-event-log.js';
import { AlarmsState } from '../alarms/index.js';
import { AlertsState } from '../alerts/index.js';
import { CityState } from '../city/index.js';
import type { Position } from '../kernel/geo.js';
import { fakePrincipal, testContext } from '../../test/support/test-context.js';
import { UnitsService, UnitsState } from '../units/index.js';
import { IncidentsService } from './incidents-service.js';
import { IncidentsState } from './incidents-state.js';
import { StraightLineTravelTimes, type RouteResult, type TravelTimes } from './travel-times.js';

/**
 * The contract the routing engine will meet, exercised with a travel-time source
 * whose "traffic" the test changes (the engine itself lives on another branch):
 * ETAs order the recommendation, and a change re-routes active assignments.
 */
class ChangingTravelTimes implements TravelTimes {
  readonly name = 'test source with a closure switch';
  private readonly inner = new StraightLineTravelTimes();
  private readonly listeners = new Set<() => void>();
  closure = false;
  async etaSeconds(from: readonly Position[], to: Position, kind: Parameters<TravelTimes['etaSeconds']>[2]): Promise<(number | null)[]> {
    return (await this.inner.etaSeconds(from, to, kind)).map((s) => (s === null ? null : this.closure ? s * 3 : s));
  }
  async route(from: Position, to: Position, kind: Parameters<TravelTimes['route']>[2]): Promise<RouteResult> {
    const r = await this.inner.route(from, to, kind);
    return this.closure ? { geometry: { type: 'LineString', coordinates: [from, [from[0], to[1]], to] }, seconds: r.seconds * 3, metres: r.metres * 2 } : r;
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  change(): void {
    for (const l of this.listeners) l();
  }
}

test('re-routing: a traffic or closure change re-routes every active assignment, durably, and nothing else', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-reroute-'));
  const log = new SqliteEventLog(join(dir, 'vigil.sqlite'));
  const ctx = testContext(log);
  const city = new CityState();
  const unitsState = new UnitsState();
  const incidentsState = new IncidentsState();
  for (const p of [city, unitsState, incidentsState]) ctx.projections.register(p);
  await ctx.projections.start();
  try {
    const travel = new ChangingTravelTimes();
    const units = new UnitsService(ctx, unitsState, city);
    const service = new IncidentsService(ctx, incidentsState, units, city, new AlarmsState(ctx.secrets), new AlertsState(), travel);
    service.watchTravelTimes();
    const by = { orgId: 'org_A', actor: 'system:test' };
    const near = await units.register({ callSign: 'NEAR', kind: 'police-car', capabilities: ['law-enforcement'], homePosition: [7.421, 43.731] }, by);
    const far = await units.register({ callSign: 'FAR', kind: 'police-car', capabilities: ['law-enforcement'], homePosition: [7.44, 43.75] }, by);
    await units.register({ callSign: 'MEDIC', kind: 'ambulance', capabilities: ['basic-life-support'], homePosition: [7.42, 43.73] }, by);
    const commander = fakePrincipal(['commander']);
    const incident = await service.create({ type: 'crime', position: [7.42, 43.73], source: 'call' }, commander);
    const rec = await service.recommend(incident.incidentId, commander);
    assert.deepEqual(
      rec.ranked.map((r) => r.unit.callSign),
      ['NEAR', 'FAR'],
    );
    assert.deepEqual(
      rec.excluded.map((e) => e.callSign),
      ['MEDIC'],
    );
    await service.dispatch(incident.incidentId, near.unitId, commander);
    const beforeEta = incidentsState.incidents.get(incident.incidentId)!.assignments[0]!.etaSeconds!;
    travel.closure = true;
    travel.change();
    for (let i = 0; i < 200 && incidentsState.incidents.get(incident.incidentId)!.assignments[0]!.route!.coordinates.length !== 3; i++)
      await new Promise((r) => setTimeout(r, 10));
    const rerouted = await log.read({ typePrefixes: ['incidents.unit.rerouted'] });
    assert.equal(rerouted.length, 1);
    const after = incidentsState.incidents.get(incident.incidentId)!.assignments[0]!;
    assert.equal(after.etaSeconds, beforeEta * 3);
    assert.equal(after.route!.coordinates.length, 3);
    assert.ok(incidentsState.logs.get(incident.incidentId)!.some((e) => e.text.startsWith('Re-routed NEAR')));
    // Nothing changed since: no new event.
    assert.equal(await service.reroute(), 0);
    // A unit on scene needs no route.
    await service.unitStatus(incident.incidentId, near.unitId, 'on-scene', commander);
    travel.closure = false;
    assert.equal(await service.reroute(), 0);
    void far;
  } finally {
    ctx.projections.stop();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
