// Moved: the schema to contract.ts, the parser to ingest/sensor-message.ts (exported by index.ts).
// Kept only for src/alerts until it imports those; remove then.
export { SENSOR_MESSAGE_SCHEMA, type SensorMessage } from './contract.js';
export { parseSensorMessage } from './ingest/sensor-message.js';
