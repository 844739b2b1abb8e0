import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { MemoryKeyVault } from '../../src/platform/key-vault.js';
import { SecretBox } from '../../src/kernel/secrets.js';
import { loadConfig, type VigilConfig } from '../../src/kernel/config.js';
import { systemClock } from '../../src/kernel/time.js';
import type { AppContext } from '../../src/platform/app-context.js';
import type { EventBus } from '../../src/platform/event-bus.js';
import type { EventLog } from '../../src/platform/event-log.js';
import { SingleNodeLeadership } from '../../src/platform/leadership.js';
import { ProjectionRunner } from '../../src/platform/projection.js';
import { Reactions } from '../../src/platform/reactions.js';
import type { Principal, Role } from '../../src/platform/access.js';

/** A bus that accepts and drops: for API tests that do not exercise the stream. */
export const droppingBus: EventBus = {
  backend: 'memory',
  publish: async () => {},
  announce: async () => {},
  subscribe: async () => ({ unsubscribe: async () => {} }),
  close: async () => {},
};

export function testContext(log: EventLog, overrides: Partial<VigilConfig> = {}): AppContext {
  const config = { ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'silent' }), ...overrides };
  const projections = new ProjectionRunner(log);
  const ctx: AppContext = {
    config,
    clock: systemClock,
    log,
    bus: droppingBus,
    leadership: new SingleNodeLeadership(),
    projections,
    logger: pino({ level: 'silent' }),
    secrets: new SecretBox(randomBytes(32)),
    vault: new MemoryKeyVault(() => randomBytes(32)),
    publicUrl: () => config.publicUrl ?? `http://localhost:${config.port}`,
    async record(events) {
      const stored = await log.append(events);
      if (stored.length) await projections.waitFor(stored.at(-1)!.seq);
      return stored;
    },
    reactions: new Reactions(),
  };
  return ctx;
}

export function fakePrincipal(roles: Role[], orgId = 'org_A', authLevel: 1 | 2 = 1): Principal {
  return {
    kind: 'user',
    actor: `user:${roles.join('+') || 'none'}`,
    userId: `usr_${roles.join('_')}`,
    orgId,
    roles,
    authLevel,
    displayName: roles.join(', '),
    visibleOrgIds: new Set([orgId]),
    actableOrgIds: new Set([orgId]),
    platformOrg: false,
  };
}
