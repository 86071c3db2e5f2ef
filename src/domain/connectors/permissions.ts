import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-roles.js';

/**
 * Who manages connectors: role administrators (a connector turns role holdings into access in
 * other systems, so changing it is changing who holds what); their read-only peers read them.
 */
export const CONNECTOR_RULES = {
  write: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  read: {
    appPermissions: ['RoleManagement.Read.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR, R.GLOBAL_READER],
  },
} satisfies Record<string, Requirement>;
