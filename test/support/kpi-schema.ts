/**
 * The constraints the Smart Data Models KeyPerformanceIndicator data model (version 0.2.1,
 * dataModel.KeyPerformanceIndicator, CC BY 4.0) puts on the properties Vigil's NGSI-LD
 * export writes, restated as a JSON Schema (2020-12) for the tests: the entity type, its
 * enumerations (category, calculation method and frequency, standing), the value being a
 * string, number, boolean, object or array (never null), dates in RFC 3339, and `id`/`type`
 * required. The GSMA commons (id, name, description, dates) are restated alongside.
 */
export const KPI_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:vigil:test:smart-data-models:KeyPerformanceIndicator:0.2.1',
  type: 'object',
  required: ['id', 'type'],
  properties: {
    id: { type: 'string', minLength: 1 },
    type: { type: 'string', enum: ['KeyPerformanceIndicator'] },
    name: { type: 'string' },
    alternateName: { type: 'string' },
    description: { type: 'string' },
    dateCreated: { type: 'string', format: 'date-time' },
    dateModified: { type: 'string', format: 'date-time' },
    source: { type: 'string' },
    dataProvider: { type: 'string' },
    category: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        enum: ['actionable', 'directional', 'financial', 'input', 'lagging', 'leading', 'output', 'practical', 'process', 'qualitative', 'quantitative'],
      },
    },
    organization: { type: 'string' },
    process: { type: 'string' },
    product: { type: 'string' },
    provider: { type: 'string' },
    businessTarget: { type: 'string' },
    calculationFrequency: { type: 'string', enum: ['hourly', 'daily', 'weekly', 'monthly', 'yearly', 'quarterly', 'bimonthly', 'biweekly'] },
    calculatedBy: { type: 'string' },
    calculationMethod: { type: 'string', enum: ['manual', 'automatic', 'semiautomatic'] },
    calculationFormula: { type: 'string' },
    aggregatedData: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', properties: { entityType: { type: 'string' }, attrs: { type: 'array', minItems: 1, items: { type: 'string' } } } },
    },
    calculationPeriod: { type: 'object', properties: { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' } } },
    currentStanding: { type: 'string', enum: ['veryGood', 'good', 'fair', 'bad', 'veryBad'] },
    kpiValue: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }, { type: 'array' }] },
    effectiveSince: { type: 'string', format: 'date-time' },
    dateNextCalculation: { type: 'string', format: 'date' },
    dateExpires: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    area: { type: 'string' },
  },
} as const;
