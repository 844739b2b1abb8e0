import type { Role } from '../platform/access.js';
import type { StoredEvent } from '../platform/event-log.js';
import { can } from '../platform/policy.js';
import { holds, liveView, withData, type LiveProjector, type LiveView } from '../platform/live-view.js';
import type { IncidentEvents } from './events.js';
import type { IncidentsService } from './incidents-service.js';
import type { Incident } from './model.js';

/** The roles of GET /api/incidents/:id: whoever reads an incident over HTTP, and nobody else, follows it live. */
const VIEWERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'alert-officer', 'admin'];
/** The roles of GET /api/incidents/attachments/:id. */
const FILE_READERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'admin'];

type IncidentsViews = Pick<IncidentsService, 'canSee' | 'logFor' | 'viewFor' | 'resourceOf' | 'state'>;

/**
 * `incidents.*` on the live feed, as GET /api/incidents/:id shows the same incident:
 * only to those who may see it, the caller's identity only where the policy lets the
 * principal read it, internal messages only where the communications log shows them,
 * attachments' metadata only to those who may read attachments, and never their bytes.
 */
export function incidentsLiveView(service: IncidentsViews): LiveView {
  const seen =
    (project: (p: Parameters<LiveProjector>[0], e: StoredEvent, i: Incident) => StoredEvent | null): LiveProjector =>
    (p, e) => {
      const incidentId = (e.data as { incidentId?: string; incident?: Incident }).incidentId ?? (e.data as { incident?: Incident }).incident?.incidentId;
      const i = incidentId ? service.state.incidents.get(incidentId) : undefined;
      if (!i || !holds(p, VIEWERS) || !service.canSee(i, p)) return null;
      return project(p, e, i);
    };
  const asIs = seen((_p, e) => e);
  return liveView('incidents.', {
    // As GET /api/incidents/:id shows it (viewFor: linked alarms the principal may read), without the
    // caller: who called is personal data, read only through the incident's detail, where the read is recorded.
    'incidents.incident.opened': seen((p, e, i) => withData(e, { incident: { ...service.viewFor(i, p), caller: null } })),
    'incidents.incident.status-changed': asIs,
    'incidents.incident.taken': asIs,
    'incidents.incident.linked': asIs,
    'incidents.incident.updated': asIs,
    'incidents.casualties.recorded': asIs,
    'incidents.unit.dispatched': asIs,
    'incidents.unit.rerouted': asIs,
    'incidents.unit.released': asIs,
    // As the communications log shows it to the principal (internal channel, attachments).
    'incidents.message.posted': seen((p, e, i) => {
      const data = e.data as IncidentEvents['incidents.message.posted'];
      const entry = service.logFor(i, p).find((m) => m.entryId === data.messageId);
      if (!entry) return null;
      return entry.attachments.length === data.attachments.length ? e : withData(e, { ...data, attachments: entry.attachments });
    }),
    'incidents.attachment.stored': seen((p, e, i) => {
      if (!holds(p, FILE_READERS) || !can(p, 'personal', service.resourceOf(i, 'attachments'))) return null;
      // Never the file's bytes, in clear or sealed.
      const { base64: _bytes, sealed: _sealed, ...ref } = e.data as IncidentEvents['incidents.attachment.stored'] & { base64?: string; sealed?: unknown };
      return withData(e, ref);
    }),
  });
}
