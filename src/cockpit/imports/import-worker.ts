import { threadId } from 'node:worker_threads';
import type { Variable } from '../model.js';
import { parsePeers, parseStatistics, type ImportInput } from './statistics-import.js';

/**
 * A cockpit import (statistics or peer values, CSV or JSON, up to 1 MB), in a pool worker: parsed and
 * checked line by line as before (cockpit-service.ts); the main thread receives the records and the
 * errors. The area names and the catalogue come with the input (plain data).
 */
export function parseStatisticsInWorker(input: {
  input: ImportInput;
  importId: string;
  variables: Map<string, Variable>;
  /** Area ids, and lower-cased names → id (an area is given by either). */
  areaIds: Set<string>;
  areaNames: Map<string, string>;
}): ReturnType<typeof parseStatistics> & { threadId: number } {
  const { areaIds, areaNames } = input;
  const parsed = parseStatistics(input.input, input.importId, input.variables, (ref) => (areaIds.has(ref) ? ref : (areaNames.get(ref.toLowerCase()) ?? null)));
  return { ...parsed, threadId };
}

export function parsePeersInWorker(input: {
  input: ImportInput;
  importId: string;
  indicators: Map<string, { measure: 'ratio' | 'distribution' }>;
}): ReturnType<typeof parsePeers> & { threadId: number } {
  return { ...parsePeers(input.input, input.importId, input.indicators), threadId };
}
