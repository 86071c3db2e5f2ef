import { makeResourceRoleDefinitions } from '../app/resources/role-definitions.js';
import { makeResourceScopes } from '../app/resources/scopes.js';
import { makeEligibleChildResources } from '../app/resources/eligible-children.js';
import { armRoutes } from '../http/arm/arm-routes.js';
import { resourceScopeRoutes } from '../http/routes/resource-scopes.js';
import { resourceStores } from '../store/resources/resource-stores.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** The resource hierarchy (ADR 0029). */
    resourceScopes: ReturnType<typeof makeResourceScopes>;
    /** Resource role definitions: Azure's built-ins and custom roles (ADR 0029). */
    resourceRoles: ReturnType<typeof makeResourceRoleDefinitions>;
    /** ARM's `eligibleChildResources` (ADR 0034). */
    eligibleChildResources: ReturnType<typeof makeEligibleChildResources>;
  }
}

/**
 * Resource roles on a scope hierarchy: the registered resources and the role definitions. Their
 * PIM (eligibility, activation, policy) is the PIM module's engine with the `resourceRole` target
 * (`app/pim/resource-role-target.ts`).
 */
export const resourcesModule = {
  name: 'resources',
  stores: resourceStores,
  services: (k) => ({
    resourceScopes: makeResourceScopes({ uow: k.uow, clock: k.clock }),
    resourceRoles: makeResourceRoleDefinitions({ uow: k.uow, clock: k.clock, newId: k.newId }),
    eligibleChildResources: makeEligibleChildResources({ uow: k.uow, clock: k.clock }),
  }),
  routes: [
    { plugin: resourceScopeRoutes, prefix: '/v1.0' },
    { plugin: armRoutes, prefix: '' },
  ],
} satisfies FeatureModule;
