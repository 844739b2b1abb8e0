import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { badRequest } from '../kernel/errors.js';
import type { Passkey, User } from './model.js';

/** Where the browser is: the relying party is the host it reached Vigil at. */
export interface RelyingParty {
  /** e.g. https://vigil.city.example (scheme, host and port as the browser saw them). */
  origin: string;
  /** The host name without port: passkeys are bound to it. */
  rpID: string;
}

const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_CHALLENGES = 10_000;

export type PasskeyRegistration = Omit<Passkey, 'createdAt' | 'lastUsedAt' | 'name'>;

/**
 * WebAuthn ceremonies (@simplewebauthn/server). A challenge is issued once and
 * accepted once within five minutes; user verification (PIN, biometrics) is required,
 * so a passkey alone is two factors: the device and what unlocks it.
 */
export class PasskeyCeremonies {
  private readonly challenges = new Map<string, { userId: string | null; expiresAt: number }>();

  async registrationOptions(user: User, rp: RelyingParty, now: number): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const options = await generateRegistrationOptions({
      rpName: 'Vigil',
      rpID: rp.rpID,
      userName: user.username,
      userDisplayName: user.displayName,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: user.passkeys.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    this.remember(options.challenge, user.id, now);
    return options;
  }

  async verifyRegistration(user: User, response: RegistrationResponseJSON, rp: RelyingParty, now: number): Promise<PasskeyRegistration> {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: (challenge) => this.consume(challenge, user.id, now),
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: true,
    }).catch((error: unknown) => {
      throw badRequest(`the passkey was not accepted: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (!result.verified) throw badRequest('the passkey was not accepted');
    const { credential } = result.registrationInfo;
    return {
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
    };
  }

  async authenticationOptions(rp: RelyingParty, now: number): Promise<PublicKeyCredentialRequestOptionsJSON> {
    // No allowCredentials: the browser offers the passkeys it holds for this host (no username needed).
    const options = await generateAuthenticationOptions({ rpID: rp.rpID, userVerification: 'required' });
    this.remember(options.challenge, null, now);
    return options;
  }

  /** The new signature counter when the assertion is valid for this user's passkey. */
  async verifyAuthentication(passkey: Passkey, response: AuthenticationResponseJSON, rp: RelyingParty, now: number): Promise<number> {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: (challenge) => this.consume(challenge, null, now),
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: true,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: passkey.counter,
        transports: passkey.transports as never,
      },
    }).catch(() => ({ verified: false as const, authenticationInfo: null }));
    if (!result.verified) throw badRequest('the passkey did not sign in');
    return result.authenticationInfo.newCounter;
  }

  private remember(challenge: string, userId: string | null, now: number): void {
    if (this.challenges.size >= MAX_CHALLENGES) {
      for (const [c, v] of this.challenges) if (v.expiresAt <= now) this.challenges.delete(c);
      if (this.challenges.size >= MAX_CHALLENGES) this.challenges.delete(this.challenges.keys().next().value!);
    }
    this.challenges.set(challenge, { userId, expiresAt: now + CHALLENGE_TTL_MS });
  }

  private consume(challenge: string, userId: string | null, now: number): boolean {
    const entry = this.challenges.get(challenge);
    if (!entry) return false;
    this.challenges.delete(challenge);
    return entry.expiresAt > now && entry.userId === userId;
  }
}
