/**
 * Authentication method references (RFC 8176) as Elevate's tokens carry them:
 * - `pwd` password; `otp` a one-time password (an authenticator-app code or a recovery code);
 * - `hwk` a device-bound passkey or security key; `swk` a synced (backed-up) passkey;
 * - `mfa` when two factors were used: a password and a one-time password or passkey, and also a
 *   passkey alone, because Elevate requires user verification (PIN or biometric) on every
 *   WebAuthn ceremony: possession of the key plus the user's knowledge or inherence
 *   (docs/adr/0010-passkeys-and-recovery-codes.md).
 */
export type Amr = 'pwd' | 'otp' | 'hwk' | 'swk' | 'mfa';

/** The methods that satisfy the second step after a password. */
export const SECOND_FACTOR_METHODS: ReadonlySet<string> = new Set(['otp', 'hwk', 'swk']);

/** The `amr` value of a passkey: `swk` when the credential is backed up (synced), else `hwk`. */
export const passkeyMethod = (backedUp: boolean): 'hwk' | 'swk' => (backedUp ? 'swk' : 'hwk');

/** `amr` as Entra and RFC 8176 spell it: the methods used, plus `mfa` when there were two factors. */
export function amrOf(methods: readonly string[]): string[] {
  const amr = [...new Set(methods)].filter((m) => m !== 'mfa');
  const passkey = amr.includes('hwk') || amr.includes('swk');
  if (passkey || (amr.includes('pwd') && amr.includes('otp'))) amr.push('mfa');
  return amr;
}
