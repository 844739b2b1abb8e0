import type { FastifyPluginAsync } from 'fastify';
import { ORG_KINDS } from './model.js';
import { ROLES, type Principal, type Role } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { SHARE_RIGHTS, type ShareRights } from '../platform/policy.js';
import { clearedSessionCookie, sessionCookie } from './credentials.js';
import type { IdentityService } from './identity-service.js';

const ADMIN: readonly Role[] = ['admin'];
const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
const reason = { type: 'string', maxLength: 2000 } as const;
const roles = { type: 'array', items: { type: 'string', enum: [...ROLES] }, minItems: 1, maxItems: ROLES.length, uniqueItems: true } as const;
const idParams = { type: 'object', required: ['id'], properties: { id }, additionalProperties: false } as const;

function me(p: Principal) {
  return {
    kind: p.kind,
    actor: p.actor,
    userId: p.userId,
    orgId: p.orgId,
    roles: p.roles,
    authLevel: p.authLevel,
    displayName: p.displayName,
    visibleOrgIds: [...p.visibleOrgIds],
    actableOrgIds: [...p.actableOrgIds],
    platformOrg: p.platformOrg,
  };
}

/** /api/auth/* (sign-in, second factor) and /api/identity/* (organisations, users, keys, shares). */
export function identityRoutes(ctx: AppContext, service: IdentityService): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { username: string; password: string; totp?: string } }>(
      '/api/auth/login',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary: 'Sign in with username and password (and TOTP code when enrolled); sets the session cookie and returns a bearer token',
          tags: ['auth'],
          body: {
            type: 'object',
            required: ['username', 'password'],
            additionalProperties: false,
            properties: {
              username: { type: 'string', minLength: 1, maxLength: 64 },
              password: { type: 'string', minLength: 1, maxLength: 512 },
              totp: { type: 'string', maxLength: 10 },
            },
          },
        },
      },
      async (request, reply) => {
        const result = await service.login(request.body, request.ip);
        const secure = request.protocol === 'https';
        void reply.header('Set-Cookie', sessionCookie(result.token, ctx.config.sessionTtlSeconds, secure));
        return { token: result.token, expiresAt: new Date(result.expiresAt).toISOString(), me: me(result.principal) };
      },
    );

    app.post(
      '/api/auth/logout',
      { config: { access: { roles: 'authenticated' } }, schema: { summary: 'End this session', tags: ['auth'] } },
      async (request, reply) => {
        await service.logout(request.principal, { headers: request.headers, ip: request.ip });
        void reply.header('Set-Cookie', clearedSessionCookie);
        return { ok: true };
      },
    );

    app.get(
      '/api/auth/me',
      { config: { access: { roles: 'authenticated' } }, schema: { summary: 'Who this session or API key is', tags: ['auth'] } },
      async (request) => {
        const user = request.principal.userId ? service.state.users.get(request.principal.userId) : undefined;
        const org = request.principal.orgId ? service.state.orgs.get(request.principal.orgId) : undefined;
        return { ...me(request.principal), username: user?.username ?? null, totpEnabled: user?.totpEnabled ?? false, org: org ?? null };
      },
    );

    app.post<{ Body: { currentPassword: string; newPassword: string } }>(
      '/api/auth/password',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'Change your password (ends your other sessions)',
          tags: ['auth'],
          body: {
            type: 'object',
            required: ['currentPassword', 'newPassword'],
            additionalProperties: false,
            properties: { currentPassword: { type: 'string', maxLength: 512 }, newPassword: { type: 'string', maxLength: 512 } },
          },
        },
      },
      async (request) => {
        await service.changePassword(request.principal, request.body.currentPassword, request.body.newPassword);
        return { ok: true };
      },
    );

    app.post(
      '/api/auth/totp/enroll',
      {
        config: { access: { roles: 'authenticated' } },
        schema: { summary: 'Start enrolling an authenticator app (TOTP); returns the secret once', tags: ['auth'] },
      },
      async (request) => service.startTotp(request.principal),
    );

    app.post<{ Body: { code: string } }>(
      '/api/auth/totp/confirm',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'Confirm enrolment with a current code; from the next sign-in the code is required',
          tags: ['auth'],
          body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 6, maxLength: 10 } } },
        },
      },
      async (request) => {
        await service.confirmTotp(request.principal, request.body.code);
        return { ok: true };
      },
    );

    app.get(
      '/api/identity/orgs',
      { config: { access: { roles: 'authenticated' } }, schema: { summary: 'Organisations taking part (the directory used for sharing)', tags: ['identity'] } },
      async () => ({ orgs: service.listOrgs() }),
    );

    app.post<{ Body: { name: string; kind: (typeof ORG_KINDS)[number] } }>(
      '/api/identity/orgs',
      {
        config: { access: { roles: ADMIN } },
        schema: {
          summary: "Add an organisation (administrators of the city's platform organisation)",
          tags: ['identity'],
          body: {
            type: 'object',
            required: ['name', 'kind'],
            additionalProperties: false,
            properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, kind: { type: 'string', enum: [...ORG_KINDS] } },
          },
        },
      },
      async (request, reply) => reply.status(201).send(await service.createOrg(request.body, request.principal)),
    );

    app.get(
      '/api/identity/users',
      { config: { access: { roles: ADMIN } }, schema: { summary: "Users of the admin's organisation (every user for platform admins)", tags: ['identity'] } },
      async (request) => ({ users: service.listUsers(request.principal) }),
    );

    app.post<{ Body: { username: string; orgId?: string; roles: Role[]; displayName?: string; password: string } }>(
      '/api/identity/users',
      {
        config: { access: { roles: ADMIN } },
        schema: {
          summary: 'Add a user to an organisation',
          tags: ['identity'],
          body: {
            type: 'object',
            required: ['username', 'roles', 'password'],
            additionalProperties: false,
            properties: {
              username: { type: 'string', minLength: 2, maxLength: 64 },
              orgId: id,
              roles,
              displayName: { type: 'string', maxLength: 200 },
              password: { type: 'string', minLength: 1, maxLength: 512 },
            },
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const user = await service.createUser({ ...body, orgId: body.orgId ?? request.principal.orgId ?? '' }, request.principal);
        return reply.status(201).send(user);
      },
    );

    app.put<{ Params: { id: string }; Body: { roles: Role[]; reason?: string } }>(
      '/api/identity/users/:id/roles',
      {
        config: { access: { roles: ADMIN } },
        schema: {
          summary: "Replace a user's roles",
          tags: ['identity'],
          params: idParams,
          body: { type: 'object', required: ['roles'], additionalProperties: false, properties: { roles, reason } },
        },
      },
      async (request) => service.setRoles(request.params.id, request.body.roles, request.principal, request.body.reason),
    );

    app.put<{ Params: { id: string }; Body: { disabled: boolean; reason?: string } }>(
      '/api/identity/users/:id/disabled',
      {
        config: { access: { roles: ADMIN } },
        schema: {
          summary: 'Disable (ends every session) or re-enable a user',
          tags: ['identity'],
          params: idParams,
          body: { type: 'object', required: ['disabled'], additionalProperties: false, properties: { disabled: { type: 'boolean' }, reason } },
        },
      },
      async (request) => service.setDisabled(request.params.id, request.body.disabled, request.principal, request.body.reason),
    );

    app.get(
      '/api/identity/api-keys',
      { config: { access: { roles: ADMIN } }, schema: { summary: "API keys of the admin's organisation", tags: ['identity'] } },
      async (request) => ({ apiKeys: service.listApiKeys(request.principal) }),
    );

    app.post<{ Body: { name: string; roles: Role[]; orgId?: string } }>(
      '/api/identity/api-keys',
      {
        // Machine credentials outlive sessions: creating one needs a second factor.
        config: { access: { roles: ADMIN, minAuthLevel: 2 } },
        schema: {
          summary: 'Create an API key for a machine client; the key is shown once',
          tags: ['identity'],
          body: {
            type: 'object',
            required: ['name', 'roles'],
            additionalProperties: false,
            properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, roles, orgId: id },
          },
        },
      },
      async (request, reply) => reply.status(201).send(await service.createApiKey(request.body, request.principal)),
    );

    app.delete<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
      '/api/identity/api-keys/:id',
      { config: { access: { roles: ADMIN } }, schema: { summary: 'Revoke an API key', tags: ['identity'], params: idParams } },
      async (request) => {
        await service.revokeApiKey(request.params.id, request.principal);
        return { ok: true };
      },
    );

    app.get(
      '/api/identity/shares',
      { config: { access: { roles: ADMIN } }, schema: { summary: "Data shared by or with the admin's organisation", tags: ['identity'] } },
      async (request) => ({ shares: service.listShares(request.principal) }),
    );

    app.post<{ Body: { toOrgId: string; fromOrgId?: string; note?: string; rights?: ShareRights } }>(
      '/api/identity/shares',
      {
        config: { access: { roles: ADMIN } },
        schema: {
          summary: "Let another organisation see this organisation's data (rights 'read'), or see and operate on it ('act')",
          tags: ['identity'],
          body: {
            type: 'object',
            required: ['toOrgId'],
            additionalProperties: false,
            properties: { toOrgId: id, fromOrgId: id, note: { type: 'string', maxLength: 500 }, rights: { type: 'string', enum: [...SHARE_RIGHTS] } },
          },
        },
      },
      async (request, reply) => reply.status(201).send(await service.grantShare(request.body, request.principal)),
    );

    app.delete<{ Params: { id: string } }>(
      '/api/identity/shares/:id',
      { config: { access: { roles: ADMIN } }, schema: { summary: 'Stop sharing', tags: ['identity'], params: idParams } },
      async (request) => {
        await service.revokeShare(request.params.id, request.principal);
        return { ok: true };
      },
    );
  };
}
