import type { StoreBinder } from '../unit-of-work.js';
import { passkeyStore, recoveryCodeStore, webauthnChallengeStore } from './authentication-method-store.js';
import { factorStore, signInThrottleStore } from './factor-store.js';
import { signInActivityStore } from './sign-in-activity-store.js';

/** Sign-in's stores (see `app/sign-in/ports.ts`). */
export const signInStores: StoreBinder = (db) => ({
  factors: factorStore(db),
  signInThrottle: signInThrottleStore(db),
  passkeys: passkeyStore(db),
  webauthnChallenges: webauthnChallengeStore(db),
  recoveryCodes: recoveryCodeStore(db),
  signInActivity: signInActivityStore(db),
});
