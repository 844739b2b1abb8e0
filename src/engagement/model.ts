import type { NoticeConsent } from '../platform/notices.js';

/**
 * Stakeholders and engagement (ITU-T Y Suppl. 34, Appendix I and its core values of
 * participation): the registry with the Table I.1 dimensions and categories, the relations
 * drawn as the interaction map, consultations whose decision answers every contribution,
 * grievances with their times, and each stakeholder's engagement log. Types and pure rules
 * only (no store, no clock): the UI imports them through contract.ts.
 */

export const STAKEHOLDER_KINDS = ['organisation', 'group', 'representative'] as const;
export type StakeholderKind = (typeof STAKEHOLDER_KINDS)[number];

/** Scale of a stakeholder (Table I.1, "scale and sector"). */
export const SCALES = ['neighbourhood', 'city', 'regional', 'national', 'international'] as const;
export type Scale = (typeof SCALES)[number];

/** Sector of a stakeholder (Table I.1, "scale and sector"). */
export const SECTORS = ['public', 'private', 'civil-society', 'academia', 'residents'] as const;
export type Sector = (typeof SECTORS)[number];

/**
 * Categories of Y Suppl. 34 Appendix I: active stakeholders, beneficiaries, those affected
 * (supporters or opponents: `stance`), enablers or drivers of technology, enablers of the city.
 */
export const CATEGORIES = ['active', 'beneficiary', 'affected', 'technology-enabler', 'city-enabler'] as const;
export type Category = (typeof CATEGORIES)[number];

export const STANCES = ['supporter', 'opponent', 'neutral'] as const;
export type Stance = (typeof STANCES)[number];

/** Relations drawn on the interaction map. */
export const RELATION_KINDS = ['member-of', 'represents', 'partners-with', 'funds', 'regulates', 'supplies', 'informs', 'opposes'] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

/** The Table I.1 dimensions, as free text each (what the city knows of the stakeholder). */
export interface Dimensions {
  aims: string;
  challenges: string;
  potential: string;
  constraints: string;
  role: string;
  contributions: string;
}

export interface StakeholderInput {
  name: string;
  kind: StakeholderKind;
  /** A representative (or group) belongs to an organisation or group of the registry. */
  parentId: string | null;
  /** For a representative: their public capacity ("Chair of …"); no contact details are kept here. */
  capacity: string | null;
  scale: Scale;
  sector: Sector;
  categories: Category[];
  /** For the affected: supporter or opponent (or neutral); null when not said. */
  stance: Stance | null;
  /** 1 (low) to 5 (high), for the influence / interest matrix. */
  influence: number;
  interest: number;
  dimensions: Dimensions;
}

export interface Stakeholder extends StakeholderInput {
  stakeholderId: string;
  orgId: string;
  registeredAt: string;
  updatedAt: string;
}

export interface Relation {
  relationId: string;
  orgId: string;
  fromId: string;
  toId: string;
  kind: RelationKind;
  note: string | null;
}

export const INTERACTION_KINDS = ['meeting', 'call', 'letter', 'email', 'workshop', 'site-visit', 'other'] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

/** One line of a stakeholder's engagement log (recorded interactions and what the registry derived). */
export interface LogEntry {
  at: string;
  kind: InteractionKind | 'registered' | 'updated' | 'invited' | 'contributed' | 'answered' | 'grievance' | 'grievance-acknowledged' | 'grievance-resolved';
  /** The line in English, for API users and exports. */
  summary: string;
  /** The values the line names (slugs, titles, texts people wrote), for a client to say it in its reader's language by `kind`. */
  params?: Readonly<Record<string, string>>;
  actor: string;
  consultationId?: string;
  grievanceId?: string;
}

/** What a participant thinks of the proposal (said with an answer). */
export const POSITIONS = ['support', 'oppose', 'mixed', 'no-opinion'] as const;
export type Position = (typeof POSITIONS)[number];

/**
 * How a contribution affected the decision ("communicating to the participant how their
 * input affected the final decision"): each contribution gets one, with an explanation.
 */
export const EFFECTS = ['adopted', 'partly-adopted', 'considered-not-adopted', 'out-of-scope'] as const;
export type Effect = (typeof EFFECTS)[number];

export const EFFECT_TEXT: Record<Effect, { en: string; fr: string }> = {
  adopted: { en: 'Adopted: it changed the decision', fr: 'Retenue : elle a changé la décision' },
  'partly-adopted': { en: 'Partly adopted', fr: 'Retenue en partie' },
  'considered-not-adopted': { en: 'Considered, not adopted', fr: 'Examinée, non retenue' },
  'out-of-scope': { en: 'Outside the question asked', fr: 'Hors du sujet de la consultation' },
};

export interface ConsultationInput {
  title: string;
  question: string;
  /** The information published before it opens (what the proposal is, its costs, its options). */
  information: string;
  /** Invited stakeholders of the registry. */
  invitedIds: string[];
  /** Whether the public may answer from the citizen app (no account). */
  openToPublic: boolean;
  opensAt: string;
  closesAt: string;
}

export interface Consultation extends ConsultationInput {
  consultationId: string;
  orgId: string;
  createdAt: string;
  publishedAt: string | null;
  /** Closed before its time by its organisation (the close time otherwise). */
  closedAt: string | null;
  decision: Decision | null;
}

export interface Outcome {
  contributionId: string;
  effect: Effect;
  explanation: string;
}

export interface Decision {
  summary: string;
  decidedAt: string;
  outcomes: Outcome[];
}

export interface Contribution {
  contributionId: string;
  consultationId: string;
  orgId: string;
  /** A stakeholder of the registry (recorded by staff), or null for a member of the public. */
  stakeholderId: string | null;
  text: string;
  position: Position;
  receivedAt: string;
  via: 'citizen-app' | 'staff';
  /** sha256 of the personal link's token (the participant keeps the token). */
  followHash: string;
  /** The participant's consent to be told the decision (channels, language, when); their addresses are sealed apart. */
  notify?: NoticeConsent | null;
}

export type ConsultationStatus = 'draft' | 'published' | 'open' | 'closed' | 'decided';

/** Where a consultation stands at `now`: published before it opens, open between its times, closed after (or when closed early), decided. */
export function consultationStatus(c: Pick<Consultation, 'publishedAt' | 'closedAt' | 'decision' | 'opensAt' | 'closesAt'>, now: number): ConsultationStatus {
  if (c.decision) return 'decided';
  if (!c.publishedAt) return 'draft';
  if (c.closedAt || now >= Date.parse(c.closesAt)) return 'closed';
  if (now >= Date.parse(c.opensAt)) return 'open';
  return 'published';
}

export const GRIEVANCE_STATUSES = ['received', 'acknowledged', 'resolved'] as const;
export type GrievanceStatus = (typeof GRIEVANCE_STATUSES)[number];

/** The grievance mechanism's promises: acknowledged within 2 days, resolved within 30 (docs/engagement.md). */
export const ACKNOWLEDGE_WITHIN_MS = 2 * 86_400_000;
export const RESOLVE_WITHIN_MS = 30 * 86_400_000;

export interface Grievance {
  grievanceId: string;
  orgId: string;
  subject: string;
  text: string;
  /** The consultation it is about, if any. */
  consultationId: string | null;
  /** The stakeholder who raised it (recorded by staff), or null for a member of the public. */
  stakeholderId: string | null;
  receivedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  /** The answer the complainant reads. */
  response: string | null;
  status: GrievanceStatus;
  via: 'citizen-app' | 'staff';
  followHash: string;
}

/** A grievance's times against the promises: hours taken (or so far), and whether each promise was kept. */
export function grievanceTimes(
  g: Pick<Grievance, 'receivedAt' | 'acknowledgedAt' | 'resolvedAt'>,
  now: number,
): { hoursToAcknowledge: number | null; hoursToResolve: number | null; acknowledgeLate: boolean; resolveLate: boolean } {
  const from = Date.parse(g.receivedAt);
  const h = (to: string | null): number | null => (to ? Math.round(((Date.parse(to) - from) / 3_600_000) * 100) / 100 : null);
  const ack = g.acknowledgedAt ? Date.parse(g.acknowledgedAt) : now;
  const res = g.resolvedAt ? Date.parse(g.resolvedAt) : now;
  return {
    hoursToAcknowledge: h(g.acknowledgedAt),
    hoursToResolve: h(g.resolvedAt),
    acknowledgeLate: ack - from > ACKNOWLEDGE_WITHIN_MS,
    resolveLate: res - from > RESOLVE_WITHIN_MS,
  };
}

/** The quadrant of the influence / interest matrix (Mendelow): high is 4 or 5 on the scale 1–5. */
export type Quadrant = 'manage-closely' | 'keep-satisfied' | 'keep-informed' | 'monitor';
export function quadrantOf(s: Pick<StakeholderInput, 'influence' | 'interest'>): Quadrant {
  const hiInfluence = s.influence >= 3.5;
  const hiInterest = s.interest >= 3.5;
  if (hiInfluence && hiInterest) return 'manage-closely';
  if (hiInfluence) return 'keep-satisfied';
  if (hiInterest) return 'keep-informed';
  return 'monitor';
}

/**
 * Problems of a decision against its contributions: every contribution answered exactly once,
 * each with an explanation, none unknown. Empty when the decision may be recorded.
 */
export function decisionProblems(outcomes: readonly Outcome[], contributionIds: readonly string[]): string[] {
  const problems: string[] = [];
  const known = new Set(contributionIds);
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (!known.has(o.contributionId)) problems.push(`contribution ${o.contributionId} is not one of this consultation's`);
    else if (seen.has(o.contributionId)) problems.push(`contribution ${o.contributionId} is answered twice`);
    seen.add(o.contributionId);
    if (!o.explanation.trim()) problems.push(`contribution ${o.contributionId}: say how it affected the decision`);
  }
  const missing = contributionIds.filter((id) => !seen.has(id));
  if (missing.length > 0) problems.push(`every contribution is heard: ${missing.length} not answered (${missing.slice(0, 5).join(', ')})`);
  return problems;
}

/** Problems of a stakeholder's description, empty when it may be registered. */
export function stakeholderProblems(s: StakeholderInput): string[] {
  const problems: string[] = [];
  if (!s.name.trim()) problems.push('a stakeholder needs a name');
  if (s.kind === 'representative' && !s.parentId) problems.push('a representative represents an organisation or group of the registry');
  if (s.stance && !s.categories.includes('affected')) problems.push('a stance (supporter, opponent) is said of the affected');
  if (new Set(s.categories).size !== s.categories.length) problems.push('a category is listed twice');
  if (s.categories.length === 0) problems.push('at least one category');
  return problems;
}

/** Problems of a consultation's times and text, empty when it may be drafted. */
export function consultationProblems(c: ConsultationInput): string[] {
  const problems: string[] = [];
  const opens = Date.parse(c.opensAt);
  const closes = Date.parse(c.closesAt);
  if (!Number.isFinite(opens) || !Number.isFinite(closes)) problems.push('opensAt and closesAt are ISO 8601 times');
  else if (closes <= opens) problems.push('a consultation closes after it opens');
  if (!c.question.trim()) problems.push('a consultation asks a question');
  if (!c.information.trim()) problems.push('the information published before it opens is required');
  if (!c.openToPublic && c.invitedIds.length === 0) problems.push('invite stakeholders, or open it to the public');
  return problems;
}

// ── views ────────────────────────────────────────────────────────────────────

/** A consultation as the public reads it (no invited names beyond organisations, no contributions' texts). */
export interface PublicConsultation {
  consultationId: string;
  title: string;
  question: string;
  information: string;
  organisation: string;
  opensAt: string;
  closesAt: string;
  status: ConsultationStatus;
  openToPublic: boolean;
  /**
   * How many answers it received; null when 1 … k−1 (the public reads "fewer than k", k = `minCount`):
   * no published figure rests on fewer than k people (docs/open-data.md).
   */
  contributions: number | null;
  /** k: the least number of people behind a figure the public reads (VIGIL_OPEN_DATA_MIN_COUNT). */
  minCount: number;
  /** The decision; each count of answers by effect is null when withheld (1 … k−1, or a smaller one that would give it away). */
  decision: { summary: string; decidedAt: string; counts: Record<Effect, number | null> } | null;
}

/** What a participant reads through their personal link: their answer, and how it counted. */
export interface ParticipantView {
  kind: 'contribution';
  contributionId: string;
  consultation: PublicConsultation;
  text: string;
  position: Position;
  receivedAt: string;
  outcome: { effect: Effect; explanation: string } | null;
}

export interface GrievanceFollowView {
  kind: 'grievance';
  grievanceId: string;
  subject: string;
  organisation: string;
  status: GrievanceStatus;
  receivedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  response: string | null;
  acknowledgeBy: string;
  resolveBy: string;
}

export interface ParticipantContact {
  name: string | null;
  email: string | null;
}
