import type { Position } from '../kernel/geo.js';
import type { NoticeConsent } from '../platform/notices.js';

/**
 * Citizen reports (Open311 GeoReport v2 service requests) and the safety services
 * they are filed under. Pure data: the web UI imports it through the contract.
 */

/** Where a report stands for the responsible organisation; Open311 shows open or closed. */
export const REPORT_STATUSES = ['received', 'acknowledged', 'in-progress', 'work-order', 'merged', 'resolved'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const open311Status = (s: ReportStatus): 'open' | 'closed' => (s === 'merged' || s === 'resolved' ? 'closed' : 'open');

/** Organisation kinds (identity's OrgKind values) a service is owned by. */
export type ResponsibleKind = 'city' | 'police' | 'fire';

export interface ServiceAttributeValue {
  key: string;
  name: { en: string; fr: string };
}

/** An Open311 service definition attribute. */
export interface ServiceAttribute {
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  description: { en: string; fr: string };
  datatypeDescription: { en: string; fr: string } | null;
  values: ServiceAttributeValue[];
}

export interface SafetyService {
  code: string;
  name: { en: string; fr: string };
  description: { en: string; fr: string };
  group: { en: string; fr: string };
  keywords: string[];
  /** Who triages it. */
  responsible: ResponsibleKind;
  /** Something that can be an emergency: every place that takes it says "call 112 for emergencies". */
  emergencyPossible: boolean;
  attributes: ServiceAttribute[];
}

export const EMERGENCY_NOTICE = {
  en: 'In an emergency — danger to people, a fire, someone trapped — call 112 now. This form is not watched around the clock.',
  fr: 'En cas d’urgence — personnes en danger, incendie, personne bloquée — appelez le 112 immédiatement. Ce formulaire n’est pas suivi en permanence.',
} as const;

const yesNo: ServiceAttributeValue[] = [
  { key: 'yes', name: { en: 'Yes', fr: 'Oui' } },
  { key: 'no', name: { en: 'No', fr: 'Non' } },
];

/** The safety services of the city, each owned by a responsible organisation. */
export const SAFETY_SERVICES: readonly SafetyService[] = [
  {
    code: 'street-light-out',
    name: { en: 'Street light out', fr: 'Éclairage public en panne' },
    description: { en: 'A street light that is off, flickering or damaged.', fr: 'Un lampadaire éteint, qui clignote ou qui est endommagé.' },
    group: { en: 'Streets', fr: 'Voirie' },
    keywords: ['lighting', 'lamp', 'dark'],
    responsible: 'city',
    emergencyPossible: false,
    attributes: [
      {
        code: 'light_state',
        datatype: 'singlevaluelist',
        required: true,
        description: { en: 'What is wrong with the light?', fr: 'Quel est le problème ?' },
        datatypeDescription: null,
        values: [
          { key: 'off', name: { en: 'Off', fr: 'Éteint' } },
          { key: 'flickering', name: { en: 'Flickering', fr: 'Clignote' } },
          { key: 'damaged', name: { en: 'Damaged pole or wires', fr: 'Mât ou câbles endommagés' } },
        ],
      },
    ],
  },
  {
    code: 'blocked-emergency-exit',
    name: { en: 'Blocked emergency exit', fr: 'Issue de secours bloquée' },
    description: {
      en: 'An emergency exit or escape route that is locked, blocked or obstructed. If people are in danger now, call 112.',
      fr: 'Une issue de secours ou un chemin d’évacuation fermé à clé, bloqué ou encombré. Si des personnes sont en danger, appelez le 112.',
    },
    group: { en: 'Safety', fr: 'Sécurité' },
    keywords: ['fire exit', 'evacuation', 'escape'],
    responsible: 'fire',
    emergencyPossible: true,
    attributes: [
      {
        code: 'building_open',
        datatype: 'singlevaluelist',
        required: true,
        description: { en: 'Is the building open to the public now?', fr: 'Le bâtiment est-il ouvert au public en ce moment ?' },
        datatypeDescription: null,
        values: yesNo,
      },
      {
        code: 'building_name',
        datatype: 'string',
        required: false,
        description: { en: 'Name of the building or business', fr: 'Nom du bâtiment ou de l’établissement' },
        datatypeDescription: null,
        values: [],
      },
    ],
  },
  {
    code: 'damaged-fire-hydrant',
    name: { en: 'Damaged fire hydrant', fr: 'Poteau d’incendie endommagé' },
    description: {
      en: 'A fire hydrant that is damaged, leaking, hidden or blocked by a vehicle.',
      fr: 'Un poteau d’incendie endommagé, qui fuit, masqué ou bloqué par un véhicule.',
    },
    group: { en: 'Safety', fr: 'Sécurité' },
    keywords: ['hydrant', 'water'],
    responsible: 'fire',
    emergencyPossible: false,
    attributes: [
      {
        code: 'hydrant_problem',
        datatype: 'singlevaluelist',
        required: true,
        description: { en: 'What is wrong?', fr: 'Quel est le problème ?' },
        datatypeDescription: null,
        values: [
          { key: 'damaged', name: { en: 'Damaged', fr: 'Endommagé' } },
          { key: 'leaking', name: { en: 'Leaking', fr: 'Fuit' } },
          { key: 'blocked', name: { en: 'Blocked or hidden', fr: 'Bloqué ou masqué' } },
        ],
      },
    ],
  },
  {
    code: 'flooding',
    name: { en: 'Flooding', fr: 'Inondation' },
    description: {
      en: 'Water on a street, in an underpass or a building. If people or vehicles are caught in water, call 112.',
      fr: 'De l’eau sur une voie, dans un passage souterrain ou un bâtiment. Si des personnes ou des véhicules sont pris par l’eau, appelez le 112.',
    },
    group: { en: 'Safety', fr: 'Sécurité' },
    keywords: ['water', 'flood', 'storm'],
    responsible: 'fire',
    emergencyPossible: true,
    attributes: [
      {
        code: 'water_depth_cm',
        datatype: 'number',
        required: false,
        description: { en: 'About how deep is the water (cm)?', fr: 'Profondeur d’eau approximative (cm) ?' },
        datatypeDescription: { en: 'A number of centimetres', fr: 'Un nombre de centimètres' },
        values: [],
      },
    ],
  },
  {
    code: 'suspicious-unattended-object',
    name: { en: 'Suspicious unattended object', fr: 'Objet suspect abandonné' },
    description: {
      en: 'A bag, parcel or object left unattended in a public place. Do not touch it; move away. If you think it is dangerous, call 112 now.',
      fr: 'Un sac, un colis ou un objet abandonné dans un lieu public. N’y touchez pas, éloignez-vous. Si vous pensez qu’il est dangereux, appelez le 112.',
    },
    group: { en: 'Safety', fr: 'Sécurité' },
    keywords: ['bag', 'parcel', 'package'],
    responsible: 'police',
    emergencyPossible: true,
    attributes: [
      {
        code: 'object_description',
        datatype: 'string',
        required: true,
        description: { en: 'What does the object look like?', fr: 'À quoi ressemble l’objet ?' },
        datatypeDescription: null,
        values: [],
      },
    ],
  },
  {
    code: 'noise',
    name: { en: 'Noise', fr: 'Bruit' },
    description: { en: 'Persistent noise disturbing residents.', fr: 'Un bruit persistant qui gêne les habitants.' },
    group: { en: 'Public order', fr: 'Ordre public' },
    keywords: ['noise', 'music', 'party'],
    responsible: 'police',
    emergencyPossible: false,
    attributes: [
      {
        code: 'noise_source',
        datatype: 'singlevaluelist',
        required: false,
        description: { en: 'Where does it come from?', fr: 'D’où vient-il ?' },
        datatypeDescription: null,
        values: [
          { key: 'street', name: { en: 'The street', fr: 'La rue' } },
          { key: 'venue', name: { en: 'A bar or venue', fr: 'Un bar ou une salle' } },
          { key: 'works', name: { en: 'Works', fr: 'Des travaux' } },
          { key: 'other', name: { en: 'Other', fr: 'Autre' } },
        ],
      },
    ],
  },
  {
    code: 'graffiti',
    name: { en: 'Graffiti', fr: 'Graffiti' },
    description: { en: 'Graffiti or tags on public property.', fr: 'Graffitis ou tags sur le domaine public.' },
    group: { en: 'Streets', fr: 'Voirie' },
    keywords: ['tag', 'vandalism'],
    responsible: 'city',
    emergencyPossible: false,
    attributes: [
      {
        code: 'offensive',
        datatype: 'singlevaluelist',
        required: false,
        description: { en: 'Is it offensive?', fr: 'Est-il injurieux ?' },
        datatypeDescription: null,
        values: yesNo,
      },
    ],
  },
];

export const SERVICE_BY_CODE: ReadonlyMap<string, SafetyService> = new Map(SAFETY_SERVICES.map((s) => [s.code, s]));

/** A report as recorded (without the reporter's personal data, which are sealed apart). */
export interface CitizenReport {
  reportId: string;
  serviceCode: string;
  /** The responsible organisation (triages it). */
  orgId: string;
  position: Position;
  address: string | null;
  description: string;
  attributes: Record<string, string | string[]>;
  /** A picture given by URL (Open311 media_url), kept as given. */
  mediaUrl: string | null;
  photo: { contentType: string; bytes: number; sha256: string; locationKept: boolean } | null;
  /** EXIF position of the photo, kept only when the reporter consented. */
  photoPosition: Position | null;
  requestedAt: string;
  /** Open311 token (public: a client that got no id looks it up). */
  token: string;
  /** SHA-256 of the personal follow token (the reporter keeps the token itself). */
  followHash: string;
  /** Which app posted it (its api_key's name). */
  via: string;
  /** An open report of the same service nearby when it came in (the check is a hint; triage merges). */
  nearbyOf: string | null;
  /**
   * The reporter's consent to be told when it is resolved (merged, turned into an incident):
   * the channels and when; their addresses are sealed with their other data. Absent on reports
   * recorded before notices existed.
   */
  notify?: NoticeConsent | null;
}

/** A report's fate after triage. */
export interface ReportState extends CitizenReport {
  status: ReportStatus;
  updatedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  /** Public note (Open311 status_notes). */
  publicNote: string | null;
  mergedInto: string | null;
  incident: { incidentId: string; reference: string } | null;
  /** Reports merged into this one. */
  merged: string[];
  /** Notices to the reporter: noticeId → sent, failed for good, or failed attempts so far. */
  notices: Record<string, ReportNotice>;
  /** The report's latest work order (the log holds earlier, cancelled ones). */
  workOrder?: WorkOrder | null;
}

export const WORK_ORDER_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type WorkOrderPriority = (typeof WORK_ORDER_PRIORITIES)[number];
export type WorkOrderState = 'assigned' | 'in-progress' | 'done' | 'cancelled';

/** A step of a work order: who (actor) and when. */
export interface WorkOrderStep {
  by: string;
  at: string;
}

/** A work order issued from a citizen report to a team or organisation (the maintenance desk's job). */
export interface WorkOrder {
  workOrderId: string;
  reportId: string;
  /** The organisation that issued it (the report's responsible organisation). */
  orgId: string;
  /** The organisation that does the work. */
  assigneeOrgId: string;
  /** The team within it, in words (a crew, a depot), if given. */
  team: string | null;
  priority: WorkOrderPriority;
  /** Day it is due (YYYY-MM-DD); Open311 expected_datetime is its end in the city's time. */
  dueDate: string;
  dueAt: string;
  instructions: string;
  state: WorkOrderState;
  issued: WorkOrderStep;
  started: WorkOrderStep | null;
  done: WorkOrderStep | null;
  cancelled: (WorkOrderStep & { reason: string }) | null;
}

/** A work order as staff read it: the report and the organisations in words. */
export interface WorkOrderView extends WorkOrder {
  serviceName: string;
  address: string | null;
  orgName: string;
  assigneeName: string;
  overdue: boolean;
  mayAct: boolean;
}

/** What became of one notice to the reporter (`<reportId>:<resolved|merged|escalated>:<channel>`). */
export interface ReportNotice {
  /** What it tells the reporter. */
  what: 'resolved' | 'merged' | 'escalated';
  channel: 'email' | 'push';
  state: 'due' | 'sent' | 'failed';
  attempts: number;
  error: string | null;
  at: string;
}

/** What the public sees of a report (Open311 and the public map). */
export interface PublicReport {
  reportId: string;
  serviceCode: string;
  serviceName: string;
  status: 'open' | 'closed';
  statusNotes: string | null;
  agencyResponsible: string;
  description: string;
  requestedAt: string;
  updatedAt: string;
  /** When the problem should be fixed (Open311 expected_datetime): the open work order's due time. */
  expectedAt: string | null;
  address: string | null;
  lat: number;
  long: number;
  mediaUrl: string | null;
}

/** What the reporter sees through the personal follow link. */
export interface FollowView {
  reportId: string;
  serviceCode: string;
  serviceName: { en: string; fr: string };
  status: ReportStatus;
  publicNote: string | null;
  agencyResponsible: string;
  requestedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** When merged: the report it joined, whose status this one follows. */
  mergedInto: string | null;
  /** When merged: the report whose status this one follows, as the public sees it (shown in words, not by its id). */
  joined: JoinedReportView | null;
  incidentReference: string | null;
  /** When a work order is open: the day the work is due. */
  workDue: string | null;
  position: Position;
}

/** The report a merged one joined, as its reporter reads it: service, street, day and status; its public page is `/citizen?report=<reportId>`. */
export interface JoinedReportView {
  reportId: string;
  serviceName: { en: string; fr: string };
  address: string | null;
  requestedAt: string;
  status: 'open' | 'closed';
  /** The organisation's note when it merged this report, if it wrote one. */
  mergeNote: string | null;
}

/** What triage staff see (the reporter's data only when the policy lets them). */
export interface StaffReportView extends Omit<ReportState, 'followHash' | 'token' | 'notices'> {
  notices: ReportNotice[];
  serviceName: string;
  agencyResponsible: string;
  reporter: Reporter | null;
  reporterErased: boolean;
  mayAct: boolean;
}

/** The reporter's personal data (Open311 email, first/last name, phone, device and account ids). */
export interface Reporter {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
}

/**
 * The api_key of Vigil's own citizen app. It is public (it ships in the web page), as
 * any app's key is once installed: it names the app in the reports; the rate limits
 * per address and device, not the key, hold floods back.
 */
export const CITIZEN_APP_API_KEY = 'vigil-citizen-app';
