import { threadId } from 'node:worker_threads';
import { movedToCaller } from '../platform/heavy/move.js';

/** The city's buildings as the main thread read them: one column per field, nothing serialised yet. */
export interface BuildingColumns {
  /** lon, lat of each building. */
  positions: Float64Array;
  /** Its residents (0 when unknown). */
  residents: Float64Array;
  ids: string[];
  /** Its name, else its address, else null. */
  names: (string | null)[];
}

export interface PackedBuildings {
  residents: Float64Array;
  buildings: Float64Array;
  originsJson: string;
  threadId: number;
}

/**
 * Runs in a pool worker: the packing and the JSON of the origins (an object and a
 * stringify per building, the costly part) leave the main thread, which only read the
 * columns. The packed arrays are moved back, not copied.
 */
export function packBuildings(columns: BuildingColumns): PackedBuildings {
  const { positions, residents, ids, names } = columns;
  const count = residents.length;
  const byResidents = new Float64Array(count * 3);
  const byBuildings = new Float64Array(count * 3);
  const origins: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const lon = positions[2 * i]!;
    const lat = positions[2 * i + 1]!;
    byResidents[3 * i] = byBuildings[3 * i] = lon;
    byResidents[3 * i + 1] = byBuildings[3 * i + 1] = lat;
    byResidents[3 * i + 2] = residents[i]!;
    byBuildings[3 * i + 2] = 1;
    const name = names[i];
    origins[i] = JSON.stringify({ id: ids[i], ...(name ? { name } : {}), position: [lon, lat], people: residents[i] });
  }
  return movedToCaller({ residents: byResidents, buildings: byBuildings, originsJson: `[${origins.join(',')}]`, threadId }, [
    byResidents.buffer,
    byBuildings.buffer,
  ]);
}
