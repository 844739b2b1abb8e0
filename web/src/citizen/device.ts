import { WordedError } from '../errors.js';

/**
 * What this device keeps about its subscription (localStorage): the token that
 * changes and ends it — Vigil keeps only its hash — and what the person chose, so
 * the form shows it again. Nothing else about the person is stored on the device.
 */
export type PlaceKind = 'last' | 'home' | 'work';
export interface Place {
  lat: number;
  lon: number;
}

export interface DeviceSubscription {
  token: string;
  subscriberId: string;
  language: string;
  email: string;
  phone: string;
  push: boolean;
  places: Partial<Record<PlaceKind, Place>>;
}

const KEY = 'vigil.citizen.subscription';
const PLACE_KEY = 'vigil.citizen.place';

export function loadSubscription(): DeviceSubscription | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as DeviceSubscription | null;
    return s && typeof s.token === 'string' ? s : null;
  } catch {
    return null;
  }
}

export function saveSubscription(s: DeviceSubscription | null): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
}

/** The last place the alerts were asked for (even without a subscription). */
export function loadPlace(): Place | null {
  try {
    const p = JSON.parse(localStorage.getItem(PLACE_KEY) ?? 'null') as Place | null;
    return p && Number.isFinite(p.lat) && Number.isFinite(p.lon) ? p : null;
  } catch {
    return null;
  }
}

export function savePlace(p: Place): void {
  localStorage.setItem(PLACE_KEY, JSON.stringify(p));
}

/** The browser's position now (no cached fix: "I am here now" must be where the person is), asked with their permission. */
export function currentPosition(): Promise<Place> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) return reject(new WordedError('This device cannot give its position.'));
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: Number(p.coords.latitude.toFixed(6)), lon: Number(p.coords.longitude.toFixed(6)) }),
      (e) =>
        reject(
          new WordedError(
            e.code === e.PERMISSION_DENIED ? 'Access to your position was refused in the browser.' : 'Your position could not be found: tap the map instead.',
          ),
        ),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 0 },
    );
  });
}
