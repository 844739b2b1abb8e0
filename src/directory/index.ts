import type { Capability } from '../platform/app-context.js';
import { DirectoryService, type DirectorySources } from './directory-service.js';
import { directoryRoutes } from './routes.js';

export { DirectoryService, type DirectorySources } from './directory-service.js';

export interface DirectoryCapability extends Capability {
  service: DirectoryService;
}

/** The directory: display names for screens and exports, through the policy. No projection of its own: it reads the others'. */
export function createDirectoryCapability(sources: DirectorySources): DirectoryCapability {
  const service = new DirectoryService(sources);
  return { name: 'directory', routes: directoryRoutes(service), service };
}
