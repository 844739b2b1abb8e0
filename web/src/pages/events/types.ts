/** The shapes of /api/events answers (the server's model, src/major-events/model.ts). */
export type { EventFeature, EventMessage, EventUpload, Guidance, MajorEvent, Participant, Member, EntityLink } from '../../../../src/major-events/contract.js';
import type { EventFeature, EventMessage, EventUpload, Guidance, MajorEvent } from '../../../../src/major-events/contract.js';

export type GuidanceView = Guidance & { eventName?: string; acknowledged?: boolean };

export interface Standing {
  level: number;
  levelName: string;
  cappedFrom: number | null;
  reason: string | null;
  eventRole: string | null;
  orgId: string | null;
  userId: string | null;
}

export interface EventView {
  event: MajorEvent & { status: 'planned' | 'active' | 'ended' };
  me: Standing & { canManage: boolean; canDraw: boolean; canPushGuidance: boolean };
  features: EventFeature[];
  messages: EventMessage[];
  uploads: EventUpload[];
  guidance: GuidanceView[];
}

export const LEVELS: { level: number; name: string }[] = [
  { level: 1, name: 'public-info' },
  { level: 2, name: 'staff' },
  { level: 3, name: 'officer' },
  { level: 4, name: 'command' },
];
