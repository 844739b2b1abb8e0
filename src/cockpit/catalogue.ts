import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { IndicatorDefinition, Variable } from './model.js';

const CATALOGUE_DIR = join(new URL('.', import.meta.url).pathname, 'catalogue');
export const CATALOGUE_FILES = ['iso-37120.json', 'iso-37122.json', 'iso-37123.json', 'u4ssc.json', 'vigil.json'] as const;

const levels = { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['site', 'neighbourhood', 'district', 'city'] } };
const entrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'theme', 'type', 'definition', 'levels', 'higherIsBetter', 'sources', 'citation', 'confirmed', 'confirmation'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9]+\\.[a-z0-9-]+$' },
    name: {
      type: 'object',
      additionalProperties: false,
      required: ['en', 'fr'],
      properties: { en: { type: 'string', minLength: 3 }, fr: { type: 'string', minLength: 3 } },
    },
    theme: { enum: ['safety', 'fire-emergency', 'resilience', 'alarms', 'warning'] },
    type: { enum: ['core', 'supporting', 'advanced', 'operational'] },
    definition: {
      type: 'object',
      additionalProperties: false,
      required: ['text', 'measure', 'numerator', 'denominator', 'unit', 'scale'],
      properties: {
        text: { type: 'string', minLength: 10 },
        measure: { enum: ['ratio', 'distribution'] },
        numerator: { type: 'string' },
        denominator: { type: ['string', 'null'] },
        unit: { type: 'string', minLength: 1 },
        scale: { type: 'number', exclusiveMinimum: 0 },
        percentiles: { type: 'array', minItems: 1, items: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 100 } },
      },
      // A ratio has a denominator; a distribution has none and says which percentiles.
      if: { properties: { measure: { const: 'ratio' } } },
      then: { properties: { denominator: { type: 'string' } } },
      else: { required: ['percentiles'], properties: { denominator: { type: 'null' } } },
    },
    levels,
    higherIsBetter: { type: 'boolean' },
    sources: { type: 'array', minItems: 1, items: { type: 'string' } },
    citation: {
      type: 'object',
      additionalProperties: false,
      required: ['document', 'clause'],
      properties: {
        document: { type: 'string', minLength: 3 },
        clause: { type: ['string', 'null'] },
        url: { type: 'string', pattern: '^https://' },
        note: { type: 'string' },
      },
    },
    confirmed: { type: 'boolean' },
    // What was checked against public material, against what, and why the rest could not be.
    confirmation: {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'checked', 'against', 'note'],
      properties: {
        status: { enum: ['confirmed', 'partial', 'unconfirmed'] },
        checked: { type: 'array', uniqueItems: true, items: { enum: ['clause', 'name', 'type', 'definition'] } },
        against: { type: ['string', 'null'], minLength: 10 },
        note: { type: ['string', 'null'] },
      },
    },
  },
  // Confirmed means checked: a clause to point at, and for a published standard the public page it was checked against.
  if: { properties: { confirmed: { const: true } } },
  then: { properties: { citation: { type: 'object', properties: { clause: { type: 'string' } } } } },
} as const;

const fileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['standard', 'title', 'note', 'indicators'],
  properties: {
    standard: { type: 'string' },
    title: { type: 'string' },
    note: { type: 'string' },
    indicators: { type: 'array', minItems: 1, items: entrySchema },
  },
} as const;

const variablesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['variables'],
  properties: {
    variables: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'kind', 'unit', 'origin', 'description'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9-]+$' },
          kind: { enum: ['stock', 'flow', 'distribution'] },
          unit: { type: 'string' },
          origin: { enum: ['statistics', 'operational'] },
          description: { type: 'string' },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true });
const validateFile = ajv.compile(fileSchema);
const validateVariables = ajv.compile(variablesSchema);

export interface Catalogue {
  indicators: IndicatorDefinition[];
  byId: Map<string, IndicatorDefinition>;
  variables: Map<string, Variable>;
  files: { file: string; standard: string; title: string; note: string }[];
}

export class CatalogueError extends Error {}

/**
 * Reads and checks the catalogue: each file against the schema, then the
 * cross-references (variables exist and fit the measure, a confirmed standard
 * clause names its public page, ids are unique).
 */
export function loadCatalogue(read: (file: string) => string = (f) => readFileSync(join(CATALOGUE_DIR, f), 'utf8')): Catalogue {
  const varsDoc: unknown = JSON.parse(read('variables.json'));
  if (!validateVariables(varsDoc)) throw new CatalogueError(`variables.json: ${ajv.errorsText(validateVariables.errors)}`);
  const variables = new Map<string, Variable>((varsDoc as { variables: Variable[] }).variables.map((v) => [v.id, v]));
  const indicators: IndicatorDefinition[] = [];
  const files: Catalogue['files'] = [];
  for (const file of CATALOGUE_FILES) {
    const doc: unknown = JSON.parse(read(file));
    if (!validateFile(doc)) throw new CatalogueError(`${file}: ${ajv.errorsText(validateFile.errors, { dataVar: 'entry' })}`);
    const d = doc as { standard: string; title: string; note: string; indicators: Omit<IndicatorDefinition, 'standard'>[] };
    files.push({ file, standard: d.standard, title: d.title, note: d.note });
    for (const entry of d.indicators) indicators.push({ ...entry, standard: d.standard });
  }
  const byId = new Map<string, IndicatorDefinition>();
  for (const i of indicators) {
    if (byId.has(i.id)) throw new CatalogueError(`${i.id}: the id is used twice`);
    byId.set(i.id, i);
    const num = variables.get(i.definition.numerator);
    if (!num) throw new CatalogueError(`${i.id}: unknown numerator variable ${i.definition.numerator}`);
    if ((num.kind === 'distribution') !== (i.definition.measure === 'distribution'))
      throw new CatalogueError(
        `${i.id}: a ${i.definition.measure} needs a ${i.definition.measure === 'distribution' ? 'distribution' : 'stock or flow'} numerator, ${num.id} is a ${num.kind}`,
      );
    if (i.definition.denominator) {
      const den = variables.get(i.definition.denominator);
      if (!den) throw new CatalogueError(`${i.id}: unknown denominator variable ${i.definition.denominator}`);
      if (den.kind === 'distribution') throw new CatalogueError(`${i.id}: the denominator ${den.id} is a distribution`);
    }
    if (i.confirmed && i.standard !== 'Vigil' && !i.citation.url)
      throw new CatalogueError(`${i.id}: confirmed, but no public page it was checked against (citation.url)`);
    checkConfirmation(i);
  }
  return { indicators, byId, variables, files };
}

/** The boolean and the detailed status say the same; whatever was checked names what it was checked against; what was not says why. */
function checkConfirmation(i: IndicatorDefinition): void {
  const c = i.confirmation;
  if (i.confirmed !== (c.status === 'confirmed')) throw new CatalogueError(`${i.id}: confirmed is ${i.confirmed} but the confirmation status is ${c.status}`);
  if (c.status === 'confirmed' && !c.checked.includes('definition')) throw new CatalogueError(`${i.id}: confirmed without checking the definition`);
  if (c.status !== 'unconfirmed' && (c.checked.length === 0 || !c.against))
    throw new CatalogueError(`${i.id}: ${c.status}, but nothing checked or no source named`);
  if (c.status === 'unconfirmed' && c.checked.length > 0) throw new CatalogueError(`${i.id}: unconfirmed, yet lists checked fields`);
  if (c.status !== 'confirmed' && !c.note) throw new CatalogueError(`${i.id}: not confirmed, and no note saying why`);
  if (c.checked.includes('clause') && !i.citation.clause) throw new CatalogueError(`${i.id}: the clause is said to be checked but is null`);
}
