import type { RouteAccess } from '../platform/access.js';

/** One registered route and who may call it: the access matrix (GET /api/access) lists these. */
export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess;
  websocket: boolean;
}
