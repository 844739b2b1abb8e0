import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { EngagementEvents } from './events.js';
import type { Consultation, Contribution, Grievance, LogEntry, Relation, Stakeholder } from './model.js';

/** A participant who asked is told the decision and how their answer counted: one notice per channel. */
export interface DueDecisionNotice {
  noticeId: string;
  contributionId: string;
  channel: 'email' | 'push';
  attempts: number;
}

/** Engagement, rebuilt from `engagement.*`: the registry, relations, consultations with their contributions, grievances, and each stakeholder's log. */
export class EngagementState implements Projection {
  readonly name = 'engagement';
  readonly typePrefixes = ['engagement.'];
  readonly stakeholders = new Map<string, Stakeholder>();
  readonly relations = new Map<string, Relation>();
  readonly consultations = new Map<string, Consultation>();
  /** Consultation id → its contributions, in the order they came. */
  readonly contributions = new Map<string, Contribution[]>();
  readonly contributionById = new Map<string, Contribution>();
  readonly grievances = new Map<string, Grievance>();
  /** sha256 of a personal link's token → contribution or grievance id. */
  readonly byFollowHash = new Map<string, { kind: 'contribution' | 'grievance'; id: string }>();
  /** Stakeholder id → its engagement log, oldest first. */
  readonly logs = new Map<string, LogEntry[]>();
  /** Notices of a decision still due to participants who asked (noticeId → whose, which channel), oldest first. */
  readonly dueNotices = new Map<string, DueDecisionNotice>();
  /** noticeId → what became of it (sent, failed for good, attempts). */
  readonly notices = new Map<
    string,
    { contributionId: string; what: 'decided'; channel: 'email' | 'push'; state: 'due' | 'sent' | 'failed'; attempts: number; error: string | null; at: string }
  >();
  /** Contribution id → the ids of the notices to its participant. */
  readonly noticesOf = new Map<string, string[]>();
  /** Contribution or grievance id → seq of the event carrying the participant's sealed contact (their export and erasure). */
  readonly contactSeq = new Map<string, { kind: 'contribution' | 'grievance'; seq: number }>();

  private log(stakeholderId: string | null, entry: LogEntry): void {
    if (!stakeholderId || !this.stakeholders.has(stakeholderId)) return;
    const l = this.logs.get(stakeholderId);
    if (l) l.push(entry);
    else this.logs.set(stakeholderId, [entry]);
  }

  apply(e: StoredEvent): void {
    const type = e.type as keyof EngagementEvents;
    switch (type) {
      case 'engagement.stakeholder.registered': {
        const { stakeholder } = e.data as EngagementEvents[typeof type];
        this.stakeholders.set(stakeholder.stakeholderId, { ...stakeholder });
        this.log(stakeholder.stakeholderId, {
          at: e.at,
          kind: 'registered',
          summary: `Registered as ${stakeholder.kind}`,
          params: { kind: stakeholder.kind },
          actor: e.actor,
        });
        break;
      }
      case 'engagement.stakeholder.updated': {
        const { stakeholderId, changes } = e.data as EngagementEvents[typeof type];
        const s = this.stakeholders.get(stakeholderId);
        if (!s) return;
        Object.assign(s, changes, { updatedAt: e.at });
        this.log(stakeholderId, {
          at: e.at,
          kind: 'updated',
          summary: `Updated: ${Object.keys(changes).join(', ')}`,
          params: { fields: Object.keys(changes).join(',') },
          actor: e.actor,
        });
        break;
      }
      case 'engagement.relation.added': {
        const { relation } = e.data as EngagementEvents[typeof type];
        this.relations.set(relation.relationId, relation);
        break;
      }
      case 'engagement.interaction.logged': {
        const d = e.data as EngagementEvents[typeof type];
        this.log(d.stakeholderId, { at: d.at, kind: d.kind, summary: d.summary, actor: e.actor });
        this.logs.get(d.stakeholderId)?.sort((a, b) => a.at.localeCompare(b.at));
        break;
      }
      case 'engagement.consultation.drafted': {
        const { consultation } = e.data as EngagementEvents[typeof type];
        this.consultations.set(consultation.consultationId, { ...consultation, publishedAt: null, closedAt: null, decision: null });
        this.contributions.set(consultation.consultationId, []);
        break;
      }
      case 'engagement.consultation.published': {
        const c = this.consultations.get((e.data as EngagementEvents[typeof type]).consultationId);
        if (!c) return;
        c.publishedAt = e.at;
        for (const id of c.invitedIds)
          this.log(id, {
            at: e.at,
            kind: 'invited',
            summary: `Invited to "${c.title}"`,
            params: { title: c.title },
            actor: e.actor,
            consultationId: c.consultationId,
          });
        break;
      }
      case 'engagement.consultation.closed': {
        const c = this.consultations.get((e.data as EngagementEvents[typeof type]).consultationId);
        if (c) c.closedAt = e.at;
        break;
      }
      case 'engagement.contribution.received': {
        const { contribution, contact, notice } = e.data as EngagementEvents[typeof type];
        if (contact || notice) this.contactSeq.set(contribution.contributionId, { kind: 'contribution', seq: e.seq });
        const list = this.contributions.get(contribution.consultationId);
        if (!list) return;
        list.push(contribution);
        this.contributionById.set(contribution.contributionId, contribution);
        this.byFollowHash.set(contribution.followHash, { kind: 'contribution', id: contribution.contributionId });
        const c = this.consultations.get(contribution.consultationId);
        this.log(contribution.stakeholderId, {
          at: e.at,
          kind: 'contributed',
          summary: `Answered "${c?.title ?? contribution.consultationId}" (${contribution.position})`,
          params: { title: c?.title ?? '', position: contribution.position },
          actor: e.actor,
          consultationId: contribution.consultationId,
        });
        break;
      }
      case 'engagement.consultation.decided': {
        const { consultationId, decision } = e.data as EngagementEvents[typeof type];
        const c = this.consultations.get(consultationId);
        if (!c) return;
        c.decision = decision;
        c.closedAt ??= e.at;
        for (const x of this.contributions.get(consultationId) ?? [])
          for (const channel of x.notify?.channels ?? []) {
            const noticeId = `${x.contributionId}:decided:${channel}`;
            if (this.notices.has(noticeId)) continue;
            this.notices.set(noticeId, { contributionId: x.contributionId, what: 'decided', channel, state: 'due', attempts: 0, error: null, at: e.at });
            const ids = this.noticesOf.get(x.contributionId);
            if (ids) ids.push(noticeId);
            else this.noticesOf.set(x.contributionId, [noticeId]);
            this.dueNotices.set(noticeId, { noticeId, contributionId: x.contributionId, channel, attempts: 0 });
          }
        for (const o of decision.outcomes) {
          const contribution = this.contributionById.get(o.contributionId);
          this.log(contribution?.stakeholderId ?? null, {
            at: e.at,
            kind: 'answered',
            summary: `Decision on "${c.title}": ${o.effect} — ${o.explanation}`,
            params: { title: c.title, effect: o.effect, explanation: o.explanation },
            actor: e.actor,
            consultationId,
          });
        }
        break;
      }
      case 'engagement.grievance.filed': {
        const { grievance, contact } = e.data as EngagementEvents[typeof type];
        if (contact) this.contactSeq.set(grievance.grievanceId, { kind: 'grievance', seq: e.seq });
        this.grievances.set(grievance.grievanceId, { ...grievance, acknowledgedAt: null, resolvedAt: null, response: null, status: 'received' });
        this.byFollowHash.set(grievance.followHash, { kind: 'grievance', id: grievance.grievanceId });
        this.log(grievance.stakeholderId, {
          at: e.at,
          kind: 'grievance',
          summary: `Grievance: ${grievance.subject}`,
          params: { subject: grievance.subject },
          actor: e.actor,
          grievanceId: grievance.grievanceId,
        });
        break;
      }
      case 'engagement.grievance.acknowledged': {
        const d = e.data as EngagementEvents[typeof type];
        const g = this.grievances.get(d.grievanceId);
        if (!g) return;
        g.acknowledgedAt = e.at;
        g.status = 'acknowledged';
        if (d.note) g.response = d.note;
        this.log(g.stakeholderId, {
          at: e.at,
          kind: 'grievance-acknowledged',
          summary: `Grievance acknowledged: ${g.subject}`,
          params: { subject: g.subject },
          actor: e.actor,
          grievanceId: g.grievanceId,
        });
        break;
      }
      case 'engagement.grievance.resolved': {
        const d = e.data as EngagementEvents[typeof type];
        const g = this.grievances.get(d.grievanceId);
        if (!g) return;
        g.acknowledgedAt ??= e.at;
        g.resolvedAt = e.at;
        g.status = 'resolved';
        g.response = d.response;
        this.log(g.stakeholderId, {
          at: e.at,
          kind: 'grievance-resolved',
          summary: `Grievance resolved: ${d.response}`,
          params: { response: d.response },
          actor: e.actor,
          grievanceId: g.grievanceId,
        });
        break;
      }
      case 'engagement.notice.sent':
      case 'engagement.notice.failed': {
        const d = e.data as EngagementEvents['engagement.notice.failed'];
        const n = this.notices.get(d.noticeId);
        if (!n) return;
        n.at = e.at;
        if (type === 'engagement.notice.sent') {
          n.state = 'sent';
          n.error = null;
          this.dueNotices.delete(d.noticeId);
        } else {
          n.attempts++;
          n.error = d.error;
          const due = this.dueNotices.get(d.noticeId);
          if (due) due.attempts = n.attempts;
          if (d.final) {
            n.state = 'failed';
            this.dueNotices.delete(d.noticeId);
          }
        }
        break;
      }
    }
  }
}
