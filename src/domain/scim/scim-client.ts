import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-roles.js';

/**
 * An identity provider's provisioning client (Okta, Entra ID, Keycloak…): the bearer token it sends
 * to `/scim/v2` is kept as a SHA-256 hash (a 256-bit random value: no dictionary to attack), shown
 * once when the client is created, never again (ADR 0038).
 */
export interface ScimClient {
  id: string;
  tenantId: string;
  displayName: string;
  tokenHash: string;
  /** The token's last four characters, so an administrator can tell two tokens apart. */
  tokenHint: string;
  createdAt: number;
  /** Object id of the administrator (user or app) who created it. */
  createdBy: string;
}

/** Prefix of every SCIM token: secret scanners recognise it, and it is never an access token (JWT). */
export const SCIM_TOKEN_PREFIX = 'elvscim_';
export const MAX_SCIM_CLIENTS_PER_TENANT = 50;
export const MAX_SCIM_CLIENT_NAME = 256;

/**
 * Who manages provisioning clients: role administrators. A client creates and changes users and
 * groups, and deprovisions the users it provisioned even when they hold a privileged role (a
 * leaver's access must end), so handing one out is a role administrator's decision.
 */
export const SCIM_CLIENT_RULES = {
  write: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  read: {
    appPermissions: ['RoleManagement.Read.Directory', 'Directory.Read.All'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR, R.GLOBAL_READER],
  },
} satisfies Record<string, Requirement>;

/**
 * What a provisioning client may do in the directory, as application permissions on its caller:
 * users and groups, nothing else (no roles, no applications). Changing a user who holds or may
 * activate a privileged role still needs a role administrator (the directory's own guard), except
 * deprovisioning, which only takes access away.
 */
export const SCIM_CLIENT_PERMISSIONS = ['User.ReadWrite.All', 'Group.ReadWrite.All'] as const;
