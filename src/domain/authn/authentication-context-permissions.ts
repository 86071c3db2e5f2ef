import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-role-ids.js';

/**
 * Who may read and define authentication contexts. Graph's permissions for applications
 * (`AuthenticationContext.Read.All`/`.ReadWrite.All`, or the broader `Policy.Read.All`,
 * `Policy.ReadWrite.ConditionalAccess`); for people, Entra's Conditional Access Administrator and
 * Security Administrator and, because a context decides what activating a role takes, the role
 * administrators who may change role settings.
 */
export const AUTHENTICATION_CONTEXT_RULES = {
  read: {
    appPermissions: [
      'AuthenticationContext.Read.All',
      'Policy.Read.All',
      'Policy.ReadWrite.ConditionalAccess',
    ],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.CONDITIONAL_ACCESS_ADMINISTRATOR,
      R.SECURITY_ADMINISTRATOR,
      R.SECURITY_READER,
      R.GLOBAL_READER,
    ],
  },
  write: {
    appPermissions: ['AuthenticationContext.ReadWrite.All', 'Policy.ReadWrite.ConditionalAccess'],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.CONDITIONAL_ACCESS_ADMINISTRATOR,
      R.SECURITY_ADMINISTRATOR,
    ],
  },
} satisfies Record<string, Requirement>;
