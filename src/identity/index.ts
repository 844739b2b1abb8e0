import type { Capability, AppContext } from '../platform/app-context.js';
import type { CredentialSource, Principal } from '../platform/access.js';
import type { IdentityReadPort } from './contract.js';
import { IdentityService } from './identity-service.js';
import { IdentityState } from './identity-state.js';
import { identityRoutes } from './routes.js';
import { DEMO_USERS } from './demo-identity.js';
import { identityLiveView } from './live-view.js';

export { IdentityService } from './identity-service.js';
export { seedDemoIdentity, seedDemoOrgs, seedDemoUsers, DEMO_USERS } from './demo-identity.js';

export interface IdentityCapability extends Capability {
  service: IdentityService;
  resolvePrincipal(source: CredentialSource): Principal;
  reads: IdentityReadPort;
}

export function createIdentityCapability(ctx: AppContext): IdentityCapability {
  const state = new IdentityState(ctx.secrets);
  const service = new IdentityService(
    ctx,
    state,
    DEMO_USERS.map((u) => u.username),
  );
  return {
    name: 'identity',
    projections: [state],
    routes: identityRoutes(ctx, service),
    liveViews: [identityLiveView()],
    service,
    resolvePrincipal: (source) => service.resolvePrincipal(source),
    reads: {
      orgName: (orgId) => state.orgs.get(orgId)?.name ?? null,
      orgs: () => [...state.orgs.values()].map((o) => ({ id: o.id, name: o.name, kind: o.kind })),
      platformOrgId: () => state.platformOrg()?.id ?? null,
      userByName: (username) => {
        const u = state.usersByName.get(username);
        return u && !u.disabled ? { userId: u.id, orgId: u.orgId, displayName: u.displayName } : null;
      },
      usernameOf: (userId) => state.users.get(userId)?.username ?? null,
      users: () => [...state.users.values()].map((u) => ({ id: u.id, displayName: u.displayName, orgId: u.orgId })),
      principalForOrg: (orgId, roles, actor, displayName) => service.principalForOrg(orgId, roles, actor, displayName),
      checkDelegatedRoles: (roles, by) => service.checkDelegatedRoles(roles, by),
    },
  };
}
