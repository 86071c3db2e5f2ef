import {
  makeAuthenticationMethods,
  type AuthenticationMethods,
} from '../app/sign-in/authentication-methods.js';
import { makeFactors, type Factors } from '../app/sign-in/factors.js';
import { authenticationMethodRoutes } from '../http/routes/authentication-methods.js';
import { authenticationRoutes } from '../http/routes/authentication.js';
import { signInStores } from '../store/sign-in/stores.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** The signed-in user's second factors (TOTP enrolment) and the administrators' reset. */
    factors: Factors;
    /** The signed-in user's passkeys, recovery codes, and the list and removal of their methods. */
    authenticationMethods: AuthenticationMethods;
  }
}

/** Sign-in methods of people: TOTP, passkeys, recovery codes, throttling of attempts. */
export const signInModule = {
  name: 'signIn',
  stores: signInStores,
  services: (k) => ({
    factors: makeFactors({ ...k, sealer: k.box, issuerName: 'Elevate' }),
    authenticationMethods: makeAuthenticationMethods({ ...k, relyingParty: k.relyingParty }),
  }),
  routes: [
    { plugin: authenticationRoutes, prefix: '/v1.0' },
    { plugin: authenticationMethodRoutes, prefix: '/v1.0' },
  ],
} satisfies FeatureModule;
