import type { Vigil } from '../vigil.js';
import { seedDemoOrgs, seedDemoUsers, DEMO_USERS } from '../identity/index.js';
import type { VigilConfig } from '../kernel/config.js';
import { demoKeyholders } from './demo-keyholders.js';
import { demoSubscribers } from './demo-subscribers.js';
import { generateDemoDevices } from './demo-devices.js';
import { demoUnits } from './demo-units.js';
import { DEMO_DISTRICTS, DEMO_FIRE_STATIONS } from './demo-city.js';
import { DEMO_CROWD_ZONES, DEMO_GATES, demoCrowdDevices, demoCrowdMessages } from './demo-crowd.js';
import type { ActionPlan } from '../alarms/contract.js';
import { seedDemoEvents } from '../major-events/index.js';
import { parseSyslog } from '../csirt/index.js';
import { DEMO_GATEWAY_SBOM_XML, DEMO_KERNEL_LOG, DEMO_SIREN_SBOM, demoSecurityAssets, demoSecurityEvents } from './demo-security.js';
import { seedDemoEngagement } from './demo-engagement.js';
import { seedDemoReports } from './demo-reports.js';

/** Monaco's resident population on 31 December 2023 (register-based census). */
export const DEMO_POPULATION = {
  total: 38_367,
  source: 'Monaco Statistics (IMSEE), 2023 Population Census, residents at 31/12/2023 — https://monacostatistics.mc/News/2023-Population-census',
  defaultLevels: 6,
};

/** The demo MARC's action plans (every site): what an operator must do per kind of alarm. */
export const DEMO_PLANS: Omit<ActionPlan, 'planId' | 'orgId'>[] = [
  {
    name: 'Fire',
    kinds: ['fire', 'heat', 'gas'],
    siteIds: [],
    steps: [
      { stepId: 'cameras', kind: 'view-cameras', text: 'Look at the cameras nearest the site for smoke or flames', mandatory: false, timerSeconds: null },
      { stepId: 'fire-service', kind: 'notify', text: 'Notify the fire service (18 / 112) with the address and zone', mandatory: true, timerSeconds: 60 },
      { stepId: 'contact', kind: 'call', text: 'Call the site contact, then the keyholders in order', mandatory: false, timerSeconds: 120 },
    ],
  },
  {
    name: 'Intrusion',
    kinds: ['burglary', 'tamper'],
    siteIds: [],
    steps: [
      { stepId: 'cameras', kind: 'view-cameras', text: 'Verify on the cameras: person seen, or nothing', mandatory: true, timerSeconds: 60 },
      { stepId: 'keyholders', kind: 'call', text: 'Call the keyholders in order; ask for the password', mandatory: false, timerSeconds: 180 },
      {
        stepId: 'guard',
        kind: 'dispatch',
        text: 'If not cancelled by a keyholder: dispatch a guard (Portier Private Security)',
        mandatory: false,
        timerSeconds: 300,
      },
    ],
  },
  {
    name: 'Hold-up, panic, duress',
    kinds: ['hold-up', 'panic', 'duress'],
    siteIds: [],
    steps: [
      { stepId: 'police', kind: 'notify', text: 'Notify the police (17 / 112) at once — do not call the site', mandatory: true, timerSeconds: 30 },
      { stepId: 'cameras', kind: 'view-cameras', text: 'Follow the cameras and pass what you see to the police', mandatory: false, timerSeconds: null },
    ],
  },
  {
    name: 'Medical',
    kinds: ['medical'],
    siteIds: [],
    steps: [
      { stepId: 'voice', kind: 'call', text: 'Speak to the person through the alarm unit or call them', mandatory: false, timerSeconds: 30 },
      {
        stepId: 'ambulance',
        kind: 'notify',
        text: 'Call the emergency medical service (15 / 112) unless it is a false alarm',
        mandatory: true,
        timerSeconds: 60,
      },
    ],
  },
];

function groupBy<T>(items: T[], key: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/**
 * The demo city: Monaco's organisations and one user per role, then the city model
 * imported from the bundled OpenStreetMap extract.
 */
export async function seedDemo(vigil: Vigil, config: VigilConfig): Promise<{ text: string }> {
  const started = performance.now();
  // How long each part takes (logged with the summary): what a faster first start has to work on. Parts that
  // do not depend on each other run together, so one part's wait (password hashing, a commit's fsync) is
  // another's work, and their appends share group commits.
  const steps: Record<string, number> = {};
  const timed = async <T>(name: string, part: () => Promise<T>): Promise<T> => {
    const from = performance.now();
    const result = await part();
    steps[name] = Math.round(performance.now() - from);
    return result;
  };
  const identityService = vigil.capabilities.identity.service;
  const orgIds = await timed('organisations', () => seedDemoOrgs(identityService));
  const identity = { orgIds };
  const cityService = vigil.capabilities.city.service;
  const organiser = { orgId: orgIds.events!, actor: 'system:demo' };
  // The users' Argon2 hashes are made on libuv's threads while the city is recorded.
  const users = timed('users', () => seedDemoUsers(identityService, orgIds, config.demoPassword));
  const cityParts = (async () => {
    const city = await timed('city-import', () => cityService.importCity(config.demoOsmFile, { orgId: orgIds.city!, actor: 'system:demo' }));
    const population = await timed('districts-population', async () => {
      // The extract has neither fire stations nor districts: the demo's, labelled as such.
      await cityService.registerSites(DEMO_FIRE_STATIONS, orgIds.city!, 'system:demo');
      const hoodId = (name: string) => [...cityService.state.areas.values()].find((a) => a.level === 'neighbourhood' && a.name === name)?.id;
      const districts = DEMO_DISTRICTS.map((d) => ({ ...d, neighbourhoodIds: d.neighbourhoods.map(hoodId).filter((id): id is string => !!id) })).filter(
        (d) => d.neighbourhoodIds.length > 0,
      );
      await cityService.defineDistricts(districts, orgIds.city!, 'system:demo');
      return cityService.estimatePopulation(DEMO_POPULATION, orgIds.city!, 'system:demo');
    });
    const installed = await timed('devices', async () => {
      const made = generateDemoDevices(
        cityService.state.sites.values(),
        { marc: orgIds.marc!, city: orgIds.city!, police: orgIds.police! },
        undefined,
        (areaId) => cityService.state.areas.get(areaId)?.name ?? null,
      );
      for (const orgZones of groupBy(made.zones, (z) => z.orgId)) await cityService.defineZones(orgZones, 'system:demo');
      await cityService.registerDevices(made.devices, 'system:demo');
      // The event organiser's people counters (crowd zones at Place du Casino and on Port Hercule), before
      // device security describes the installed base.
      await cityService.registerDevices(demoCrowdDevices(organiser.orgId), 'system:demo');
      return made;
    });
    const marc = { orgId: orgIds.marc!, actor: 'system:demo' };
    const subscribers = demoSubscribers(cityService.state.sites.values());
    await Promise.all([
      timed('plans-keyholders', async () => {
        // Issued together (appended in this order, committed together), not one commit after another.
        await Promise.all(DEMO_PLANS.map((plan) => vigil.capabilities.alarms.plans.definePlan(plan, marc)));
        const monitoredSites = [...new Set(installed.devices.filter((d) => d.kind === 'alarm-panel' && d.siteId).map((d) => d.siteId!))];
        await Promise.all(monitoredSites.map((siteId, i) => vigil.capabilities.alarms.plans.setKeyholders(siteId, demoKeyholders(i), marc)));
      }),
      timed('subscribers', () => vigil.capabilities.alerts.subscribers.registerMany(subscribers, 'system:demo', orgIds.city!)),
    ]);
    return { city, population, installed, subscribers };
  })();
  const [userCount, { city, population, installed, subscribers }] = await Promise.all([users, cityParts]);
  const principal = (username: string) => identityService.resolvePrincipalOf(username);
  const units = demoUnits(cityService.state.sites.values(), { responder: principal('responder').userId, guard: principal('guard').userId });
  // The units first: the citizen reports open an incident, whose recommendations need them.
  await timed('units', async () => {
    // Registered together (appended in this order, committed together), not one commit after another.
    await Promise.all(units.map(({ org, unit }) => vigil.capabilities.units.service.register(unit, { orgId: orgIds[org]!, actor: 'system:demo' })));
  });
  const [majorEvents, security, engagement, reports] = await Promise.all([
    timed('major-events-crowd', async () => {
      const made = await seedDemoEvents(
        vigil.capabilities.events.service,
        { police: principal('commander'), city: principal('admin') },
        orgIds,
        vigil.ctx.clock.now(),
      );
      // The crowd zones are the race's spectator areas: its participants (police, fire, stewards) see them too.
      for (const zone of DEMO_CROWD_ZONES) await vigil.capabilities.crowd.service.defineZone({ ...zone, eventId: made.raceId }, organiser);
      for (const gate of DEMO_GATES) await vigil.capabilities.crowd.service.defineGate(gate, organiser);
      // The counters' first messages, through the same MQTT topic router a broker's messages take (not written into the crowd state).
      // Written at once, not on the count window's (unref'd) timer, which a node with nothing else to do would not wait for.
      const router = vigil.capabilities.alarms.mqtt;
      const delivered = Promise.all(demoCrowdMessages(config.mqttTopic).map((m) => router.deliver(m.topic, m.payload)));
      await vigil.capabilities.crowd.service.counts.flush();
      await delivered;
      return made;
    }),
    // Device security: the installed base's firmware and SBOMs, matched against the offline CVE and KEV pack when present.
    timed('device-security', () => seedDemoSecurity(vigil, config, orgIds)),
    // The city's stakeholder registry, an open and a decided consultation, grievances (invented groups, real categories).
    timed('engagement', () => seedDemoEngagement(vigil.capabilities.engagement.service, principal('analyst'), vigil.ctx.clock.now())),
    // Citizen reports of the past week on Monaco's streets, in every state triage gives them.
    timed('citizen-reports', () =>
      seedDemoReports(
        vigil.capabilities.citizenReports.service,
        { city: principal('duty-officer'), police: principal('commander'), fire: principal('responder') },
        { city: orgIds.city!, police: orgIds.police!, fire: orgIds.fire! },
        vigil.ctx.clock.now(),
      ),
    ),
  ]);
  const lines = [
    `demo city loaded in ${Math.round(performance.now() - started)} ms: ${Object.keys(identity.orgIds).length} organisations, ${userCount} users, ` +
      `${city.neighbourhoods} neighbourhoods, ${city.sites} sites, ${city.roads} road segments, ` +
      `${population.total} residents on ${population.buildings} buildings, ${installed.devices.length} devices in ${installed.zones.length} zones, ${subscribers.length} alert subscribers, ${units.length} demo units, ${majorEvents.events} major events (${majorEvents.features} map features), ${engagement}, ${reports}, ${security}`,
    `sign in as one of: ${DEMO_USERS.map((u) => u.username).join(', ')} (password: ${config.demoPassword === 'vigil-demo' ? 'vigil-demo' : 'from VIGIL_DEMO_PASSWORD'})`,
  ];
  vigil.ctx.logger.info({ organisations: Object.keys(identity.orgIds).length, users: userCount, ...city, steps }, 'demo city loaded');
  return { text: lines.join('\n') };
}

async function seedDemoSecurity(vigil: Vigil, config: VigilConfig, orgIds: Record<string, string>): Promise<string> {
  const security = vigil.capabilities.deviceSecurity.service;
  const identityService = vigil.capabilities.identity.service;
  const principals = {
    city: identityService.resolvePrincipalOf('admin'),
    police: identityService.resolvePrincipalOf('commander'),
    marc: identityService.resolvePrincipalOf('supervisor'),
    fire: identityService.resolvePrincipalOf('responder'),
  };
  const city = vigil.capabilities.city.reads;
  const assets = demoSecurityAssets(city.devices.values(), city.sites.values(), {
    city: orgIds.city!,
    police: orgIds.police!,
    marc: orgIds.marc!,
    fire: orgIds.fire!,
  });
  const csirt = identityService.resolvePrincipalOf('csirt');
  // The XML SBOM is checked against its schema on a worker while the JSON one is checked here; the owners' assets go in one append each.
  await Promise.all([security.importSbom(DEMO_SIREN_SBOM, {}, csirt), security.importSbom(DEMO_GATEWAY_SBOM_XML, {}, csirt)]);
  await Promise.all(
    (['city', 'police', 'marc', 'fire'] as const).map((org) =>
      security.registerAssets(
        assets.filter((a) => a.org === org).map((a) => a.asset),
        principals[org],
      ),
    ),
  );
  const intel = config.vulnDataDir ? await security.importPath(config.vulnDataDir, 'system:demo') : null;
  const desk = await seedDemoCsirt(vigil);
  const summary = security.summary(csirt);
  return `${assets.length} devices described for device security (${intel ? `${intel.cves} CVE records, ${intel.kev} KEV entries` : 'no vulnerability data: set VIGIL_VULN_DATA_DIR'}; findings P1 ${summary.all.P1}, P2 ${summary.all.P2}, P3 ${summary.all.P3}, P4 ${summary.all.P4}), ${desk}`;
}

/**
 * The CSIRT desk is not empty: security events from a log shipper (a password spray on the VPN
 * portal, a siren controller's kernel reporting the nf_tables exploit, the firewall), the alerts
 * they raise, and a case in progress about the known exploited kernel flaw on that siren
 * controller, opened from its finding and the alert, with tasks, a note, the kernel log as an
 * artefact and the advisory to the owner awaiting its confirmation.
 */
async function seedDemoCsirt(vigil: Vigil): Promise<string> {
  const csirt = vigil.capabilities.csirt;
  const analyst = vigil.capabilities.identity.service.resolvePrincipalOf('csirt');
  const security = vigil.capabilities.deviceSecurity.service;
  const kev = security
    .findings(analyst, { kev: true })
    .findings.find((f) => f.cveId === 'CVE-2024-1086' && security.state.assets.get(f.assetId)?.asset.kind === 'siren-controller');
  const now = vigil.ctx.clock.now();
  const { json, syslog } = demoSecurityEvents(kev?.assetId ?? null, now);
  const lines = syslog.flatMap((l) => {
    const r = parseSyslog(l, now);
    return r.ok ? [csirt.intake.fromSyslog(r.message, '10.20.0.1', now)] : [];
  });
  // Written now, not on the batch window's (unref'd) timer: a node closing while the demo loads must not wait on it.
  const added = csirt.intake.add([...json.map((e) => csirt.intake.fromJson(e, '10.20.0.5', now)), ...lines]);
  await csirt.intake.flush();
  await added;
  const alerts = csirt.service.alerts(analyst);
  const critical = kev ? alerts.find((a) => a.rule === 'syslog-critical' && a.key === kev.assetId) : undefined;
  if (!kev) return `${alerts.length} security alerts`;
  const c = await csirt.service.openCase(analyst, {
    title: `Kernel exploit on a siren controller (${kev.cveId}, known exploited)`,
    description:
      'The siren controller reported a use-after-free in nf_tables and a privilege change right after a maintenance login from outside. Its firmware runs Linux 5.10.120: CVE-2024-1086 is in the KEV catalogue.',
    findingIds: [kev.findingId],
    alertIds: critical ? [critical.alertId] : [],
    observables: [{ type: 'ipv4', value: '203.0.113.77', ioc: true, note: 'maintenance login from outside' }],
    tlp: 'amber',
    pap: 'amber',
  });
  await csirt.service.updateCase(analyst, c.caseId, { assignee: 'csirt', status: 'in-progress' });
  const day = 86_400_000;
  const isolate = await csirt.service.addTask(analyst, c.caseId, {
    title: 'Move the siren controllers to the isolated VLAN',
    owner: 'csirt',
    dueAt: new Date(now + day / 4).toISOString(),
  });
  await csirt.service.addTask(analyst, c.caseId, {
    title: 'Ask Telegrafia for firmware with a fixed kernel',
    owner: 'admin',
    dueAt: new Date(now + 3 * day).toISOString(),
  });
  await csirt.service.addTask(analyst, c.caseId, {
    title: 'Rotate the maintenance password on every controller',
    owner: 'csirt',
    dueAt: new Date(now + day).toISOString(),
  });
  await csirt.service.taskDone(analyst, c.caseId, isolate.tasks[0]!.taskId, true);
  await csirt.service.comment(analyst, c.caseId, 'Firewall blocks 203.0.113.77 since 23:45; the siren still answers its polls.');
  await csirt.service.addArtefact(analyst, c.caseId, { name: 'siren-controller-kern.log', declaredType: 'text/plain', bytes: Buffer.from(DEMO_KERNEL_LOG) });
  return `${alerts.length} security alerts and case ${c.ref} in progress`;
}
