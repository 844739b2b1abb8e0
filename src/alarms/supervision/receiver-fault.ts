import { newId } from '../../kernel/ids.js';
import type { Signal } from '../model.js';

/**
 * The technical signal of the node's own DC-09 receiver: while it is down (its thread died
 * and is being started again) no panel's frame is received, so the operators see it in
 * their queue like a transmission path fault — the same kind, city-wide (no organisation
 * owns the receiver), one alarm per node, restored when the receiver is receiving again.
 */
export function receiverFaultSignal(nodeId: string, reason: string | null, now: number): Signal {
  const at = new Date(now).toISOString();
  return {
    signalId: newId('sig'),
    account: null,
    protocol: 'supervision',
    code: 'RCVR',
    kind: 'path-fault',
    phase: reason === null ? 'restore' : 'alarm',
    description: reason === null ? `Alarm receiver restored (node ${nodeId})` : `Alarm receiver fault: DC-09 frames are not received (node ${nodeId})`,
    zone: null,
    user: null,
    area: null,
    occurredAt: at,
    receivedAt: at,
    text: reason,
    position: null,
    siteId: null,
    // The correlation key: the fault and its restoration meet in one alarm per node.
    deviceId: `dc09-receiver:${nodeId}`,
    flags: ['receiver-fault'],
  };
}
