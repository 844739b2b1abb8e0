import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { Semaphore } from '../../platform/heavy/job-gate.js';
import { tuning } from '../../kernel/tuning.js';

const SCHEMA = { fileName: 'cap12.xsd', contents: readFileSync(join(import.meta.dirname, 'cap12.xsd'), 'utf8') };

/**
 * xmllint-wasm starts a worker thread and compiles libxml2 for every call: forty
 * imports at once meant forty threads fighting the main thread for two cores. At
 * most this many validations run at once; documents that arrive meanwhile wait and
 * are then validated together in one run (a run of many costs about what one does).
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
        for (const [i, w] of batch.entries()) {
          // Invalid in company: checked alone, so one bad document never fails another.
          w.resolve(batch.length > 1 && !results[i]!.valid ? (await runValidator([w.xml]))[0]! : results[i]!);
        }
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
  const files = xmls.map((contents, i) => ({ fileName: `alert-${i}.xml`, contents }));
  capValidatorRuns.count++;
  const result = await validateXML({ xml: files, schema: [SCHEMA] });
  const out: CapValidation[] = xmls.map(() => ({ valid: true, errors: [] }));
  for (const e of result.errors) {
    const index = Number(/^alert-(\d+)\.xml/.exec(e.loc?.fileName ?? e.rawMessage)?.[1] ?? -1);
    const where = e.loc?.lineNumber ? `line ${e.loc.lineNumber}: ` : '';
    const message = `${where}${e.message.replace(/^Schemas validity error : /, '').trim()}`;
    // An error the validator could not place fails every document rather than none.
    for (const [i, v] of out.entries()) {
      if (index === -1 || index === i) {
        v.valid = false;
        v.errors.push(message);
      }
    }
  }
  if (!result.valid && out.every((v) => v.valid)) for (const v of out) v.valid = false;
  return out;
}
