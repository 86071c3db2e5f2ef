import { makeRolePolicies } from '../app/policies/role-policies.js';
import { policyRoutes } from '../http/routes/policies.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** Role settings: role management policies and their assignments. */
    rolePolicies: ReturnType<typeof makeRolePolicies>;
  }
}

/** Role settings: the 17 rules of each role's management policy. */
export const policiesModule = {
  name: 'policies',
  services: (k) => ({ rolePolicies: makeRolePolicies(k) }),
  routes: [{ plugin: policyRoutes, prefix: '/v1.0' }],
} satisfies FeatureModule;
