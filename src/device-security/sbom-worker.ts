import { threadId } from 'node:worker_threads';
import { readSbom, type ReadSbom } from './sbom.js';

export interface ReadSbomInWorker {
  read: ReadSbom;
  /** The thread that read it (tests show it was not the main thread). */
  threadId: number;
}

/**
 * An SBOM upload (CycloneDX JSON or XML, up to 4 MiB), in a pool worker: parsed, validated against
 * the CycloneDX schema of its spec version (ajv, or the XSD with libxml2) and read into the
 * components the log keeps; the main thread receives those, never the document's object graph or
 * DOM. Refusals are readSbom's own (400 bad_request), crossing back as themselves.
 */
export async function readSbomInWorker(input: { document: string }): Promise<ReadSbomInWorker> {
  return { read: await readSbom(input.document), threadId };
}
