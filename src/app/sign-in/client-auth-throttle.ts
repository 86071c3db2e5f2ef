import { signInThrottleKeys } from '../../domain/authn/throttle.js';
import type { Clock } from '../../domain/time/clock.js';
import type { UnitOfWork } from '../ports.js';
import { clearThrottle, countThrottledFailure, throttleWait, type ThrottleKeys } from './sign-in-attempts.js';

/**
 * Back-off for client authentication at the token endpoint (a wrong client secret), counted like
 * people's sign-in (`domain/authn/throttle.ts`) under `client:<client id>`, that client id from the
 * address, and the address. Unknown client ids are counted exactly like known ones, so the answer
 * (401 or 429) never tells whether an application exists.
 */
export interface ClientAuthThrottle {
  /** Whole seconds this client id must wait from `ip`, or null when it may authenticate now. */
  wait(clientId: string, ip: string): Promise<number | null>;
  /** The client failed to authenticate (unknown client, wrong, expired or revoked secret). */
  failed(clientId: string, ip: string): Promise<void>;
  /** The client authenticated: its counters (not the address's) are cleared. */
  succeeded(clientId: string, ip: string): Promise<void>;
}

/** Longest client id counted as given; longer ones are counted under their first 256 characters. */
const MAX_CLIENT_ID = 256;

export function makeClientAuthThrottle(deps: { uow: UnitOfWork; clock: Clock }): ClientAuthThrottle {
  const keysOf = (clientId: string, ip: string): ThrottleKeys =>
    signInThrottleKeys(`client:${clientId.slice(0, MAX_CLIENT_ID)}`, ip);
  return {
    async wait(clientId, ip) {
      const now = deps.clock.now();
      return deps.uow.run((tx) => throttleWait(tx, keysOf(clientId, ip), now));
    },
    async failed(clientId, ip) {
      const now = deps.clock.now();
      await deps.uow.run((tx) => countThrottledFailure(tx, keysOf(clientId, ip), now));
    },
    async succeeded(clientId, ip) {
      const keys = keysOf(clientId, ip);
      await deps.uow.run(async (tx) => {
        // Most token requests have nothing to clear: they stay read-only transactions.
        const [subject, pair] = [keys.subject ?? '', keys.pair];
        if ((await tx.signInThrottle.get(subject)) || (await tx.signInThrottle.get(pair)))
          await clearThrottle(tx, keys);
      });
    },
  };
}
