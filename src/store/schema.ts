/**
 * Row types of every table, as stored: epoch-ms integers for times, 0/1 for booleans, JSON as text,
 * lower-case UUID text for ids. `codecs.ts` converts between these and domain values.
 */
export interface TenantRow {
  id: string;
  display_name: string;
  created_at: number;
}

export interface UserRow {
  id: string;
  tenant_id: string;
  display_name: string;
  user_principal_name: string;
  upn_lower: string;
  mail: string | null;
  given_name: string | null;
  surname: string | null;
  job_title: string | null;
  account_enabled: number;
  password_hash: string | null;
  password_must_change: number;
  created_at: number;
  modified_at: number;
  version: number;
}

export interface GroupRow {
  id: string;
  tenant_id: string;
  display_name: string;
  description: string | null;
  mail_nickname: string;
  mail_enabled: number;
  security_enabled: number;
  is_assignable_to_role: number;
  created_at: number;
  modified_at: number;
  version: number;
}

export interface GroupMemberRow {
  tenant_id: string;
  group_id: string;
  member_id: string;
  member_type: 'user' | 'group' | 'servicePrincipal';
  created_at: number;
}

export interface ServicePrincipalRow {
  id: string;
  tenant_id: string;
  app_id: string;
  display_name: string;
  account_enabled: number;
  app_permissions: string;
  created_at: number;
  modified_at: number;
  version: number;
}

export interface ServicePrincipalSecretRow {
  key_id: string;
  tenant_id: string;
  service_principal_id: string;
  display_name: string | null;
  hint: string;
  secret_hash: string;
  start_at: number;
  end_at: number | null;
  created_at: number;
}

export interface RoleDefinitionRow {
  tenant_id: string;
  id: string;
  display_name: string;
  description: string | null;
  is_built_in: number;
  is_enabled: number;
  is_privileged: number;
  template_id: string;
  version_label: string | null;
  resource_scopes: string;
  role_permissions: string;
  created_at: number;
  modified_at: number;
  version: number;
}

export interface RoleAssignmentRow {
  id: string;
  tenant_id: string;
  principal_id: string;
  principal_type: 'user' | 'group' | 'servicePrincipal';
  role_definition_id: string;
  directory_scope_id: string;
  app_scope_id: string | null;
  created_at: number;
  created_by: string | null;
}

export interface RoleManagementPolicyRow {
  id: string;
  tenant_id: string;
  scope_id: string;
  scope_type: string;
  role_definition_id: string;
  display_name: string;
  description: string;
  is_organization_default: number;
  rules: string;
  last_modified_at: number | null;
  last_modified_by: string | null;
  version: number;
}

export interface SigningKeyRow {
  kid: string;
  alg: string;
  private_jwk_enc: string;
  public_jwk: string;
  status: 'active' | 'retired';
  created_at: number;
}

export interface SystemStateRow {
  key: string;
  value: string;
  updated_at: number;
}

export interface SchemaMigrationRow {
  name: string;
  applied_at: number;
}

export interface Database {
  tenants: TenantRow;
  users: UserRow;
  groups: GroupRow;
  group_members: GroupMemberRow;
  service_principals: ServicePrincipalRow;
  service_principal_secrets: ServicePrincipalSecretRow;
  role_definitions: RoleDefinitionRow;
  role_assignments: RoleAssignmentRow;
  role_management_policies: RoleManagementPolicyRow;
  signing_keys: SigningKeyRow;
  system_state: SystemStateRow;
  schema_migrations: SchemaMigrationRow;
}
