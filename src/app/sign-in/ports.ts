import type { PasskeyStore, RecoveryCodeStore, WebAuthnChallengeStore } from './method-ports.js';
/** What a user's TOTP seed is sealed to (the data key binds a sealed value to its context). */
export const totpSeedContext = (userId: string) => `totp-seed:${userId}`;

/** A user's TOTP factor. The seed is sealed under the data key; the use cases open it. */
export interface TotpFactor {
  userId: string;
  tenantId: string;
  sealedSeed: string;
  /** False between enrolment start and the first correct code: not yet usable for sign-in. */
  confirmed: boolean;
  /** The last time step a code was accepted for, so that each code works once. */
  lastUsedStep: number | null;
  createdAt: number;
}

export interface FactorStore {
  getTotp(userId: string): Promise<TotpFactor | undefined>;
  /** Replaces the user's TOTP factor (a new enrolment overwrites an unconfirmed one). */
  putTotp(factor: TotpFactor): Promise<void>;
  /**
   * Records `step` as used and marks the factor confirmed, only if no step at or after it was used
   * (compare-and-set): false means another request used this code or a newer one first.
   */
  useTotpStep(userId: string, step: number): Promise<boolean>;
  /** Removes the user's TOTP factor; false when there was none. */
  deleteTotp(userId: string): Promise<boolean>;
  /** Removes every factor of the user (TOTP, passkeys, recovery codes); returns how many. */
  deleteAll(userId: string): Promise<number>;
}

/**
 * Failed sign-in attempts counted under one key: a subject (`account:<upn>`, `totp:<user id>`,
 * `passkey:<user id>`, `client:<app id>`), a subject from an address (`<subject>|ip:<address>`) or
 * an address (`ip:<address>`); see `domain/authn/throttle.ts`.
 */
export interface ThrottleState {
  failures: number;
  blockedUntil: number;
  /** When the last failure was counted (the row's update time). */
  lastFailureAt?: number;
}

export interface SignInThrottleStore {
  get(key: string): Promise<ThrottleState | undefined>;
  put(key: string, state: ThrottleState, now: number): Promise<void>;
  clear(key: string): Promise<void>;
}

/** Seals secrets under the data key (the store's SecretBox implements it). */
export interface Sealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** When each user last completed a sign-in (the stale sign-in alert reads it). */
export interface SignInActivityStore {
  /** Records a completed sign-in at `at` (moves the user's time forward only). */
  record(tenantId: string, userId: string, at: number): Promise<void>;
  /** The last sign-in time of every user of the tenant who ever signed in. */
  lastSignIns(tenantId: string): Promise<Map<string, number>>;
}

declare module '../ports.js' {
  interface Stores {
    /** Users' last completed sign-in. */
    signInActivity: SignInActivityStore;
    /** Users' second factors (TOTP). */
    factors: FactorStore;
    /** Users' passkeys and security keys (WebAuthn). */
    passkeys: PasskeyStore;
    /** Outstanding WebAuthn challenges (single use). */
    webauthnChallenges: WebAuthnChallengeStore;
    /** Hashes of users' one-time recovery codes. */
    recoveryCodes: RecoveryCodeStore;
    /** Failed sign-in counters per subject, per subject and address, and per address. */
    signInThrottle: SignInThrottleStore;
  }
}
