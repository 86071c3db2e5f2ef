import { makeRoleAssignments } from '../app/roles/role-assignments.js';
import { makeRoleDefinitions } from '../app/roles/role-definitions.js';
import { roleAssignmentRoutes } from '../http/routes/role-assignments.js';
import { roleDefinitionRoutes } from '../http/routes/role-definitions.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    roleDefinitions: ReturnType<typeof makeRoleDefinitions>;
    roleAssignments: ReturnType<typeof makeRoleAssignments>;
  }
}

/** Role definitions (built-in with Entra's template ids, and custom) and direct role assignments. */
export const rolesModule = {
  name: 'roles',
  services: (k) => ({ roleDefinitions: makeRoleDefinitions(k), roleAssignments: makeRoleAssignments(k) }),
  routes: [
    { plugin: roleDefinitionRoutes, prefix: '/v1.0' },
    { plugin: roleAssignmentRoutes, prefix: '/v1.0' },
  ],
} satisfies FeatureModule;
