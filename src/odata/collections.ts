import type { FieldMap } from './field-map.js';

/**
 * Every Graph collection's queryable properties and the column each is stored in. Routes parse
 * `$filter`/`$orderby`/`$select` against these; stores compile them to SQL with the same map, so
 * the two can never disagree. Column names come only from here, never from a request.
 */
/** Graph property → column, for `$filter` and `$orderby` on /users. */
export const userFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  userPrincipalName: { column: 'user_principal_name', type: 'string', caseInsensitive: true },
  mail: { column: 'mail', type: 'string', nullable: true, caseInsensitive: true },
  givenName: { column: 'given_name', type: 'string', nullable: true },
  surname: { column: 'surname', type: 'string', nullable: true },
  jobTitle: { column: 'job_title', type: 'string', nullable: true },
  accountEnabled: { column: 'account_enabled', type: 'boolean' },
  createdDateTime: { column: 'created_at', type: 'datetime' },
};

export const groupFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  description: { column: 'description', type: 'string', nullable: true },
  mailNickname: { column: 'mail_nickname', type: 'string', caseInsensitive: true },
  mailEnabled: { column: 'mail_enabled', type: 'boolean' },
  securityEnabled: { column: 'security_enabled', type: 'boolean' },
  isAssignableToRole: { column: 'is_assignable_to_role', type: 'boolean' },
  createdDateTime: { column: 'created_at', type: 'datetime' },
};

export const memberFields: FieldMap = {
  id: { column: 'member_id', type: 'guid' },
};

export const servicePrincipalFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  appId: { column: 'app_id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  accountEnabled: { column: 'account_enabled', type: 'boolean' },
  createdDateTime: { column: 'created_at', type: 'datetime' },
};

export const roleDefinitionFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  isBuiltIn: { column: 'is_built_in', type: 'boolean' },
  isEnabled: { column: 'is_enabled', type: 'boolean' },
  isPrivileged: { column: 'is_privileged', type: 'boolean' },
  templateId: { column: 'template_id', type: 'guid' },
};

export const roleAssignmentFields: FieldMap = {
  id: { column: 'id', type: 'string' },
  principalId: { column: 'principal_id', type: 'guid' },
  roleDefinitionId: { column: 'role_definition_id', type: 'guid' },
  directoryScopeId: { column: 'directory_scope_id', type: 'string' },
  appScopeId: { column: 'app_scope_id', type: 'string', nullable: true },
};
