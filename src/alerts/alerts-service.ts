import { createHash } from 'node:crypto';
import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { tuning } from '../kernel/tuning.js';
import { ByteBudget } from '../platform/heavy/job-gate.js';
import type { Principal } from '../platform/access.js';
import { assertCan, can, filterVisible } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import { personalSubject } from '../platform/personal-data.js';
import type { NewEvent } from '../platform/event-log.js';
import type { AlertsState } from './alerts-state.js';
import { capReference, capTime, type CapAlert, type CapInfo } from './cap/cap-model.js';
import { validateCapXml } from './cap/cap-validate.js';
import { capDifferences, checkImport, INLINE_DEREF_CHARS } from './exchange/cap-import.js';
import type { SignerKey } from './exchange/cap-signature.js';
import { capFindings } from './cap/cap-rules.js';
import { capToXml } from './cap/cap-xml.js';
import type { AlertEvents } from './events.js';
import { needsApproval, type AlertRecord, type AlertTrigger, type Channel } from './model.js';

/** What an alert officer writes; Vigil fills identifier, sender, sent and msgType. */
export type AlertInput = Pick<CapAlert, 'status' | 'scope' | 'restriction' | 'addresses' | 'code' | 'note' | 'incidents'> & {
  info: CapInfo[];
  channels: Channel[];
};

type By = Principal | { orgId: string; actor: string };

function event<K extends keyof AlertEvents>(type: K, alertId: string, orgId: string, actor: string, data: AlertEvents[K], reason?: string): NewEvent {
  return { type, subject: `alert:${alertId}`, orgId, actor, data, reason: reason ?? null };
}

/** Vigil's own alerts meet every rule, warnings included (cap/cap-rules.ts, shared with import). */
export function checkAlertContent(cap: CapAlert): void {
  const findings = capFindings(cap);
  // The first finding by its rule and what it names (the client words it: `cap.<rule>`); every finding in the details.
  if (findings.length > 0) throw badRequest(findings[0]!.message, { findings }).because(`cap.${findings[0]!.rule}`, findings[0]!.params ?? {});
}

/**
 * Public alerts: authoring, the second-person approval, issue, Update and Cancel
 * messages that reference earlier ones, and import of other agencies' CAP. Every
 * document Vigil issues or accepts is valid against the CAP 1.2 schema.
 */
export class AlertsService {
  /** CAP documents uploaded per user and minute (VIGIL_CAP_IMPORT_MIB_PER_MIN): feeds and the exchange link are not counted, the node polls those itself. */
  readonly uploadBudget = new ByteBudget('CAP documents', (tuning('VIGIL_CAP_IMPORT_MIB_PER_MIN') ?? 16) * 1024 * 1024, () => this.ctx.clock.now());

  constructor(
    private readonly ctx: AppContext,
    readonly state: AlertsState,
    /** Refuses what lies outside the organisation's authority to alert (authority/); none: no check (unit tests of CAP handling). */
    private readonly authority?: { requireAuthority(alert: AlertRecord, action: 'issue' | 'approve'): void },
    /** The keys an organisation trusts to sign a sender's alerts (exchange/trusted-signers.ts); none: signatures are kept, not verified. */
    private readonly trust?: (orgId: string, sender: string) => SignerKey[],
  ) {}

  now(): number {
    return this.ctx.clock.now();
  }

  get secrets(): AppContext['secrets'] {
    return this.ctx.secrets;
  }

  /** A recipient's answer: from their personal link (checked by the caller) or an SMS keyword; the event is the same. */
  async recordAnswer(alert: AlertRecord, recipientId: string, answer: 'safe' | 'need-help', via: 'link' | 'sms' = 'link'): Promise<void> {
    await this.ctx.record([
      {
        type: 'alerts.delivery.acknowledged',
        subject: `alert:${alert.alertId}`,
        orgId: alert.orgId,
        actor: via === 'sms' ? 'public:sms' : 'public',
        // Whether a person is safe is personal data: sealed under a key of its own, shredded at the end of its retention.
        data: {
          alertId: alert.alertId,
          recipientId,
          sealed: await this.ctx.personal.seal(personalSubject('answer', `${alert.alertId}:${recipientId}`), answer),
        },
      },
    ]);
  }

  /** Records that `by` read who needs help after this alert and where they live or work, and why, before it is returned. */
  async recordAnswersRead(alert: AlertRecord, recipientIds: readonly string[], by: Principal, purpose: string): Promise<void> {
    const headline = alert.cap.info?.[0]?.headline ?? alert.cap.identifier;
    await this.ctx.personal.recordReads(
      by,
      recipientIds.map((r) => ({
        subject: personalSubject('answer', `${alert.alertId}:${r}`),
        orgId: alert.orgId,
        label: `"${headline}": need help, with places`,
      })),
      purpose,
    );
  }

  alertFor(alertId: string, by: Principal): AlertRecord {
    const a = this.state.alerts.get(alertId);
    if (!a) throw notFound('alert', alertId);
    assertCan(by, 'read', { orgId: a.orgId }, 'alert', alertId);
    return a;
  }

  list(by: Principal): AlertRecord[] {
    return filterVisible(by, this.state.alerts.values(), (a) => a.orgId).sort((x, y) => y.createdAt.localeCompare(x.createdAt));
  }

  /** Whether the caller reads where people who answered "need help" live or work: personal data, the alerting organisation's only. */
  mayReadNeedHelpPlaces(alert: AlertRecord, by: Principal): boolean {
    return can(by, 'personal', { orgId: alert.orgId, personal: 'places' });
  }

  /** The CAP of an input, validated against the rules and the schema. */
  private async capOf(alertId: string, input: AlertInput, base: Pick<CapAlert, 'msgType' | 'references'>): Promise<CapAlert> {
    const cap: CapAlert = {
      identifier: alertId,
      sender: this.ctx.config.capSender,
      sent: capTime(this.ctx.clock.now()),
      status: input.status,
      msgType: base.msgType,
      scope: input.scope,
      restriction: input.restriction,
      addresses: input.addresses,
      code: input.code?.length ? input.code : undefined,
      note: input.note,
      references: base.references,
      incidents: input.incidents,
      info: input.info,
    };
    for (const k of Object.keys(cap) as (keyof CapAlert)[]) if (cap[k] === undefined || cap[k] === '') delete cap[k];
    checkAlertContent(cap);
    const validation = await validateCapXml(capToXml(cap));
    if (!validation.valid) throw new VigilError('validation_failed', `not valid CAP 1.2: ${validation.errors[0]}`, { errors: validation.errors });
    return cap;
  }

  async draft(input: AlertInput, by: By, derived?: Pick<CapAlert, 'msgType' | 'references'>): Promise<AlertRecord> {
    if (!by.orgId) throw badRequest('an alert belongs to an organisation');
    const alertId = newId('alt');
    const cap = await this.capOf(alertId, input, derived ?? { msgType: 'Alert' });
    const alert: AlertRecord = {
      alertId,
      orgId: by.orgId,
      cap,
      state: 'draft',
      origin: 'authored',
      channels: [...new Set(input.channels)],
      // An all-clear must not wait for a second person.
      needsApproval: cap.msgType === 'Cancel' ? false : needsApproval(cap),
      author: by.actor,
      createdAt: new Date(this.ctx.clock.now()).toISOString(),
      submittedAt: null,
      approvedBy: null,
      issuedAt: null,
      rejected: null,
      endedBy: null,
    };
    await this.ctx.record([event('alerts.alert.drafted', alertId, by.orgId, by.actor, { alert })]);
    return this.state.alerts.get(alertId)!;
  }

  /** Whether an input would make a valid alert (an early-warning rule's draft, checked when the rule is defined). */
  async check(input: AlertInput): Promise<void> {
    await this.capOf('alt_check', input, { msgType: 'Alert' });
  }

  /**
   * A draft written by an early-warning rule, submitted for approval at once: it
   * never issues itself. The ids come from the rule and the triggering reading, so
   * every node that decides the same firing appends the same events, once.
   */
  async draftTriggered(alertId: string, input: AlertInput, rule: { orgId: string; definedBy: string }, trigger: AlertTrigger): Promise<AlertRecord> {
    const cap = await this.capOf(alertId, input, { msgType: 'Alert' });
    const createdAt = new Date(this.ctx.clock.now()).toISOString();
    const alert: AlertRecord = {
      alertId,
      orgId: rule.orgId,
      cap,
      state: 'draft',
      origin: 'sensor-rule',
      channels: [...new Set(input.channels)],
      needsApproval: true,
      // The officer who defined the rule answers for its wording, so another officer approves it.
      author: rule.definedBy,
      createdAt,
      submittedAt: null,
      approvedBy: null,
      issuedAt: null,
      rejected: null,
      endedBy: null,
      trigger,
    };
    const actor = `rule:${trigger.ruleId}`;
    await this.ctx.record([
      { ...event('alerts.alert.drafted', alertId, rule.orgId, actor, { alert }), id: `${alertId}.drafted` },
      { ...event('alerts.alert.submitted', alertId, rule.orgId, actor, { alertId }), id: `${alertId}.submitted` },
    ]);
    return this.state.alerts.get(alertId)!;
  }

  async edit(alertId: string, input: AlertInput, by: Principal): Promise<AlertRecord> {
    const a = this.own(alertId, by);
    if (a.state !== 'draft' && a.state !== 'rejected')
      throw conflict(`an alert that is ${a.state} cannot be edited; issue an Update instead`).because('alert.not-editable', { alertState: a.state });
    const cap = await this.capOf(alertId, input, { msgType: a.cap.msgType, references: a.cap.references });
    // A sensor-drafted alert keeps its second person however it is edited.
    const approval = a.origin === 'sensor-rule' || (cap.msgType !== 'Cancel' && needsApproval(cap));
    await this.ctx.record([
      event('alerts.alert.edited', alertId, a.orgId, by.actor, { alertId, cap, channels: [...new Set(input.channels)], needsApproval: approval }),
    ]);
    return this.state.alerts.get(alertId)!;
  }

  /** Sends a draft on: to a second person when it needs approval, else out at once. */
  async submit(alertId: string, by: Principal): Promise<AlertRecord> {
    const a = this.own(alertId, by);
    if (a.state !== 'draft' && a.state !== 'rejected') throw conflict(`the alert is ${a.state}`).because('alert.in-state', { alertState: a.state });
    // Refused before it reaches an approver: a second person cannot widen the grant either.
    this.authority?.requireAuthority(a, 'issue');
    if (a.needsApproval) {
      await this.ctx.record([event('alerts.alert.submitted', alertId, a.orgId, by.actor, { alertId })]);
      return this.state.alerts.get(alertId)!;
    }
    return this.issue(a, by, null);
  }

  /** The second person releases it: not the author, same organisation, an alert officer (the route checks the role). */
  async approve(alertId: string, by: Principal): Promise<AlertRecord> {
    const a = this.own(alertId, by);
    if (a.state !== 'pending-approval')
      throw conflict(`only an alert waiting for approval can be approved; this one is ${a.state}`).because('alert.not-pending', { alertState: a.state });
    if (a.author === by.actor)
      throw new VigilError('forbidden', 'the author cannot approve their own alert: a second authorised person must').because('alert.four-eyes');
    // Checked again: the grant may have been narrowed or revoked while it waited.
    this.authority?.requireAuthority(a, 'approve');
    return this.issue(a, by, by.actor);
  }

  async reject(alertId: string, reason: string, by: Principal): Promise<AlertRecord> {
    const a = this.own(alertId, by);
    if (a.state !== 'pending-approval')
      throw conflict(`only an alert waiting for approval can be rejected; this one is ${a.state}`).because('alert.not-pending', { alertState: a.state });
    if (!reason.trim()) throw badRequest('say why the alert is rejected').because('alert.reject-reason-needed');
    await this.ctx.record([event('alerts.alert.rejected', alertId, a.orgId, by.actor, { alertId, reason: reason.trim() }, reason.trim())]);
    return this.state.alerts.get(alertId)!;
  }

  /** A draft Update or Cancel of an issued alert, referencing it; it takes effect when issued. */
  async derive(alertId: string, msgType: 'Update' | 'Cancel', by: Principal, input?: AlertInput): Promise<AlertRecord> {
    const a = this.own(alertId, by);
    if (a.state !== 'issued')
      throw conflict(`only an issued alert can be updated or cancelled; this one is ${a.state}`).because('alert.not-issued', { alertState: a.state });
    const base: AlertInput = input ?? {
      status: a.cap.status,
      scope: a.cap.scope,
      restriction: a.cap.restriction,
      addresses: a.cap.addresses,
      code: a.cap.code,
      incidents: a.cap.incidents,
      info: (a.cap.info ?? []).map((i) =>
        msgType === 'Cancel' ? { ...i, responseType: ['AllClear'], urgency: 'Past', headline: `${i.headline ?? i.event} — ended` } : { ...i },
      ),
      channels: a.channels,
    };
    return this.draft(base, by, { msgType, references: capReference(a.cap) });
  }

  private async issue(a: AlertRecord, by: Principal, approvedBy: string | null): Promise<AlertRecord> {
    const sent = capTime(this.ctx.clock.now());
    const final = capToXml({ ...a.cap, sent });
    const validation = await validateCapXml(final);
    if (!validation.valid) throw new VigilError('validation_failed', `not valid CAP 1.2: ${validation.errors[0]}`, { errors: validation.errors });
    const events = [
      event('alerts.alert.issued', a.alertId, a.orgId, by.actor, { alertId: a.alertId, sent, approvedBy }),
      ...this.endReferenced(a.cap, a.alertId, 'issued', a.orgId, by.actor),
    ];
    await this.ctx.record(events);
    const issued = this.state.alerts.get(a.alertId)!;
    // Durable now: delivery reacts ('alerts.issued'), and is not awaited, so it never holds up the answer.
    void this.ctx.reactions
      .emit('alerts.issued', issued)
      .catch((error: unknown) => this.ctx.logger.error({ err: error, alertId: issued.alertId }, 'alert delivery failed'));
    return issued;
  }

  /**
   * Another agency's CAP document (e.g. a national weather service) as text: the
   * upload's bytes (importDocument) when it came as a string.
   */
  async importXml(xml: string, by: Principal): Promise<{ alert: AlertRecord; duplicate: boolean }> {
    return this.importDocument(Buffer.from(xml, 'utf8'), { orgId: by.orgId ?? '', actor: by.actor }, { via: 'upload' });
  }

  /**
   * Another agency's CAP document, as received: decoded by its charset, CAP 1.1
   * converted, checked against the schema and the same rules as Vigil's own alerts
   * (errors refuse, warnings stay with it), its signature verified with the sender's
   * trusted keys (exchange/). The bytes are stored as received, in parts. The same
   * message again (sender, identifier, sent) returns the first import when its content
   * is the same and is refused (409, what differs) when not. An imported Cancel or
   * Update ends the imported alert it references.
   */
  async importDocument(
    bytes: Buffer,
    by: By,
    source: { via: 'upload' | 'feed' | 'link'; feedId?: string; agency?: string; charset?: string | null; contentType?: string },
  ): Promise<{ alert: AlertRecord; duplicate: boolean }> {
    if (!by.orgId) throw badRequest('an import belongs to an organisation');
    const orgId = by.orgId;
    const checked = await checkImport(bytes, { ...source, keysFor: (sender) => this.trust?.(orgId, sender) ?? [] });
    const { cap, details, parts } = checked;
    const known = this.state.byReference.get(capReference(cap));
    if (known) {
      const first = this.state.alerts.get(known)!;
      // The very same bytes read the same way: the same message, without comparing a MiB of areas on this thread.
      const same = first.imported?.received.sha256 === details.received.sha256 && first.imported.encoding === details.encoding;
      if (same) return { alert: first, duplicate: true };
      const differences = capDifferences({ cap: first.cap, embedded: first.imported?.omitted ?? [] }, { cap, embedded: details.omitted ?? [] });
      if (differences.length === 0) return { alert: first, duplicate: true };
      throw new VigilError(
        'conflict',
        `${cap.sender} already sent ${cap.identifier} at ${cap.sent} with other content: a corrected message is a new identifier (an Update). Differs: ${differences.slice(0, 3).join('; ')}`,
        { alertId: first.alertId, differences },
      );
    }
    const alertId = newId('alt');
    const alert: AlertRecord = {
      alertId,
      orgId,
      cap,
      state: 'imported',
      origin: 'imported',
      channels: [],
      needsApproval: false,
      author: by.actor,
      createdAt: new Date(this.ctx.clock.now()).toISOString(),
      submittedAt: null,
      approvedBy: null,
      issuedAt: cap.sent,
      rejected: null,
      endedBy: null,
      imported: details,
    };
    const events: NewEvent[] = parts.map((p, part) =>
      event('alerts.alert.received', alertId, orgId, by.actor, { alertId, part, base64: p.toString('base64') } satisfies AlertEvents['alerts.alert.received']),
    );
    events.push(event('alerts.alert.imported', alertId, orgId, by.actor, { alert }));
    events.push(...this.endReferenced(cap, alertId, 'imported', orgId, by.actor));
    await this.ctx.record(events);
    return { alert: this.state.alerts.get(alertId)!, duplicate: false };
  }

  /** An imported document exactly as received (its bytes and the type it came as); null for alerts that were not imported. */
  async receivedDocument(alert: AlertRecord): Promise<{ bytes: Buffer; contentType: string } | null> {
    const legacy = this.state.receivedXml.get(alert.alertId);
    if (legacy !== undefined) return { bytes: Buffer.from(legacy, 'utf8'), contentType: 'application/cap+xml; charset=utf-8' };
    const seqs = this.state.receivedParts.get(alert.alertId);
    if (!seqs || !alert.imported) return null;
    const chunks: Buffer[] = [];
    for (const seq of seqs) {
      const [e] = await this.ctx.log.read({ afterSeq: seq - 1, limit: 1 });
      const d = e?.data as AlertEvents['alerts.alert.received'] | undefined;
      if (!d || d.alertId !== alert.alertId) throw new VigilError('internal', `part of the received document of ${alert.alertId} not found`);
      chunks.push(Buffer.from(d.base64, 'base64'));
    }
    const bytes = Buffer.concat(chunks);
    if (createHash('sha256').update(bytes).digest('hex') !== alert.imported.received.sha256)
      throw new VigilError('internal', 'the received document does not match its hash');
    return { bytes, contentType: alert.imported.received.contentType };
  }

  /** Other agencies' alerts in force that the caller may read: imported, not ended, not a Cancel, not all expired. */
  otherAgencies(by: Principal): AlertRecord[] {
    const now = this.ctx.clock.now();
    return this.list(by).filter(
      (a) =>
        a.state === 'imported' &&
        a.cap.msgType !== 'Cancel' &&
        a.cap.msgType !== 'Ack' &&
        a.cap.msgType !== 'Error' &&
        !(a.cap.info ?? []).every((i) => i.expires && Date.parse(i.expires) < now),
    );
  }

  /**
   * Relays another agency's alert to Vigil's subscribers: a draft of the caller's
   * organisation with its content, which goes through approval like any alert (a
   * second alert officer releases it). `submit`: sent for approval at once (a feed's
   * automatic relay). Refused when the content breaks Vigil's own rules.
   */
  async relay(alertId: string, by: By, channels: Channel[], submit: boolean): Promise<AlertRecord> {
    const source = this.state.alerts.get(alertId);
    if (!source || source.state !== 'imported') throw notFound('imported alert', alertId);
    if ('kind' in by) assertCan(by, 'manage', { orgId: source.orgId }, 'alert', alertId);
    else if (by.orgId !== source.orgId) throw notFound('imported alert', alertId);
    const already = [...this.state.alerts.values()].find((a) => a.relayOf === alertId && a.state !== 'rejected');
    if (already) throw conflict(`already relayed as ${already.alertId} (${already.state})`);
    const c = source.cap;
    const input: AlertInput = {
      status: c.status,
      scope: 'Public',
      code: c.code,
      note: `Relayed from ${c.sender} (${c.identifier}, ${c.sent})`.slice(0, 2000),
      incidents: c.incidents,
      info: (c.info ?? []).map((i) => ({ ...i, resource: i.resource?.filter((r) => r.derefUri === undefined || r.derefUri.length <= INLINE_DEREF_CHARS) })),
      channels,
    };
    const draft = await this.draft(input, by);
    const events: NewEvent[] = [event('alerts.alert.relay-drafted', draft.alertId, draft.orgId, by.actor, { alertId: draft.alertId, relayOf: alertId })];
    if (submit) events.push(event('alerts.alert.submitted', draft.alertId, draft.orgId, by.actor, { alertId: draft.alertId }));
    await this.ctx.record(events);
    return this.state.alerts.get(draft.alertId)!;
  }

  /**
   * A Cancel or Update ends the alerts it references that are still in force
   * (`inForce`: issued for ours, imported for another agency's).
   */
  private endReferenced(cap: CapAlert, byAlertId: string, inForce: 'issued' | 'imported', orgId: string, actor: string): NewEvent[] {
    if (cap.msgType !== 'Cancel' && cap.msgType !== 'Update') return [];
    const how = cap.msgType === 'Cancel' ? 'cancelled' : 'superseded';
    return (cap.references ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .flatMap((ref) => {
        const earlier = this.state.byReference.get(ref);
        return earlier && this.state.alerts.get(earlier)?.state === inForce
          ? [event('alerts.alert.ended', earlier, orgId, actor, { alertId: earlier, by: byAlertId, how })]
          : [];
      });
  }

  /** An alert of the caller's own organisation: issuing public warnings is never shared (others may only see shared alerts). */
  private own(alertId: string, by: Principal): AlertRecord {
    const a = this.alertFor(alertId, by);
    assertCan(by, 'manage', { orgId: a.orgId }, 'alert', alertId);
    return a;
  }
}
