import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { DEMO_POPULATION, seedDemo } from './seed-demo.js';

test('the demo city: population on real buildings adds up, devices are placed and owned', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
  const config = { ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'silent' }), dataDir };
  const vigil = await openVigil(config);
  try {
    await seedDemo(vigil, config);
    const state = vigil.capabilities.city.service.state;
    const residents = [...state.sites.values()].reduce((a, s) => a + (s.residents ?? 0), 0);
    assert.equal(residents, DEMO_POPULATION.total, 'every resident is placed, whole people');
    const areas = [...state.areas.values()];
    const city = areas.find((a) => a.level === 'city')!;
    assert.equal(state.populationOf(city.id), DEMO_POPULATION.total);
    const neighbourhoods = areas.filter((a) => a.level === 'neighbourhood');
    const inNeighbourhoods = neighbourhoods.reduce((a, n) => a + state.populationOf(n.id)!, 0);
    const onCityOnly = [...state.sites.values()].filter((s) => s.areaId === city.id).reduce((a, s) => a + (s.residents ?? 0), 0);
    assert.equal(inNeighbourhoods + onCityOnly, DEMO_POPULATION.total, 'neighbourhood populations are sums of their buildings');
    for (const s of state.sites.values()) if (s.residents) assert.equal(s.category, 'building');
    // Districts (demo groupings, labelled) add up their neighbourhoods; the demo fire stations are sites, labelled too.
    const districts = areas.filter((a) => a.level === 'district');
    assert.deepEqual(districts.map((d) => d.name).sort(), ['East (demo district)', 'West (demo district)']);
    assert.deepEqual(
      districts.flatMap((d) => d.neighbourhoodIds!).sort(),
      neighbourhoods.map((n) => n.id).sort(),
      'every neighbourhood in exactly one district',
    );
    for (const d of districts)
      assert.equal(
        state.populationOf(d.id),
        d.neighbourhoodIds!.reduce((a, id) => a + state.populationOf(id)!, 0),
      );
    const stations = [...state.sites.values()].filter((s) => s.category === 'fire-station');
    assert.deepEqual(stations.map((s) => s.name).sort(), ['Fire and rescue post Port Hercule (demo)', 'Fire station Fontvieille (demo)']);
    assert.equal(stations.find((s) => s.name!.includes('Fontvieille'))!.areaId, neighbourhoods.find((n) => n.name === 'Fontvieille')!.id);
    const fpt = [...vigil.capabilities.units.service.state.units.values()].find((u) => u.callSign === 'FPT 1')!;
    assert.equal(fpt.homeSiteId, 'site:demo:fire-station-fontvieille');

    const devices = [...state.devices.values()];
    const kinds = new Set(devices.map((d) => d.kind));
    for (const k of ['alarm-panel', 'smoke-detector', 'camera', 'siren', 'loudspeaker', 'panic-button']) assert.ok(kinds.has(k as never), `no ${k}`);
    const panels = devices.filter((d) => d.kind === 'alarm-panel');
    assert.equal(new Set(panels.map((p) => p.account)).size, panels.length, 'panel accounts are unique');
    for (const d of devices) {
      if (d.zoneId) assert.equal(state.zones.get(d.zoneId)!.siteId, d.siteId, `${d.id} sits in its zone's site`);
      if (d.parentId && d.kind !== 'noise-sensor') assert.equal(state.devices.get(d.parentId)!.kind, 'alarm-panel');
      if (d.kind === 'noise-sensor')
        assert.match(state.devices.get(d.parentId ?? '')?.kind ?? '', /^(siren|loudspeaker)$/, `${d.id} measures for a warning device`);
      if (d.kind === 'cell-site')
        assert.ok(d.cell && d.cell.cellId.startsWith('001-01-') && d.label.startsWith('DEMO'), 'invented cells are flagged: test PLMN 001-01, DEMO label');
    }
    assert.equal(devices.filter((d) => d.kind === 'cell-site').length, 24);
    assert.equal(devices.filter((d) => d.kind === 'noise-sensor').length, devices.filter((d) => d.kind === 'siren' || d.kind === 'loudspeaker').length);
    // Visibility follows ownership and sharing: the MARC's panels are visible to the police (shared), not to the steward's organiser.
    const identity = vigil.capabilities.identity.service;
    const police = vigil.capabilities.city.service.findDevices(identity.resolvePrincipalOf('commander'), { kind: 'alarm-panel', limit: 5, offset: 0 });
    assert.equal(police.total, panels.length);
    // The organiser sees only its own devices: the crowd counters of its zones (src/demo/demo-crowd.ts).
    const steward = vigil.capabilities.city.service.findDevices(identity.resolvePrincipalOf('steward'), { limit: 50, offset: 0 });
    assert.equal(steward.total, 9);
    assert.ok(
      steward.devices.every((d) => /^(cam|line):/.test(d.id)),
      JSON.stringify(steward.devices.map((d) => d.id)),
    );
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
