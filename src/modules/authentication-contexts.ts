import { makeAuthenticationContexts } from '../app/authentication-contexts/authentication-contexts.js';
import { authenticationContextRoutes } from '../http/routes/authentication-contexts.js';
import { authenticationContextStores } from '../store/authentication-contexts/authentication-context-store.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** Authentication contexts and the requirement each is bound to. */
    authenticationContexts: ReturnType<typeof makeAuthenticationContexts>;
  }
}

/**
 * Authentication contexts (`c1`…`c99`): what a role setting's `AuthenticationContext_EndUser_Assignment`
 * names, bound to a requirement Elevate enforces at sign-in (`acrs`) and at activation.
 */
export const authenticationContextsModule = {
  name: 'authenticationContexts',
  stores: authenticationContextStores,
  services: (k) => ({ authenticationContexts: makeAuthenticationContexts(k) }),
  routes: [{ plugin: authenticationContextRoutes, prefix: '/v1.0' }],
} satisfies FeatureModule;
