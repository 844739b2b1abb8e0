import type { CityReadPort } from '../../city/contract.js';
import type { Device } from '../../city/contract.js';
import { badRequest, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Principal } from '../../platform/access.js';
import { assertCan } from '../../platform/policy.js';
import type { AppContext } from '../../platform/app-context.js';
import type { CameraEvent } from '../contract.js';
import type { Signal } from '../model.js';
import type { SignalRecorder } from '../signal-recorder.js';
import type { PathSupervisor } from '../supervision/path-supervisor.js';

/** Video analytics over the camera webhook: events become signals, people counts go to crowd density. */
export class CameraIngest {
  constructor(
    private readonly ctx: AppContext,
    private readonly city: CityReadPort,
    private readonly supervision: PathSupervisor,
    private readonly signals: SignalRecorder,
  ) {}

  private camera(input: CameraEvent, by: Principal): Device {
    const camera = this.city.devices.get(input.cameraId);
    if (!camera || camera.kind !== 'camera') throw notFound('camera', input.cameraId);
    // Raising alarms or counts on a camera operates it: its organisation, or one it shared with to act.
    assertCan(by, 'act', { orgId: camera.orgId }, 'camera', input.cameraId);
    return camera;
  }

  /** A camera's video-analytics event (webhook): intrusion, line crossing, loitering, smoke, fire. */
  async handleCameraEvent(input: CameraEvent, by: Principal): Promise<Signal> {
    const camera = this.camera(input, by);
    if (input.event === 'people-count') throw badRequest('people counts are taken by handleCameraCount');
    const kind = input.event === 'smoke' || input.event === 'fire' ? 'fire' : input.event === 'tamper' ? 'tamper' : 'burglary';
    const now = this.ctx.clock.now();
    const signal: Signal = {
      signalId: newId('sig'),
      account: null,
      protocol: 'http',
      code: `camera:${input.event}`,
      kind,
      phase: 'alarm',
      description: `Camera analytics: ${input.event.replace('-', ' ')}${input.confidence !== undefined ? ` (${Math.round(input.confidence * 100)} %)` : ''}`,
      zone: null,
      user: null,
      area: null,
      occurredAt: input.at ? new Date(input.at).toISOString() : null,
      receivedAt: new Date(now).toISOString(),
      text: input.snapshotUrl ?? null,
      position: camera.position,
      siteId: camera.siteId,
      deviceId: camera.id,
      flags: input.event === 'loitering' ? ['low-confidence-kind'] : [],
    };
    await this.signals.recordSignals([signal], [], camera.orgId);
    return signal;
  }

  /**
   * A camera's people count (video analytics counting a zone or a line): handed to
   * crowd density (reaction `alarms.camera-people-count`), which knows the camera as
   * a counter (its id is the camera's) and checks the count; 400 for a bad count.
   */
  async handleCameraCount(input: CameraEvent, by: Principal): Promise<'recorded' | 'unknown-counter' | 'wrong-kind'> {
    const camera = this.camera(input, by);
    const [outcome = 'unknown-counter'] = await this.ctx.reactions.emit('alarms.camera-people-count', {
      counterId: camera.id,
      count: input.count,
      in: input.in,
      out: input.out,
      at: input.at,
    });
    if (typeof outcome === 'object') throw badRequest(outcome.problem);
    await this.supervision.heardPath(`device:${camera.id}`, this.ctx.clock.now());
    return outcome;
  }
}
