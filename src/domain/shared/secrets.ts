import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are 256-bit random values, so a plain SHA-256 is a safe way to store them
 * (no dictionary to attack); passwords, which people choose, use argon2id instead.
 */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against a stored SHA-256 hex hash. */
export function clientSecretMatches(presented: string, storedHashHex: string): boolean {
  const a = Buffer.from(hashClientSecret(presented), 'hex');
  const b = Buffer.from(storedHashHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new client secret: 40 url-safe characters, like Entra's, with a 3-character hint. */
export function newClientSecret(): { secret: string; hint: string } {
  const secret = randomBytes(30).toString('base64url');
  return { secret, hint: secret.slice(0, 3) };
}
