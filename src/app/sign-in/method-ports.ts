/**
 * Ports of passkeys (WebAuthn) and recovery codes: what the use cases store, and the relying-party
 * ceremonies (options and verification) that the identity layer implements over
 * `@simplewebauthn/server`. Responses are the WebAuthn JSON forms (base64url strings).
 */

/** A registered passkey or security key. The public key is public: stored as is (base64url COSE). */
export interface PasskeyCredential {
  /** Elevate's id of the method (Graph's `fido2AuthenticationMethod.id`). */
  id: string;
  /** The authenticator's credential id, base64url. */
  credentialId: string;
  userId: string;
  tenantId: string;
  displayName: string;
  publicKey: string;
  counter: number;
  transports: string[];
  aaguid: string;
  /** BE flag: the credential may be synced (a multi-device passkey). */
  backupEligible: boolean;
  /** BS flag at the last ceremony: the credential is backed up (synced). */
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface PasskeyStore {
  listForUser(userId: string): Promise<PasskeyCredential[]>;
  getByCredentialId(credentialId: string): Promise<PasskeyCredential | undefined>;
  insert(credential: PasskeyCredential): Promise<void>;
  /**
   * Records a successful assertion by compare-and-set on the counter: false when another
   * assertion already moved it (a clone or a concurrent replay).
   */
  recordUse(
    id: string,
    expectedCounter: number,
    next: { counter: number; backedUp: boolean; lastUsedAt: number },
  ): Promise<boolean>;
  /** Removes the user's credential; false when the user has no such credential. */
  delete(userId: string, id: string): Promise<boolean>;
}

export type ChallengePurpose = 'registration' | 'authentication';

/** An outstanding ceremony challenge, bound to a user (registration) or an interaction (sign-in). */
export interface WebAuthnChallenge {
  challenge: string;
  purpose: ChallengePurpose;
  userId: string | null;
  interactionUid: string | null;
  expiresAt: number;
}

export interface WebAuthnChallengeStore {
  /** Stores a new challenge and drops expired ones. */
  insert(challenge: WebAuthnChallenge, now: number): Promise<void>;
  /** The challenge if it is outstanding (not consumed, not expired) for this purpose. */
  find(challenge: string, purpose: ChallengePurpose, now: number): Promise<WebAuthnChallenge | undefined>;
  /** Consumes the challenge (compare-and-set): false when it was already used or expired. */
  consume(challenge: string, purpose: ChallengePurpose, now: number): Promise<boolean>;
}

export interface RecoveryCodeStore {
  /** Replaces every code of the user with these hashes. */
  replace(userId: string, tenantId: string, codeHashes: string[], now: number): Promise<void>;
  /** How many unused codes the user has; undefined when none were ever generated. */
  summary(userId: string): Promise<{ remaining: number; createdAt: number } | undefined>;
  /** Marks the code used (compare-and-set): false when unknown or already used. */
  use(userId: string, codeHash: string, now: number): Promise<boolean>;
}

export interface CredentialDescriptor {
  id: string;
  transports: string[];
}

/** `PublicKeyCredential` as JSON after `navigator.credentials.create()`. */
export interface RegistrationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports?: string[] | undefined };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: 'platform' | 'cross-platform' | undefined;
}

/** `PublicKeyCredential` as JSON after `navigator.credentials.get()`. */
export interface AssertionResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: {
    clientDataJSON: string;
    authenticatorData: string;
    signature: string;
    userHandle?: string | undefined;
  };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: 'platform' | 'cross-platform' | undefined;
}

export interface VerifiedRegistration {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
}

export interface VerifiedAssertion {
  counter: number;
  backedUp: boolean;
}

/** Options JSON handed to the browser as is (`PublicKeyCredential{Creation,Request}OptionsJSON`). */
export type CeremonyOptions = Record<string, unknown>;

/**
 * The relying party: RP id and origin come from the configured public URL; user verification is
 * required in both ceremonies. Verification rejects (throws) on any mismatch: signature, origin,
 * RP id, challenge, type, missing UP/UV flags, or a counter that did not increase.
 */
export interface WebAuthnRelyingParty {
  creationOptions(input: {
    challenge: string;
    userId: string;
    userName: string;
    userDisplayName: string;
    exclude: CredentialDescriptor[];
  }): Promise<CeremonyOptions>;
  requestOptions(input: { challenge: string; allow: CredentialDescriptor[] }): Promise<CeremonyOptions>;
  verifyRegistration(response: RegistrationResponse, challenge: string): Promise<VerifiedRegistration>;
  verifyAssertion(
    response: AssertionResponse,
    challenge: string,
    credential: { credentialId: string; publicKey: string; counter: number; transports: string[] },
  ): Promise<VerifiedAssertion>;
}
