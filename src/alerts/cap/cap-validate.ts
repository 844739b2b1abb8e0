import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Semaphore } from '../../platform/heavy/job-gate.js';
import { XsdValidators } from '../../platform/heavy/xsd-validators.js';
import { tuning } from '../../kernel/tuning.js';

/** The official CAP 1.2 schema, compiled once per validator thread. */
const validators = new XsdValidators('cap12.xsd', readFileSync(join(import.meta.dirname, 'cap12.xsd'), 'utf8'));

/**
 * Each validation runs on a validator thread of its own, kept between runs (xsd-validators.ts).
 * At most this many run at once; documents that arrive meanwhile wait and are then validated
 * together in one run, so a burst of imports never holds more than these threads' CPU.
 */
export const capValidators = new Semaphore(tuning('VIGIL_CAP_VALIDATORS')!);
/** Runs of the validator so far (tests show waiting documents share runs). */
export const capValidatorRuns = { count: 0 };
const MAX_BATCH = 32;

interface Waiting {
  xml: string;
  resolve: (v: CapValidation) => void;
  reject: (e: unknown) => void;
}
const waiting: Waiting[] = [];

export interface CapValidation {
  valid: boolean;
  /** libxml2's messages, one per problem, with the line: "line 5: Element 'severity': [facet 'enumeration'] …". */
  errors: string[];
}

/**
 * Validates a document against the official CAP 1.2 schema shipped with Vigil
 * (cap12.xsd), with libxml2 compiled to WebAssembly: no network, no native build.
 */
export function validateCapXml(xml: string): Promise<CapValidation> {
  return new Promise((resolve, reject) => {
    waiting.push({ xml, resolve, reject });
    // Whoever gets a slot validates everything waiting by then (maybe this one, maybe already done).
    void capValidators.use(async () => {
      const batch = waiting.splice(0, MAX_BATCH);
      if (batch.length === 0) return;
      try {
        const results = await runValidator(batch.map((w) => w.xml));
        // Each document is checked on its own within the run: one bad document never fails another.
        for (const [i, w] of batch.entries()) w.resolve(results[i]!);
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    });
  });
}

/** Several documents in one run of the validator (a feed's worth costs about what one does). */
export async function validateCapDocuments(xmls: readonly string[]): Promise<CapValidation[]> {
  return capValidators.use(() => runValidator(xmls));
}

async function runValidator(xmls: readonly string[]): Promise<CapValidation[]> {
  if (xmls.length === 0) return [];
  capValidatorRuns.count++;
  return validators.validate(xmls);
}
