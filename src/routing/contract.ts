/** The public face of routing for other capabilities and the web UI: closures, speeds, assembly points, profiles, its event map. */
export type { AssemblyPoint, Closure, RoutingEvents, SpeedUpdate } from './model.js';
export { PROFILES, type ProfileName } from './profiles.js';
