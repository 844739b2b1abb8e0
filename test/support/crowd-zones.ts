/**
 * The outline of a small crowd zone drawn in the tests of the crowd API (src/crowd/*.test.ts): a closed
 * ring (GeoJSON [longitude, latitude]) of about 80.5 m by 66.7 m in Monaco, clear of the demo's zones.
 */
export const FORECOURT_RING: readonly (readonly number[])[] = [
  [7.42, 43.73],
  [7.421, 43.73],
  [7.421, 43.7306],
  [7.42, 43.7306],
  [7.42, 43.73],
];
