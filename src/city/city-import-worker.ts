import { stat } from 'node:fs/promises';
import { threadId, type MessagePort } from 'node:worker_threads';
import { readOsm, type OsmLimits } from '../adapters/osm/osm-reader.js';
import { buildCityModel, type CityModel } from './osm-city.js';

export interface ParsedExtract {
  model: CityModel;
  counts: { nodes: number; ways: number; relations: number };
  threadId: number;
}

/** Progress a worker posts to the main thread while it reads and builds. */
export interface ParseProgress {
  phase: 'reading' | 'building';
  done: number;
  total: number;
}

/**
 * Reads an extract from disk and builds the city model, in a worker thread of the
 * platform pool: parsing a city takes seconds of CPU the main thread keeps for
 * alarms. Only the model (not the raw OSM data) travels back.
 */
export async function parseCityExtract(task: { file: string; limits: OsmLimits; progress: MessagePort }): Promise<ParsedExtract> {
  const post = (p: ParseProgress): void => task.progress.postMessage(p);
  try {
    const { size } = await stat(task.file);
    let lastPosted = 0;
    const data = await readOsm(
      task.file,
      size,
      (p) => {
        // About a hundred messages for a whole file, not one per chunk.
        if (p.bytes - lastPosted < size / 100 && p.bytes < size) return;
        lastPosted = p.bytes;
        post({ phase: 'reading', done: p.bytes, total: p.totalBytes });
      },
      task.limits,
    );
    post({ phase: 'building', done: 0, total: data.ways.size });
    const model = buildCityModel(data, (done, total) => post({ phase: 'building', done, total }));
    return { model, counts: { nodes: data.nodes.size, ways: data.ways.size, relations: data.relations.length }, threadId };
  } finally {
    task.progress.close();
  }
}
