import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type {
  AssertionResponse,
  CeremonyOptions,
  RegistrationResponse,
  WebAuthnRelyingParty,
} from '../../app/sign-in/method-ports.js';

/** ES256 and RS256 (COSE -7, -257): what platform authenticators and security keys produce. */
const ALGORITHMS = [-7, -257];
const TIMEOUT_MS = 5 * 60_000;

const toBytes = (base64url: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(Buffer.from(base64url, 'base64url'));
const toText = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/**
 * The WebAuthn relying party over `@simplewebauthn/server`. The RP id is the host name of the
 * public URL (the issuer) and the only accepted origin is the issuer's origin; user verification is
 * required in both ceremonies, attestation is not requested (`none`): Elevate trusts a credential
 * because a signed-in user registered it, not because of its make.
 */
export function webauthnRelyingParty(issuer: string, rpName = 'Elevate'): WebAuthnRelyingParty {
  const url = new URL(issuer);
  const rpID = url.hostname;
  const origin = url.origin;
  return {
    async creationOptions(input) {
      const options = await generateRegistrationOptions({
        rpName,
        rpID,
        userName: input.userName,
        userDisplayName: input.userDisplayName,
        userID: new Uint8Array(Buffer.from(input.userId, 'utf8')),
        challenge: toBytes(input.challenge),
        timeout: TIMEOUT_MS,
        attestationType: 'none',
        excludeCredentials: input.exclude,
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
        supportedAlgorithmIDs: ALGORITHMS,
      });
      return options as unknown as CeremonyOptions;
    },
    async requestOptions(input) {
      const options = await generateAuthenticationOptions({
        rpID,
        challenge: toBytes(input.challenge),
        timeout: TIMEOUT_MS,
        userVerification: 'required',
        allowCredentials: input.allow,
      });
      return options as unknown as CeremonyOptions;
    },
    async verifyRegistration(response: RegistrationResponse, challenge) {
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserPresence: true,
        requireUserVerification: true,
        supportedAlgorithmIDs: ALGORITHMS,
      });
      if (!result.verified) throw new Error('registration not verified');
      const info = result.registrationInfo;
      return {
        credentialId: info.credential.id,
        publicKey: toText(info.credential.publicKey),
        counter: info.credential.counter,
        transports: [...(response.response.transports ?? [])],
        aaguid: info.aaguid,
        backupEligible: info.credentialDeviceType === 'multiDevice',
        backedUp: info.credentialBackedUp,
      };
    },
    async verifyAssertion(response: AssertionResponse, challenge, credential) {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential: {
          id: credential.credentialId,
          publicKey: toBytes(credential.publicKey),
          counter: credential.counter,
          transports: credential.transports,
        },
        requireUserVerification: true,
      });
      if (!result.verified) throw new Error('assertion not verified');
      return {
        counter: result.authenticationInfo.newCounter,
        backedUp: result.authenticationInfo.credentialBackedUp,
      };
    },
  };
}
