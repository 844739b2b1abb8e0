/** The public face of the audit trail for the web UI: the query filter and answer shapes. */
export type { AuditQuery, AuditPage } from './audit-query.js';
