import { openWithKey, sealWithKey } from '../kernel/secrets.js';
import type { Clock } from '../kernel/time.js';
import type { Principal } from './access.js';
import type { NewEvent, StoredEvent } from './event-log.js';
import type { KeyVault } from './key-vault.js';

/**
 * Personal data in the immutable log (docs/privacy.md). Each record of personal data
 * is sealed under a key of its own, kept in the vault outside the hash chain; when
 * the record's class reaches its retention period, or the person asks to be erased,
 * the key is shredded: every copy of the record in the log, its backups and replicas
 * becomes unreadable while the chain still verifies. One module for every class, so
 * the rule is the same for callers, photos, tracks, answers and subscribers.
 */
export const PERSONAL_CLASSES = ['caller', 'attachment', 'avl', 'answer', 'subscriber', 'reporter', 'participant'] as const;
export type PersonalClass = (typeof PERSONAL_CLASSES)[number];

/** What each class holds, the legal basis it is processed on (GDPR art. 6 unless said), and who may read it (docs/privacy.md). */
export const PERSONAL_DATA_CATALOGUE: Record<PersonalClass, { label: string; holds: string; legalBasis: string; readers: string }> = {
  caller: {
    label: 'Caller identity',
    holds: "name and phone number given to the call-taker, on the incident's opening",
    legalBasis: 'Art. 6(1)(e) public task (emergency response); Art. 6(1)(d) vital interests; police: Directive (EU) 2016/680 art. 8',
    readers: "the incident's organisation and organisations acting on it (dispatch, responders)",
  },
  attachment: {
    label: 'Attachments and photos',
    holds: "files attached to an incident's log and photos uploaded to a major event",
    legalBasis: 'Art. 6(1)(e) public task',
    readers: "dispatch and responders of the incident's organisation; a major event's participants by clearance",
  },
  avl: {
    label: 'AVL tracks',
    holds: "units' positions (the crew's whereabouts), one key per unit and day",
    legalBasis: "Art. 6(1)(e) public task; for a private firm's guards Art. 6(1)(f) legitimate interest, within labour law",
    readers: "the unit's organisation and organisations it is assigned to",
  },
  answer: {
    label: '"Are you safe?" answers with places',
    holds: "a recipient's answer to a warning; with the subscriber's home and work places when they need help",
    legalBasis: 'Art. 6(1)(d) vital interests',
    readers: "the issuing organisation's responders and alert officers",
  },
  subscriber: {
    label: 'Subscriber data',
    holds: 'name, e-mail, phone, push subscription, home/work/last places of people who asked to be warned',
    legalBasis: 'Art. 6(1)(a) consent (given when subscribing; withdrawn by unsubscribing)',
    readers: 'the holding organisation, for delivery only; no person reads them in the UI except through an export',
  },
  reporter: {
    label: 'Citizen reporters',
    holds: 'name, e-mail and phone a person gave with a citizen report (Open311), to be called back about it',
    legalBasis: 'Art. 6(1)(e) public task; giving them is optional (a report without them is accepted)',
    readers: "the report's responsible organisation (its triage staff), never the public nor partners",
  },
  participant: {
    label: 'Consultation participants and complainants',
    holds: 'name and e-mail a member of the public gave with an answer to a consultation or a grievance (both optional)',
    legalBasis: 'Art. 6(1)(e) public task (public participation); giving them is optional (an anonymous answer is accepted)',
    readers: "the consultation's or grievance's organisation (its engagement staff), never the public nor partners",
  },
};

/** Days each class is kept after its key was last used; 0 keeps it until the person's erasure. */
export type RetentionDays = Record<PersonalClass, number>;

export const DEFAULT_RETENTION_DAYS: RetentionDays = { caller: 90, attachment: 365, avl: 30, answer: 30, subscriber: 730, reporter: 365, participant: 365 };

/** A value as an event carries it: `sealed` is its JSON under the key of `key` (a vault subject, `<class>:<record id>`). */
export interface Sealed {
  key: string;
  sealed: string;
}

export const isSealed = (value: unknown): value is Sealed =>
  typeof value === 'object' && value !== null && typeof (value as Sealed).key === 'string' && typeof (value as Sealed).sealed === 'string';

export type ErasedWhy = 'retention' | 'request';

/** What a record reads as once its key is gone, everywhere (HTTP, live, exports). */
export const erasedText = (why: ErasedWhy): string => `[erased: ${why}]`;

/** Whether a text is what an erased record reads as. */
export const isErasedText = (text: string | null | undefined): boolean => typeof text === 'string' && /^\[erased: (retention|request)\]$/.test(text);

export const personalSubject = (kind: PersonalClass, recordId: string): string => `${kind}:${recordId}`;

export const classOf = (subject: string): PersonalClass | null => {
  const kind = subject.slice(0, subject.indexOf(':'));
  return (PERSONAL_CLASSES as readonly string[]).includes(kind) ? (kind as PersonalClass) : null;
};

/** One record read: its vault subject, the organisation that holds it, and what a person calls it (an incident's reference, a unit's call sign). */
export interface PersonalRecordRead {
  subject: string;
  orgId: string | null;
  label: string;
}

export interface PrivacyEvents {
  /** Keys shredded (or about to be: recorded first, so a node stopped in between shreds them on the next run). */
  'privacy.record.erased': { subjects: string[]; why: ErasedWhy };
  /** Who read which personal records, and why; recorded before the data are returned. */
  'privacy.personal.read': { records: { subject: string; label: string }[]; reason: string; by: string };
}

export const ERASED_EVENT = 'privacy.record.erased';

/** The subjects an erasure event erased, with why; null for any other event. */
export function erasedBy(e: StoredEvent): PrivacyEvents['privacy.record.erased'] | null {
  return e.type === ERASED_EVENT ? (e.data as PrivacyEvents['privacy.record.erased']) : null;
}

/** The same reader reading the same record for the same purpose within this time is recorded once. */
export const READ_AGAIN_AFTER_MS = 15 * 60_000;

/** Keys re-used for sealing within this time are not written to the vault again (AVL seals every few seconds). */
const TOUCH_EVERY_MS = 10 * 60_000;

/**
 * Seals records under their keys and opens them again. Keys are cached briefly for
 * frequent writers (AVL); the cache forgets a key as soon as it is shredded here.
 */
export class PersonalData {
  private readonly cache = new Map<string, { key: Buffer; touched: number }>();
  /** When each (reader, record, purpose) was last recorded on this node. */
  private readonly recentReads = new Map<string, number>();
  private record: ((events: NewEvent[]) => Promise<unknown>) | null = null;

  constructor(
    readonly vault: KeyVault,
    private readonly clock: Clock,
  ) {}

  /** Where reads are recorded (the context's `record`, set once the context exists). */
  recordWith(record: (events: NewEvent[]) => Promise<unknown>): void {
    this.record = record;
  }

  /**
   * Records that `by` read these personal records and why, durably, before the caller
   * returns them. A screen that refreshes on every live event reads the same record
   * again and again: the same reader, record and purpose is recorded once per window.
   */
  async recordReads(by: Principal, records: readonly PersonalRecordRead[], reason: string): Promise<void> {
    if (!this.record) throw new Error('personal data reads have nowhere to be recorded');
    const now = this.clock.now();
    const fresh = records.filter((r) => {
      const k = `${by.actor}\u0000${r.subject}\u0000${reason}`;
      const last = this.recentReads.get(k);
      return last === undefined || now - last >= READ_AGAIN_AFTER_MS || now < last;
    });
    if (fresh.length === 0) return;
    await this.record(personalReadEvents(by, fresh, reason));
    for (const r of fresh) this.recentReads.set(`${by.actor}\u0000${r.subject}\u0000${reason}`, now);
    if (this.recentReads.size > 50_000) this.recentReads.clear();
  }

  /** `value` as JSON sealed under the key of `subject` (created, durable in the vault, before it is used). */
  /** `seal` for many subjects, their keys created together (one vault transaction where the store has them). */
  async sealMany(items: readonly { subject: string; value: unknown }[]): Promise<Sealed[]> {
    const now = this.clock.now();
    const missing = items.map((i) => i.subject).filter((s) => !this.cache.has(s));
    if (this.vault.createMany && missing.length > 1) {
      const keys = await this.vault.createMany(missing, now);
      for (const [subject, key] of keys) {
        this.cache.set(subject, { key, touched: now });
        if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
      }
      const out: Sealed[] = [];
      for (const { subject, value } of items) {
        const key = keys.get(subject) ?? this.cache.get(subject)?.key;
        out.push(key ? { key: subject, sealed: sealWithKey(key, JSON.stringify(value)) } : await this.seal(subject, value));
      }
      return out;
    }
    return Promise.all(items.map((i) => this.seal(i.subject, i.value)));
  }

  async seal(subject: string, value: unknown): Promise<Sealed> {
    const now = this.clock.now();
    let entry = this.cache.get(subject);
    if (!entry || now - entry.touched >= TOUCH_EVERY_MS) {
      entry = { key: await this.vault.create(subject, now), touched: now };
      this.cache.set(subject, entry);
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    }
    return { key: subject, sealed: sealWithKey(entry.key, JSON.stringify(value)) };
  }

  /** The value, or null when its key was shredded. */
  async open<T>(value: Sealed): Promise<T | null> {
    const key = (await this.vault.get([value.key])).get(value.key);
    const plain = key ? openWithKey(key, value.sealed) : null;
    return plain === null ? null : (JSON.parse(plain) as T);
  }

  /** Shreds these keys for good; the erasure event is recorded by the caller first. */
  async shred(subjects: readonly string[]): Promise<number> {
    let shredded = 0;
    for (const subject of subjects) {
      this.cache.delete(subject);
      if (await this.vault.shred(subject)) shredded++;
    }
    return shredded;
  }
}

/**
 * For projections: fetches the keys a batch of events needs (`prepare`), then opens
 * sealed values synchronously while the batch is applied.
 */
export class SealedReader {
  private keys = new Map<string, Buffer>();

  constructor(private readonly vault: Pick<KeyVault, 'get'> | null) {}

  async prepare(subjects: readonly string[]): Promise<void> {
    this.keys = subjects.length > 0 && this.vault ? await this.vault.get([...new Set(subjects)]) : new Map();
  }

  /** The plain value of a sealed one; null when its key is gone. */
  open<T>(value: Sealed): T | null {
    const key = this.keys.get(value.key);
    const plain = key ? openWithKey(key, value.sealed) : null;
    return plain === null ? null : (JSON.parse(plain) as T);
  }

  /** A string sealed the subscribers' way (no envelope), under `subject`. */
  openString(subject: string, sealed: string): string | null {
    const key = this.keys.get(subject);
    return key ? openWithKey(key, sealed) : null;
  }
}

/**
 * The events that record a principal reading personal records, one per organisation
 * holding them (so each owner sees the reads of its data). `reason` is the purpose
 * the reader gave, else what the route is for.
 */
export function personalReadEvents(by: Principal, records: readonly PersonalRecordRead[], reason: string): NewEvent[] {
  const byOrg = new Map<string | null, PersonalRecordRead[]>();
  for (const r of records) byOrg.set(r.orgId, [...(byOrg.get(r.orgId) ?? []), r]);
  return [...byOrg].map(([orgId, list]) => ({
    type: 'privacy.personal.read',
    subject: list.length === 1 ? list[0]!.subject : `privacy:reads`,
    orgId,
    actor: by.actor,
    data: { records: list.map((r) => ({ subject: r.subject, label: r.label })), reason, by: by.displayName } satisfies PrivacyEvents['privacy.personal.read'],
    reason,
  }));
}

/** The purpose of a read: what the caller said (header `x-vigil-purpose`, trimmed, at most 200 characters), else the route's. */
export function readPurpose(given: string | string[] | undefined, routePurpose: string): string {
  const text = (Array.isArray(given) ? given[0] : given)
    ?.replace(/\p{Cc}/gu, ' ')
    .trim()
    .slice(0, 200);
  return text || routePurpose;
}

/** How an administrator finds a data subject: the phone number or e-mail address they gave. */
export interface DataSubjectQuery {
  phone: string | null;
  email: string | null;
}

/** One record about a data subject, as their export shows it. */
export interface DataSubjectRecord {
  /** The vault subject whose key erasure shreds. */
  subject: string;
  kind: PersonalClass;
  /** The organisation that holds it. */
  orgId: string | null;
  /** What a person calls it: an incident's reference and title, an alert's headline. */
  label: string;
  at: string;
  data: unknown;
}

/**
 * A record that may be about the person, its personal data still sealed: the privacy service
 * opens and matches it in the worker pool (src/privacy/subject-match-worker.ts), only for the
 * asking organisation's records, and builds the record only when it matched.
 */
export interface SealedCandidate {
  /** The organisation holding it (others' candidates are not opened). */
  orgId: string | null;
  /** The sealed values (null where absent). */
  sealed: readonly (Sealed | null)[];
  /** Which opened values identify the person: by their `email` (any case), by their `phone` (digits). */
  match: { email: readonly number[]; phone: readonly number[] };
  /** The record, from the opened values (null where a key was shredded or a value absent). */
  record(opened: readonly unknown[]): DataSubjectRecord | null;
}

/**
 * A capability holding personal data finds the records about a person (data-subject export and erasure):
 * `find` for holders that keep the person's data in memory (callers, subscribers), `sealedCandidates`
 * for those that keep it sealed in the log (reporters, participants) — opened off the main thread.
 */
export type DataSubjectHolder =
  { find(query: DataSubjectQuery): DataSubjectRecord[] } | { sealedCandidates(query: DataSubjectQuery): Promise<SealedCandidate[]> };

/** A phone number reduced to its digits, to match "+377 93 00 00 00" with "+37793000000"; null when too short to identify anyone. */
export function phoneDigits(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length >= 6 ? digits : null;
}
