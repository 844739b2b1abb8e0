import type { Role } from '../platform/access.js';
import { can } from '../platform/policy.js';
import { holds, liveView, type LiveProjector, type LiveView } from '../platform/live-view.js';
import type { CsirtEvents } from './contract.js';

/** The roles of the desk's read routes (routes.ts CSIRT_READERS). */
const READERS: readonly Role[] = ['csirt', 'admin', 'supervisor'];

/** Security-confidential: the owner organisation and the city's CSIRT only. */
const confidential: LiveProjector = (p, e) => (holds(p, READERS) && can(p, 'read', { orgId: e.orgId, confidential: 'security' }) ? e : null);
/** An artefact's bytes stay in the log: the feed says a file was added, with its name and hash. */
const withoutBytes: LiveProjector = (p, e) => {
  if (!confidential(p, e)) return null;
  const { base64: _bytes, ...data } = e.data as CsirtEvents['csirt.case.artefact-added'];
  return { ...e, data };
};
/** Raw event batches are the bulk: not pushed (the desk polls the latest). */
const none: LiveProjector = () => null;

export function csirtLiveView(): LiveView {
  return liveView('csirt.', {
    'csirt.events.received': none,
    'csirt.alert.raised': confidential,
    'csirt.alert.status-changed': confidential,
    'csirt.case.opened': confidential,
    'csirt.case.updated': confidential,
    'csirt.case.alerts-linked': confidential,
    'csirt.case.task-added': confidential,
    'csirt.case.task-done': confidential,
    'csirt.case.observable-added': confidential,
    'csirt.case.findings-linked': confidential,
    'csirt.case.artefact-added': withoutBytes,
    'csirt.case.artefact-erased': confidential,
    'csirt.case.commented': confidential,
    'csirt.case.closed': confidential,
    'csirt.case.reopened': confidential,
    'csirt.advisory.sent': confidential,
    'csirt.advisory.confirmed': confidential,
    'csirt.indicators.imported': confidential,
  } satisfies Record<keyof CsirtEvents, LiveProjector>);
}
