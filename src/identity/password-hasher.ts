import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id password hashing (OWASP parameters: 19 MiB memory, 2 iterations, 1 lane).
 * Slow on purpose; use cases call it outside their transaction.
 */
export function argon2Hasher() {
  const options = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  return {
    hash: (password: string) => hash(password, options),
    verify: (stored: string, password: string) => verify(stored, password),
  };
}
