import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NewEvent, StoredEvent } from '../platform/event-log.js';
import type { AppContext } from '../platform/app-context.js';
import type { Projection } from '../platform/projection.js';
import type { CityEvents } from './model.js';

/** What a device is told once: the username and secret it connects to the MQTT broker with. */
export interface IssuedMqttCredential {
  subject: string;
  username: string;
  secret: string;
  issuedAt: string;
}

/** What is kept of a credential: never the secret, only its SHA-256 (the secret is 32 random bytes, so no slow hash is needed). */
export interface StoredMqttCredential {
  subject: string;
  username: string;
  secretHash: string;
  issuedAt: string;
}

const sha256 = (secret: string | Buffer): Buffer => createHash('sha256').update(secret).digest();

/** A device's subject, 'device:<id>'; a unit's tracker, 'unit:<id>'. The username is the subject. */
export const deviceSubject = (deviceId: string): string => `device:${deviceId}`;
export const unitSubject = (unitId: string): string => `unit:${unitId}`;

/** The MQTT credentials of devices and units' trackers, from `city.mqtt-credential.*` events. */
export class MqttCredentialsState implements Projection {
  readonly name = 'city-mqtt-credentials';
  readonly typePrefixes = ['city.mqtt-credential.'];
  readonly bySubject = new Map<string, StoredMqttCredential>();
  private readonly byUsername = new Map<string, StoredMqttCredential>();

  apply(e: StoredEvent): void {
    if (e.type === 'city.mqtt-credential.issued') {
      const c = e.data as CityEvents['city.mqtt-credential.issued'];
      const old = this.bySubject.get(c.subject);
      if (old) this.byUsername.delete(old.username);
      this.bySubject.set(c.subject, c);
      this.byUsername.set(c.username, c);
    } else if (e.type === 'city.mqtt-credential.revoked') {
      const { subject } = e.data as CityEvents['city.mqtt-credential.revoked'];
      const old = this.bySubject.get(subject);
      if (old) this.byUsername.delete(old.username);
      this.bySubject.delete(subject);
    }
  }

  /** The subject whose credential this is, or null (unknown username, wrong secret). Constant-time on the secret. */
  verify(username: string, secret: string | Buffer): string | null {
    const c = this.byUsername.get(username);
    const expected = c ? Buffer.from(c.secretHash, 'hex') : sha256('no such credential');
    const ok = timingSafeEqual(expected, sha256(secret));
    return c && ok ? c.subject : null;
  }

  issuedAt(subject: string): string | null {
    return this.bySubject.get(subject)?.issuedAt ?? null;
  }
}

/** Issues (and re-issues: rotation) and revokes MQTT credentials; the secret is returned this once. */
export class MqttCredentials {
  constructor(
    private readonly ctx: AppContext,
    readonly state: MqttCredentialsState,
  ) {}

  /** One event per subject; the secrets are in the answer only. */
  async issue(subjects: readonly string[], orgId: string, actor: string): Promise<IssuedMqttCredential[]> {
    const issuedAt = new Date(this.ctx.clock.now()).toISOString();
    const issued = subjects.map((subject) => ({ subject, username: subject, secret: `vmq_${randomBytes(32).toString('base64url')}`, issuedAt }));
    if (issued.length === 0) return [];
    const events: NewEvent[] = issued.map((c) => ({
      type: 'city.mqtt-credential.issued',
      subject: `mqtt-credential:${c.subject}`,
      orgId,
      actor,
      data: {
        subject: c.subject,
        username: c.username,
        secretHash: sha256(c.secret).toString('hex'),
        issuedAt,
      } satisfies CityEvents['city.mqtt-credential.issued'],
    }));
    await this.ctx.record(events);
    return issued;
  }

  async revoke(subjects: readonly string[], orgId: string, actor: string): Promise<void> {
    const held = subjects.filter((s) => this.state.bySubject.has(s));
    if (held.length === 0) return;
    await this.ctx.record(
      held.map((subject) => ({
        type: 'city.mqtt-credential.revoked',
        subject: `mqtt-credential:${subject}`,
        orgId,
        actor,
        data: { subject } satisfies CityEvents['city.mqtt-credential.revoked'],
      })),
    );
  }
}
