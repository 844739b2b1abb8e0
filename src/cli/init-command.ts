import { existsSync } from 'node:fs';
import { openVigil, type Vigil } from '../app.js';
import type { VigilConfig } from '../kernel/config.js';
import { VigilError } from '../kernel/errors.js';
import { ORG_KINDS, type OrgKind } from '../identity/contract.js';
import { importCity } from './store-commands.js';
import { Prompt } from './prompt.js';

export interface InitInput {
  /** The city's organisation: the platform organisation that administers every other. */
  orgName: string;
  admin: string;
  displayName?: string;
  osm?: string;
}

const MAX_CODE_TRIES = 3;

/**
 * `vigil init`: a real installation from an empty store. Creates the platform
 * organisation and its first administrator (password from VIGIL_NEW_USER_PASSWORD
 * or the first line of stdin), enrols the administrator's authenticator app (the
 * otpauth URI is printed; the code read back confirms it) and imports the city's
 * extract when given. Refused on a store that has a platform organisation already.
 */
export async function initCommand(config: VigilConfig, input: InitInput): Promise<number> {
  if (input.osm && !existsSync(input.osm)) throw new VigilError('not_found', `no such file: ${input.osm}`);
  const prompt = new Prompt();
  const vigil = await openVigil({ ...config, demoOnEmpty: false });
  try {
    const identity = vigil.capabilities.identity.service;
    const existing = identity.listOrgs().find((o) => o.platform);
    if (existing)
      throw new VigilError('conflict', `this store is initialised already: ${existing.name} is its platform organisation (add more with vigil org add)`);
    const password = process.env.VIGIL_NEW_USER_PASSWORD || (await prompt.ask(`Password for ${input.admin}: `));
    if (!password) throw new VigilError('bad_request', 'give the administrator a password (VIGIL_NEW_USER_PASSWORD or the first line of stdin)');

    const org = await identity.createOrg({ name: input.orgName, kind: 'city', platform: true }, 'system');
    const user = await identity.createUser(
      { username: input.admin, orgId: org.id, roles: ['admin'], displayName: input.displayName ?? input.admin, password },
      'system',
    );
    console.log(`created the platform organisation ${org.name} and its administrator ${user.username}`);
    await enrolSecondFactor(vigil, user.username, prompt);
    if (input.osm) await importCity(vigil, input.osm, org.id);
    console.log('next: vigil org add --name NAME --kind KIND, vigil user add, then VIGIL_DEMO=false vigil serve');
    return 0;
  } finally {
    prompt.close();
    await vigil.close();
  }
}

/** Administrators sign in with a second factor: enrolled here, so the first sign-in asks for the code. */
async function enrolSecondFactor(vigil: Vigil, username: string, prompt: Prompt): Promise<void> {
  const identity = vigil.capabilities.identity.service;
  const principal = identity.resolvePrincipalOf(username);
  const { secret, otpauthUrl } = await identity.startTotp(principal);
  console.log(`second factor: add this to an authenticator app (shown once)\n  ${otpauthUrl}\n  secret: ${secret}`);
  for (let attempt = 1; attempt <= MAX_CODE_TRIES; attempt++) {
    const code = await prompt.ask('Code the app shows now: ');
    if (code === null || code.trim() === '') break;
    try {
      await identity.confirmTotp(principal, code.trim());
      console.log(`second factor enrolled for ${username}`);
      return;
    } catch (error) {
      if (!(error instanceof VigilError)) throw error;
      console.error(`vigil: ${error.message}`);
    }
  }
  console.log(`second factor not confirmed yet: ${username} finishes enrolment at the first sign-in`);
}

/** `vigil org add`: another organisation taking part (police, fire, a monitoring centre, a security firm, …). */
export async function orgAddCommand(config: VigilConfig, input: { name: string; kind: string }): Promise<number> {
  if (!(ORG_KINDS as readonly string[]).includes(input.kind))
    throw new VigilError('bad_request', `unknown kind "${input.kind}"; one of ${ORG_KINDS.join(', ')}`);
  const vigil = await openVigil({ ...config, demoOnEmpty: false });
  try {
    const identity = vigil.capabilities.identity.service;
    if (!identity.platformOrgId()) throw new VigilError('bad_request', 'this store has no platform organisation yet: run vigil init first');
    const org = await identity.createOrg({ name: input.name, kind: input.kind as OrgKind }, 'system');
    console.log(`created organisation ${org.name} (${org.kind}, ${org.id})`);
    return 0;
  } finally {
    await vigil.close();
  }
}
