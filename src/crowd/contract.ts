/**
 * The public face of the crowd capability for other capabilities and the web UI:
 * its events, DTOs and constants. Cheap to import. Crowd takes people counts from
 * the MQTT sensor topic (its own route) and from alarms' camera webhook (the reaction
 * `alarms.camera-people-count`), and raises alarms through alarms' `AlarmSignalsPort`.
 */
export { crowdEvent, type CrowdEvents } from './events.js';
export {
  DEFAULT_CRITICAL_DENSITY,
  DEFAULT_WARNING_DENSITY,
  HYSTERESIS,
  LEVELS,
  type CrowdZone,
  type CrowdZoneDefinition,
  type Gate,
  type GateDefinition,
  type Level,
  type PeopleCount,
  type Suggestion,
  type SuggestionKind,
} from './model.js';
export type { GateInput, ZoneInput, ZoneView } from './crowd-service.js';
