import { openVigil } from '../app.js';
import type { VigilConfig } from '../kernel/config.js';
import { VigilError } from '../kernel/errors.js';

export interface UserAddInput {
  username: string;
  /** Organisation id or exact name. */
  org: string;
  roles: string[];
  displayName: string;
  passwordFromStdin: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `vigil user add`: a user of an organisation (the first administrator comes from `vigil init`). */
export async function userAddCommand(config: VigilConfig, input: UserAddInput): Promise<number> {
  const password = input.passwordFromStdin ? await readStdin() : process.env.VIGIL_NEW_USER_PASSWORD;
  if (!password) throw new VigilError('bad_request', 'give the password on stdin (--password-stdin) or in VIGIL_NEW_USER_PASSWORD');
  const vigil = await openVigil({ ...config, demoOnEmpty: false });
  try {
    const service = vigil.capabilities.identity.service;
    const org = service.listOrgs().find((o) => o.id === input.org || o.name === input.org);
    if (!org)
      throw new VigilError(
        'not_found',
        `no organisation "${input.org}"; known: ${
          service
            .listOrgs()
            .map((o) => `${o.id} (${o.name})`)
            .join(', ') || 'none — run vigil init (or vigil demo) first'
        }`,
      );
    const user = await service.createUser({ username: input.username, orgId: org.id, roles: input.roles, displayName: input.displayName, password }, 'system');
    console.log(`created user ${user.username} (${user.id}) in ${org.name} with roles ${user.roles.join(', ')}`);
    return 0;
  } finally {
    await vigil.close();
  }
}
