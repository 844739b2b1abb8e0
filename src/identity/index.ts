import type { Capability, AppContext } from '../platform/app-context.js';
import type { CredentialSource, Principal } from '../platform/access.js';
import { IdentityService } from './identity-service.js';
import { IdentityState } from './identity-state.js';
import { identityRoutes } from './routes.js';

export { IdentityService } from './identity-service.js';
export { seedDemoIdentity, DEMO_USERS } from './demo-identity.js';

export interface IdentityCapability extends Capability {
  service: IdentityService;
  resolvePrincipal(source: CredentialSource): Principal;
}

export function createIdentityCapability(ctx: AppContext): IdentityCapability {
  const state = new IdentityState(ctx.secrets);
  const service = new IdentityService(ctx, state);
  return {
    name: 'identity',
    projections: [state],
    routes: identityRoutes(ctx, service),
    service,
    resolvePrincipal: (source) => service.resolvePrincipal(source),
  };
}
