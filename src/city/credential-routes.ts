import type { FastifyPluginAsync } from 'fastify';
import { VigilError, notFound } from '../kernel/errors.js';
import type { CityState } from './city-state.js';
import { deviceSubject, type MqttCredentials } from './mqtt-credentials.js';

/**
 * /api/city/devices/:id/mqtt-credential: a device's MQTT credential, issued again
 * (rotation: the old secret stops working at once) or revoked. The secret is in the
 * answer this once; Vigil keeps only its hash. Devices that talk MQTT get their first
 * credential when they are registered (POST /api/city/devices answers it).
 */
export function credentialRoutes(state: CityState, credentials: MqttCredentials): FastifyPluginAsync {
  return async (app) => {
    const STEWARDS = ['admin', 'supervisor'] as const;
    const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } } as const;
    const ownDevice = (id: string, orgId: string | null) => {
      const device = state.devices.get(id);
      if (!device) throw notFound('device', id);
      if (device.orgId !== orgId) throw new VigilError('forbidden', `device ${device.label} belongs to another organisation`);
      if (device.protocol !== 'mqtt')
        throw new VigilError('conflict', `device ${device.label} does not talk MQTT (its protocol is ${device.protocol ?? 'none'})`);
      return device;
    };

    app.get(
      '/api/city/mqtt-credentials',
      {
        config: { access: { roles: STEWARDS } },
        schema: {
          summary: "The caller's organisation's MQTT devices, each with its username and when its credential was issued (never the secret)",
          tags: ['city'],
        },
      },
      async (request) => ({
        devices: [...state.devices.values()]
          .filter((d) => d.orgId === request.principal.orgId && d.protocol === 'mqtt')
          .map((d) => ({
            deviceId: d.id,
            label: d.label,
            kind: d.kind,
            username: deviceSubject(d.id),
            issuedAt: credentials.state.issuedAt(deviceSubject(d.id)),
          }))
          .sort((a, b) => a.label.localeCompare(b.label)),
      }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/city/devices/:id/mqtt-credential',
      { config: { access: { roles: STEWARDS } }, schema: { summary: "When a device's MQTT credential was issued (never the secret)", tags: ['city'], params } },
      async (request) => {
        const device = ownDevice(request.params.id, request.principal.orgId);
        const subject = deviceSubject(device.id);
        return { deviceId: device.id, label: device.label, username: subject, issuedAt: credentials.state.issuedAt(subject) };
      },
    );

    app.post<{ Params: { id: string } }>(
      '/api/city/devices/:id/mqtt-credential',
      {
        config: { access: { roles: STEWARDS } },
        schema: { summary: "Issue a device's MQTT credential again (the old one stops working); the secret is shown this once", tags: ['city'], params },
      },
      async (request, reply) => {
        const device = ownDevice(request.params.id, request.principal.orgId);
        const [issued] = await credentials.issue([deviceSubject(device.id)], device.orgId, request.principal.actor);
        return reply.status(201).send({ deviceId: device.id, label: device.label, ...issued });
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/api/city/devices/:id/mqtt-credential',
      { config: { access: { roles: STEWARDS } }, schema: { summary: "Revoke a device's MQTT credential: it can no longer connect", tags: ['city'], params } },
      async (request) => {
        const device = ownDevice(request.params.id, request.principal.orgId);
        await credentials.revoke([deviceSubject(device.id)], device.orgId, request.principal.actor);
        return { ok: true };
      },
    );
  };
}
