import type { StoredEvent } from '../../platform/event-log.js';
import type { Projection } from '../../platform/projection.js';
import type { AlertAuthority, AuthorityEvents } from './authority-model.js';

/** The alerting authorities in force, by organisation, rebuilt from `alerts.authority.*` events. */
export class AuthorityState implements Projection {
  readonly name = 'alert-authorities';
  readonly typePrefixes = ['alerts.authority.'];
  readonly byOrg = new Map<string, AlertAuthority>();

  apply(e: StoredEvent): void {
    switch (e.type as keyof AuthorityEvents) {
      case 'alerts.authority.granted': {
        const d = e.data as AuthorityEvents['alerts.authority.granted'];
        this.byOrg.set(d.orgId, { ...d, grantedBy: e.actor, grantedAt: e.at });
        break;
      }
      case 'alerts.authority.revoked': {
        const d = e.data as AuthorityEvents['alerts.authority.revoked'];
        if (this.byOrg.get(d.orgId)?.grantId === d.grantId) this.byOrg.delete(d.orgId);
        break;
      }
    }
  }
}
