import type { Area } from '../../src/city/contract.js';
import type { StoredEvent } from '../../src/platform/event-log.js';

/** A city area for the cockpit's tests: named by its id, no geometry, centred in Monaco, of organisation `o`; `extra` changes any field. */
export const testArea = (id: string, level: Area['level'], extra: Partial<Area> = {}): Area => ({
  id,
  name: id,
  level,
  geometry: null,
  center: [7.42, 43.73],
  areaM2: null,
  repaired: false,
  source: 'test',
  orgId: 'o',
  ...extra,
});

/**
 * Makes stored events to feed the states under test: numbered 1, 2, … in the order made (id `evt_<n>`),
 * at `at` (ms since the epoch; `t0` unless given), of subject `s`, organisation `o`, actor `test`, unchained.
 */
export function storedEvents(t0: number): (type: string, data: unknown, at?: number) => StoredEvent {
  let seq = 0;
  return (type, data, at = t0) =>
    ({
      type,
      data,
      id: `evt_${++seq}`,
      seq,
      at: new Date(at).toISOString(),
      subject: 's',
      orgId: 'o',
      actor: 'test',
      reason: null,
      prevHash: '',
      hash: '',
    }) as unknown as StoredEvent;
}
