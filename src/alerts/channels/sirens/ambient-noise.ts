import type { Device } from '../../../city/contract.js';
import type { AppContext } from '../../../platform/app-context.js';
import type { StoredEvent } from '../../../platform/event-log.js';
import type { Projection } from '../../../platform/projection.js';
import type { AlertRecord } from '../../model.js';

/** A measurement counts as the ambient for this long; after it the default per kind applies again. */
export const AMBIENT_MAX_AGE_MS = 15 * 60_000;
/** Typical urban ambient per kind of place when nothing was measured (EN ISO 7731 sets the signal 15 dB above ambient). */
export const DEFAULT_AMBIENT_DB = { siren: 70, loudspeaker: 60 } as const;
/** A reading is recorded when it differs by this much from the recorded one… */
export const MEANINGFUL_CHANGE_DB = 3;
/** …but not more often than this per device, and at least this often while a sensor keeps reporting (so the measurement stays fresh). */
export const MIN_RECORD_INTERVAL_MS = 10_000;
export const REFRESH_INTERVAL_MS = 5 * 60_000;

export interface AmbientMeasurement {
  /** The siren or loudspeaker the ambient is for. */
  deviceId: string;
  sensorId: string;
  laeqDb: number;
  measuredAt: string;
}

export interface WarningLevel {
  deviceId: string;
  kind: 'siren' | 'loudspeaker';
  ambientDb: number;
  ambientSource: 'measured' | 'default';
  measuredAt: string | null;
  levelDb: number;
}

export interface AmbientEvents {
  'alerts.ambient.measured': AmbientMeasurement;
  /** The levels an alert's sirens and loudspeakers were commanded at, with the ambient each was set above. */
  'alerts.ambient.levels': { alertId: string; devices: WarningLevel[] };
}

export class AmbientNoiseState implements Projection {
  readonly name = 'alert-ambient-noise';
  readonly typePrefixes = ['alerts.ambient.'];
  readonly latest = new Map<string, AmbientMeasurement>();
  readonly levelsByAlert = new Map<string, WarningLevel[]>();

  apply(e: StoredEvent): void {
    if (e.type === 'alerts.ambient.measured') {
      const d = e.data as AmbientMeasurement;
      const prev = this.latest.get(d.deviceId);
      if (!prev || prev.measuredAt <= d.measuredAt) this.latest.set(d.deviceId, d);
    } else if (e.type === 'alerts.ambient.levels') {
      const d = e.data as AmbientEvents['alerts.ambient.levels'];
      this.levelsByAlert.set(d.alertId, d.devices);
    }
  }
}

/**
 * Measured ambient noise per siren and loudspeaker. Noise sensors report often
 * (every second, say); a reading becomes an event only when it changes the
 * recorded ambient meaningfully, or to keep it fresh, so every node knows it
 * without the log filling with readings. Readings in between are dropped on purpose.
 */
export class AmbientNoise {
  /** Last recorded (or being recorded) per device on this node: stops concurrent readings recording twice. */
  private readonly lastHere = new Map<string, { db: number; at: number }>();

  constructor(
    private readonly ctx: AppContext,
    readonly state: AmbientNoiseState,
    private readonly device: (id: string) => Device | undefined,
  ) {}

  /** The siren or loudspeaker a sensor measures for: itself, or a noise sensor's parent. */
  targetOf(sensorId: string): Device | null {
    const d = this.device(sensorId);
    if (!d) return null;
    if (d.kind === 'siren' || d.kind === 'loudspeaker') return d;
    const parent = d.kind === 'noise-sensor' && d.parentId ? this.device(d.parentId) : undefined;
    return parent && (parent.kind === 'siren' || parent.kind === 'loudspeaker') ? parent : null;
  }

  async reading(sensorId: string, laeqDb: number, at: number): Promise<'recorded' | 'unchanged' | 'not-for-a-warning-device'> {
    const target = this.targetOf(sensorId);
    if (!target) {
      this.ctx.logger.warn({ sensorId }, 'noise reading from a device that is not (and does not stand by) a siren or loudspeaker');
      return 'not-for-a-warning-device';
    }
    const now = this.ctx.clock.now();
    // A sensor clock ahead of ours, or a reading from before the window, counts as measured now.
    const measuredAt = at > now + 60_000 || at < now - AMBIENT_MAX_AGE_MS ? now : at;
    const recorded = this.state.latest.get(target.id);
    const last = this.lastHere.get(target.id) ?? (recorded ? { db: recorded.laeqDb, at: Date.parse(recorded.measuredAt) } : null);
    const db = Math.round(laeqDb * 10) / 10;
    if (last) {
      const since = measuredAt - last.at;
      const changed = Math.abs(db - last.db) >= MEANINGFUL_CHANGE_DB;
      if (!(changed && since >= MIN_RECORD_INTERVAL_MS) && since < REFRESH_INTERVAL_MS) return 'unchanged';
    }
    this.lastHere.set(target.id, { db, at: measuredAt });
    const data: AmbientMeasurement = { deviceId: target.id, sensorId, laeqDb: db, measuredAt: new Date(measuredAt).toISOString() };
    try {
      await this.ctx.record([{ type: 'alerts.ambient.measured', subject: `device:${target.id}`, orgId: target.orgId, actor: `device:${sensorId}`, data }]);
    } catch (error) {
      if (last) this.lastHere.set(target.id, last);
      else this.lastHere.delete(target.id);
      throw error;
    }
    return 'recorded';
  }

  /** The ambient a device's level is set above now: the measurement of the last 15 minutes, else the default of its kind. */
  ambientOf(d: { id: string; kind: 'siren' | 'loudspeaker' }): Pick<WarningLevel, 'ambientDb' | 'ambientSource' | 'measuredAt'> {
    const m = this.state.latest.get(d.id);
    if (m && this.ctx.clock.now() - Date.parse(m.measuredAt) <= AMBIENT_MAX_AGE_MS)
      return { ambientDb: m.laeqDb, ambientSource: 'measured', measuredAt: m.measuredAt };
    return { ambientDb: DEFAULT_AMBIENT_DB[d.kind], ambientSource: 'default', measuredAt: null };
  }

  async recordLevels(alert: AlertRecord, devices: WarningLevel[]): Promise<void> {
    if (devices.length === 0) return;
    await this.ctx.record([
      {
        type: 'alerts.ambient.levels',
        subject: `alert:${alert.alertId}`,
        orgId: alert.orgId,
        actor: 'system:alert-dispatcher',
        data: { alertId: alert.alertId, devices } satisfies AmbientEvents['alerts.ambient.levels'],
      },
    ]);
  }
}
