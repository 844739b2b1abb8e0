/** What the web UI may know of the platform: the shape of a stored event (the live feed sends them). Types only. */
export type { StoredEvent } from './event-log.js';
export type { Role } from './access.js';
export type { NoticeStateView } from './notices.js';
