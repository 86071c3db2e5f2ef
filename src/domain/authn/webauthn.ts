import { createHash } from 'node:crypto';

const MAX_CLIENT_DATA_CHARS = 4096;

/**
 * The challenge a browser put into `clientDataJSON` (base64url JSON), used to find the stored
 * challenge; undefined when it is not there. Nothing here is trusted: the relying party verifies the
 * whole response against the stored challenge afterwards.
 */
export function challengeOf(clientDataJSON: string): string | undefined {
  if (clientDataJSON.length > MAX_CLIENT_DATA_CHARS) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (parsed as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}

/** The WebAuthn user handle Elevate registers: the user's object id as UTF-8, base64url. */
export const userHandleOf = (userId: string): string => Buffer.from(userId, 'utf8').toString('base64url');

/** A stable id (UUID form) for a method a user holds at most once, e.g. their authenticator app. */
export function singletonMethodId(kind: string, userId: string): string {
  const h = createHash('sha256').update(`${kind}:${userId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
