import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { LOOPBACK, localDialHost } from './kernel/config.js';
import type { Metrics } from './api/metrics.js';
import { MqttTopicRouter } from './adapters/protocols/mqtt/topic-router.js';
import { createAlarmsCapability } from './alarms/index.js';
import { createAuditCapability } from './audit/index.js';
import { createPrivacyCapability } from './privacy/index.js';
import { createAlertsCapability } from './alerts/index.js';
import { createEarlyWarningCapability } from './early-warning/index.js';
import { createCityCapability } from './city/index.js';
import { neighbourhoodLocator } from './city/contract.js';
import { createCockpitCapability } from './cockpit/index.js';
import { createIdentityCapability } from './identity/index.js';
import { createIncidentsCapability, RoadTravelTimes } from './incidents/index.js';
import { createMajorEventsCapability } from './major-events/index.js';
import { createUnitsCapability } from './units/index.js';
import { createCrowdCapability, footRouting } from './crowd/index.js';
import { alertEvacuationGuidance, createRoutingCapability } from './routing/index.js';
import { createCitizenReportsCapability } from './citizen-reports/index.js';
import { createEngagementCapability } from './engagement/index.js';
import { createOpenDataCapability } from './open-data/index.js';
import { createDirectoryCapability } from './directory/index.js';
import type { AppContext, Capability } from './platform/app-context.js';
import { createCsirtCapability } from './csirt/index.js';
import { createDeviceSecurityCapability } from './device-security/index.js';
import { createExchangeCapability } from './exchange/index.js';
import { createWebhooksCapability } from './webhooks/index.js';

/**
 * The capabilities of a Vigil node and how they are wired: the table of contents.
 * Each takes what it needs of the others through their public faces (read ports,
 * reactions declared in contracts), never their internals.
 */
export type Capabilities = ReturnType<typeof createCapabilities>;

export function createCapabilities(ctx: AppContext, metrics: Metrics) {
  const identity = createIdentityCapability(ctx);
  const city = createCityCapability(ctx);
  // One MQTT listener per node (alarms' receiver) delivers to this router; alarms, units and crowd register their topics.
  const mqtt = new MqttTopicRouter();
  // Vigil's own clients on the embedded broker (the siren channel) use this process's credential; devices have theirs (city).
  const mqttInternal = { username: 'vigil', password: randomBytes(32).toString('base64url') };
  const alarms = createAlarmsCapability(ctx, {
    city: city.reads,
    registry: metrics.registry,
    mqtt,
    mqttAccess: { verify: (username, secret) => city.mqttCredentials.state.verify(username, secret), internal: mqttInternal },
  });
  const units = createUnitsCapability(ctx, { city: city.reads, mqtt, trackerCredentials: city.mqttCredentials });
  const routing = createRoutingCapability(ctx, {
    sites: () => city.reads.sites.values(),
    // The road graphs follow the imported city: its extract is kept in the data folder (src/city).
    cityExtract: () => (city.reads.city?.extract ? resolve(ctx.config.dataDir, city.reads.city.extract) : null),
  });
  const alerts = createAlertsCapability(ctx, {
    publicAlertsOrg: () => identity.reads.platformOrgId(),
    orgs: () => identity.reads.orgs(),
    cityAreas: () => city.reads.areas,
    devices: () => city.reads.devices.values(),
    device: (id) => city.reads.devices.get(id),
    residents: () => city.reads.sites.values(),
    neighbourhoodOf: neighbourhoodLocator(() => city.reads.areas),
    // Alerts that ask people to evacuate carry a foot route to an assembly point, away from the growing hazard.
    guidance: alertEvacuationGuidance(routing.service, () => city.reads.sites.values(), routing.buildings),
    mqtt,
    embeddedMqtt: {
      // With a certificate the plain listener is on loopback; without, on the configured address.
      url: () => {
        const host = ctx.config.mqttTlsCert ? LOOPBACK : localDialHost(ctx.config.mqttEmbeddedHost);
        return alarms.receiver.mqttPort ? `mqtt://${host}:${alarms.receiver.mqttPort}` : null;
      },
      credential: mqttInternal,
    },
  });
  // Early warning reads the sensor readings alarms records and drafts alerts for approval through this port.
  const earlyWarning = createEarlyWarningCapability(ctx, {
    city: city.reads,
    alerts: {
      exists: (alertId) => alerts.service.state.alerts.has(alertId),
      check: (input) => alerts.service.check(input),
      draft: (alertId, input, rule, trigger) => alerts.service.draftTriggered(alertId, input, rule, trigger),
    },
  });
  // Dispatch ranks units by their travel time on the road graph, with live traffic and closures.
  const incidents = createIncidentsCapability(ctx, {
    units: units.service,
    city: city.reads,
    alarms: alarms.read,
    alerts: alerts.service.state,
    travelTimes: new RoadTravelTimes(routing.service),
  });
  // Major events: guidance routes on the same live graphs; links reach incidents and units the caller may see.
  const events = createMajorEventsCapability(ctx, {
    orgName: identity.reads.orgName,
    userByName: identity.reads.userByName,
    usernameOf: identity.reads.usernameOf,
    route: (profile, from, to) => routing.service.router(profile).route(from, to),
    incidentVisible: (id, p) => {
      const i = incidents.service.state.incidents.get(id);
      return i !== undefined && incidents.service.canSee(i, p);
    },
    unitVisible: (id, p) => units.service.visible(p).some((u) => u.unitId === id),
  });
  // Crowd density: counts come in with the sensors (MQTT `people-count`, camera analytics); level changes raise alarms; closed gates close the foot graph.
  const crowd = createCrowdCapability(
    ctx,
    {
      alarms: alarms.signals,
      mqtt,
      ...footRouting(routing.service),
      // Crowd zones drawn for a major event are seen by its participants from staff level up, whatever their organisation.
      eventSees: (eventId, p) => (events.reads.standing(eventId, p)?.level ?? 0) >= 2,
    },
    ctx.config.crowdWindowMs,
  );
  const audit = createAuditCapability(ctx);
  const cockpit = createCockpitCapability(ctx, { city: city.reads, subscribers: alerts.subscribers.state, routing });
  // Device security: the inventory's firmware and SBOMs matched against CVE records and KEV; findings for owners and the CSIRT.
  // A finding shows the CSIRT cases about it (the desk asks the policy); the desk opens cases from findings through the read port.
  const deviceSecurity = createDeviceSecurityCapability(ctx, {
    city: city.reads,
    orgName: identity.reads.orgName,
    casesOf: (p, f) => csirt.service.casesOfFinding(p, f),
  });
  // The cockpit's city figures of device security: share of devices with known exploited vulnerabilities, patch coverage.
  cockpit.state.useDeviceSecurity(deviceSecurity.reads);
  // The city CSIRT desk: security events (syslog, HTTP, the receiver's refusals, failed sign-ins), alerts, cases.
  const csirt = createCsirtCapability(ctx, {
    city: city.reads,
    orgName: identity.reads.orgName,
    actorName: (actor) => (actor.startsWith('user:') ? (identity.reads.usernameOf(actor.slice(5)) ?? actor) : actor),
    displayName: (username) => identity.reads.userByName(username)?.displayName ?? null,
    findings: { ...deviceSecurity.reads, triage: (findingId, input, p) => deviceSecurity.service.triage(findingId, input, p) },
    incidentVisible: (id, p) => {
      const i = incidents.service.state.incidents.get(id);
      return i !== undefined && incidents.service.canSee(i, p);
    },
  });
  // Citizen reports (Open311): owned by the organisation responsible for each service; triage opens incidents through incidents' service.
  const citizenReports = createCitizenReportsCapability(ctx, {
    city: city.reads,
    orgs: () => identity.reads.orgs(),
    platformOrgId: () => identity.reads.platformOrgId(),
    // A surge of reports in one place raises an alarm for the operators.
    alarms: alarms.signals,
    // Reporters who asked are told when their report is resolved, by e-mail or Web Push (alerts' adapters).
    messenger: alerts.messenger,
    incidents: {
      open: async (input, by) => {
        const i = await incidents.service.create({ ...input, type: input.type as Parameters<typeof incidents.service.create>[0]['type'] }, by);
        return { incidentId: i.incidentId, reference: i.reference };
      },
    },
  });
  // Stakeholders, consultations and grievances (ITU-T Y Suppl. 34): owned by the organisation that keeps them.
  // Participants who asked are told the decision and how their answer counted (alerts' e-mail and Web Push adapters).
  const engagement = createEngagementCapability(ctx, {
    orgs: () => identity.reads.orgs(),
    platformOrgId: () => identity.reads.platformOrgId(),
    messenger: alerts.messenger,
  });
  // Personal data about people, found by phone or e-mail for their export and erasure.
  const privacy = createPrivacyCapability(ctx, {
    holders: [incidents.dataSubjects, alerts.dataSubjects, citizenReports.dataSubjects, engagement.dataSubjects],
    orgName: identity.reads.orgName,
    platformOrgId: identity.reads.platformOrgId,
  });
  // Open data: a DCAT-AP catalogue of public datasets (alerts, anonymised reports, indicators, areas, facilities), k-suppressed.
  const openData = createOpenDataCapability(ctx, {
    city: city.reads,
    publicAlerts: (now) => alerts.service.state.active(now),
    reports: () => citizenReports.state.reports.values(),
    // Closed consultations' results (counts per position and effect), k-suppressed.
    *consultations() {
      for (const consultation of engagement.state.consultations.values())
        yield { consultation, contributions: engagement.state.contributions.get(consultation.consultationId) ?? [] };
    },
    orgName: (orgId) => identity.reads.orgName(orgId) ?? orgId,
    indicators: {
      defs: cockpit.state.catalogue.byId,
      table: (period, level) => cockpit.service.table(period, level),
      currentPeriod: (kind) => cockpit.service.currentPeriod(kind),
    },
  });
  // Display names for screens and exports (names, not ids), through the policy.
  const directory = createDirectoryCapability({
    users: () => identity.reads.users(),
    orgs: () => identity.reads.orgs(),
    platformOrgId: () => identity.reads.platformOrgId(),
    sites: () => city.reads.sites.values(),
    areaName: (areaId) => city.reads.areas.get(areaId)?.name ?? null,
    devices: () => city.reads.devices.values(),
    units: (p) => units.service.visible(p),
    incidents: (p) => incidents.service.visible(p, true),
  });
  // Exchange with a partner agency (EDXL over AMQP): incidents shared with the organisation standing for the partner go out.
  const exchange = createExchangeCapability(ctx, {
    incidents: incidents.service,
    orgs: () => identity.reads.orgs(),
    orgName: (orgId) => identity.reads.orgName(orgId),
    // A partner's CAP alerts over the link are imported like other agencies' feeds.
    importCap: async (xml, orgId, agency) => {
      const { alert, duplicate } = await alerts.service.importDocument(
        Buffer.from(xml, 'utf8'),
        { orgId, actor: `exchange:${agency}` },
        { via: 'link', agency, contentType: 'application/cap+xml' },
      );
      return { alertId: alert.alertId, duplicate };
    },
    shareRights: (fromOrgId, toOrgId) => {
      for (const s of identity.service.state.shares.values()) if (s.fromOrgId === fromOrgId && s.toOrgId === toOrgId) return s.rights;
      return null;
    },
  });
  // Every capability, named, in the order they are started and projected; `all` is derived from it,
  // so a capability cannot be wired by name and forgotten in the list (or the other way round).
  const named = {
    identity,
    city,
    alarms,
    alerts,
    earlyWarning,
    routing,
    units,
    incidents,
    events,
    crowd,
    audit,
    privacy,
    cockpit,
    csirt,
    deviceSecurity,
    citizenReports,
    engagement,
    openData,
    directory,
    exchange,
  };
  const all: Capability[] = Object.values(named);
  // Outgoing webhooks for every capability's events, each sent as the live feed would show it to the subscription.
  const webhooks = createWebhooksCapability(ctx, {
    liveViews: () => all.flatMap((c) => c.liveViews ?? []),
    principalForOrg: identity.reads.principalForOrg,
    checkDelegatedRoles: identity.reads.checkDelegatedRoles,
  });
  all.push(webhooks);
  return {
    ...named,
    webhooks,
    /** Vigil's own credential on this node's embedded broker (full rights): its own clients, and in-process gateways of tests and benches. */
    mqttInternal,
    all,
  };
}
