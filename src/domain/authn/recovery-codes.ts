import { createHash, randomBytes } from 'node:crypto';
import { base32Encode } from './totp.js';

/** How many codes one generation yields. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * A fresh recovery code: 80 random bits in base32, shown as four groups of four (`ABCD-EFGH-…`).
 * With that much entropy a plain SHA-256 is enough to store it (nothing to brute-force offline), and
 * checking one costs nothing, unlike a password hash.
 */
export function newRecoveryCode(): string {
  const text = base32Encode(randomBytes(10));
  return (text.match(/.{4}/g) ?? []).join('-');
}

/** The code as typed, in canonical form: upper case, without separators or spaces. */
export const normalizeRecoveryCode = (typed: string): string =>
  typed.slice(0, 64).toUpperCase().replace(/[\s-]/g, '');

/** What is stored: SHA-256 over the user id and the canonical code, hex. */
export function recoveryCodeHash(userId: string, typed: string): string {
  return createHash('sha256')
    .update(`${userId}:${normalizeRecoveryCode(typed)}`)
    .digest('hex');
}
