/** The alarms capability's public face (minimal; helper A's version replaces it at merge). */
export { SENSOR_MESSAGE_SCHEMA } from './sensor-message.js';
export type { AlarmEvents } from './events.js';
