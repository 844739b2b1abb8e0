import type { Device } from '../../src/city/contract.js';

/** A device in Monaco, unplaced and unattached, for device-security and CSIRT tests. */
export const testDevice = (id: string, kind: Device['kind'], orgId: string, label = `${kind} ${id}`): Device => ({
  id,
  kind,
  label,
  siteId: null,
  zoneId: null,
  position: [7.42, 43.73],
  orgId,
  account: null,
  protocol: 'mqtt',
  parentId: null,
});
