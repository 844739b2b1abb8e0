import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ORG_KINDS } from './model.js';
import { HIGH_PRIVILEGE_ROLES, ROLES, type CredentialSource, type Principal, type Role } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { SHARE_RIGHTS, type ShareRights } from '../platform/policy.js';
import { clearedSessionCookie, sessionCookie } from './credentials.js';
import { ROLE_CEILINGS } from './role-ceilings.js';
import type { IdentityService, LoginResult } from './identity-service.js';
import type { RelyingParty } from './passkeys.js';

const ADMIN: readonly Role[] = ['admin'];
const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
const reason = { type: 'string', maxLength: 2000 } as const;
const roles = { type: 'array', items: { type: 'string', enum: [...ROLES] }, minItems: 1, maxItems: ROLES.length, uniqueItems: true } as const;
const idParams = { type: 'object', required: ['id'], properties: { id }, additionalProperties: false } as const;

/** A WebAuthn response as the browser library serialises it; @simplewebauthn/server checks the rest. */
const webAuthnResponse = {
  type: 'object',
  required: ['id', 'rawId', 'response', 'type'],
  properties: { id: { type: 'string', maxLength: 1400 }, rawId: { type: 'string', maxLength: 1400 }, type: { type: 'string', const: 'public-key' } },
} as const;

/** Cookies are Secure whenever the browser reached Vigil over TLS (directly, or via a trusted proxy's X-Forwarded-Proto). */
const isSecure = (request: FastifyRequest): boolean => request.protocol === 'https';

const credentials = (request: FastifyRequest): CredentialSource => ({ headers: request.headers, ip: request.ip });

/** The relying party is the host and scheme the browser used (the Origin check has vouched for them). */
function relyingParty(request: FastifyRequest): RelyingParty {
  return { origin: `${request.protocol}://${request.host}`, rpID: request.hostname };
}

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
    enrolmentOnly: p.enrolmentOnly ?? false,
  };
}

/** /api/auth/* (sign-in, second factor) and /api/identity/* (organisations, users, keys, shares). */
export function identityRoutes(ctx: AppContext, service: IdentityService): FastifyPluginAsync {
  const signedIn = (request: FastifyRequest, reply: FastifyReply, result: LoginResult) => {
    void reply.header('Set-Cookie', sessionCookie(result.token, ctx.config.sessionTtlSeconds, isSecure(request)));
    return { expiresAt: new Date(result.expiresAt).toISOString(), enrolmentRequired: result.enrolmentRequired, me: me(result.principal) };
  };
  return async (app) => {
    app.get(
      '/api/auth/options',
      { config: { access: { roles: 'public' } }, schema: { summary: 'How one signs in here: second-factor rules and the demo exemption', tags: ['auth'] } },
      async () => ({
        secondFactorRoles: HIGH_PRIVILEGE_ROLES,
        demoExemptUsers: service.demoExemptUsernames(),
        passkeys: true,
      }),
    );

    app.post<{ Body: { username: string; password: string; totp?: string } }>(
      '/api/auth/login',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary: 'Sign in with username and password (and TOTP code when enrolled); sets the session cookie (the token is never in the body)',
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
      async (request, reply) => signedIn(request, reply, await service.login(request.body, request.ip)),
    );

    app.post(
      '/api/auth/passkeys/login/options',
      { config: { access: { roles: 'public' } }, schema: { summary: 'Start signing in with a passkey (WebAuthn request options)', tags: ['auth'] } },
      async (request) => service.passkeyLoginOptions(relyingParty(request)),
    );

    app.post<{ Body: { response: AuthenticationResponseJSON } }>(
      '/api/auth/passkeys/login',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary: 'Sign in with a passkey: the assertion from navigator.credentials.get(); sets the session cookie (level 2)',
          tags: ['auth'],
          body: { type: 'object', required: ['response'], additionalProperties: false, properties: { response: webAuthnResponse } },
        },
      },
      async (request, reply) => signedIn(request, reply, await service.loginWithPasskey(request.body.response, relyingParty(request), request.ip)),
    );

    app.post(
      '/api/auth/logout',
      { config: { access: { roles: 'authenticated' } }, schema: { summary: 'End this session', tags: ['auth'] } },
      async (request, reply) => {
        await service.logout(request.principal, { headers: request.headers, ip: request.ip });
        void reply.header('Set-Cookie', clearedSessionCookie(isSecure(request)));
        return { ok: true };
      },
    );

    const whoAmI = (principal: Principal) => {
      const user = principal.userId ? service.state.users.get(principal.userId) : undefined;
      const org = principal.orgId ? service.state.orgs.get(principal.orgId) : undefined;
      return {
        ...me(principal),
        username: user?.username ?? null,
        totpEnabled: user?.totpEnabled ?? false,
        passkeyCount: user?.passkeys.length ?? 0,
        org: org ?? null,
      };
    };
    app.get(
      '/api/auth/me',
      { config: { access: { roles: 'authenticated' } }, schema: { summary: 'Who this session or API key is', tags: ['auth'] } },
      async (request) => whoAmI(request.principal),
    );
    // The UI asks this at start: signed out is an answer (200), not an error logged in the browser's console.
    app.get(
      '/api/auth/session',
      {
        config: { access: { roles: 'public' } },
        schema: { summary: 'Whether this request is signed in, and who it is (as /api/auth/me) when it is', tags: ['auth'] },
      },
      async (request) => (request.principal.kind === 'public' ? { signedIn: false, me: null } : { signedIn: true, me: whoAmI(request.principal) }),
    );

    app.post<{ Body: { currentPassword: string; newPassword: string } }>(
      '/api/auth/password',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'Change your password (ends every session; this one continues under a new cookie)',
          tags: ['auth'],
          body: {
            type: 'object',
            required: ['currentPassword', 'newPassword'],
            additionalProperties: false,
            properties: { currentPassword: { type: 'string', maxLength: 512 }, newPassword: { type: 'string', maxLength: 512 } },
          },
        },
      },
      async (request, reply) => {
        const rotated = await service.changePassword(request.principal, request.body.currentPassword, request.body.newPassword, request.ip);
        return rotated ? signedIn(request, reply, rotated) : { ok: true };
      },
    );

    app.get(
      '/api/auth/factors',
      { config: { access: { roles: 'authenticated' } }, schema: { summary: 'Your second factors: authenticator app and passkeys', tags: ['auth'] } },
      async (request) => service.factorsOf(request.principal),
    );

    app.post<{ Body: { code?: string } | undefined }>(
      '/api/auth/totp/enroll',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'Start enrolling an authenticator app (TOTP); returns the secret once. Replacing one needs a code of the current one.',
          tags: ['auth'],
          // No body at all is fine (a first enrolment).
          body: { type: ['object', 'null'], additionalProperties: false, properties: { code: { type: 'string', minLength: 6, maxLength: 10 } } },
        },
      },
      async (request) => service.startTotp(request.principal, request.body?.code),
    );

    app.post<{ Body: { code: string } }>(
      '/api/auth/totp/confirm',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'Confirm enrolment with a current code; the session continues at level 2 under a new cookie',
          tags: ['auth'],
          body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 6, maxLength: 10 } } },
        },
      },
      async (request, reply) => signedIn(request, reply, await service.confirmTotpInSession(request.principal, request.body.code, credentials(request))),
    );

    app.post(
      '/api/auth/passkeys/register/options',
      {
        config: { access: { roles: 'authenticated' } },
        schema: { summary: 'Start registering a passkey (WebAuthn creation options)', tags: ['auth'] },
      },
      async (request) => service.passkeyRegistrationOptions(request.principal, relyingParty(request)),
    );

    app.post<{ Body: { response: RegistrationResponseJSON; name?: string } }>(
      '/api/auth/passkeys/register',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'Register a passkey from navigator.credentials.create(); the session continues at level 2 under a new cookie',
          tags: ['auth'],
          body: {
            type: 'object',
            required: ['response'],
            additionalProperties: false,
            properties: { response: webAuthnResponse, name: { type: 'string', maxLength: 100 } },
          },
        },
      },
      async (request, reply) =>
        signedIn(
          request,
          reply,
          await service.registerPasskey(request.principal, request.body.response, request.body.name ?? '', relyingParty(request), credentials(request)),
        ),
    );

    app.delete<{ Params: { id: string } }>(
      '/api/auth/passkeys/:id',
      {
        config: { access: { roles: 'authenticated', minAuthLevel: 2 } },
        schema: {
          summary: 'Remove one of your passkeys',
          tags: ['auth'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 400 } } },
        },
      },
      async (request) => {
        await service.removePasskey(request.principal, request.params.id);
        return { ok: true };
      },
    );

    app.get(
      '/api/identity/orgs',
      {
        config: { access: { roles: 'authenticated' } },
        schema: { summary: 'Organisations taking part (the directory used for sharing), each with its role ceiling', tags: ['identity'] },
      },
      async () => ({ orgs: service.listOrgs().map((o) => ({ ...o, roleCeiling: ROLE_CEILINGS[o.kind] })) }),
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
      async (request, reply) => {
        const user = await service.setRoles(request.params.id, request.body.roles, request.principal, request.body.reason);
        // The change ended the user's sessions; an administrator changing their own roles continues under a new one.
        if (user.id === request.principal.userId) {
          const rotated = await service.rotateAfterRoleChange(request.principal, request.ip);
          if (rotated) void reply.header('Set-Cookie', sessionCookie(rotated.token, ctx.config.sessionTtlSeconds, isSecure(request)));
        }
        return service.listUsers(request.principal).find((u) => u.id === user.id) ?? user;
      },
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
