import type {
  PimApprovalApproverRow,
  PimApprovalDecisionRow,
  PimApprovalStepRow,
  PimScheduleRequestRow,
  PimScheduleRow,
  PimSlotRow,
} from './pim/rows.js';
import type {
  OutboxConsumerRow,
  OutboxDeadLetterRow,
  OutboxHeadRow,
  OutboxMessageRow,
} from './outbox/rows.js';

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

export interface AuditEntryRow {
  tenant_id: string;
  seq: number;
  id: string;
  activity_at: number;
  code: string;
  category: string;
  activity_display_name: string;
  operation_type: string;
  logged_by_service: string;
  result: string;
  initiated_by_user_id: string | null;
  initiated_by_upn: string | null;
  initiated_by_app_id: string | null;
  correlation_id: string | null;
  /** Canonical JSON of the entry: the exact text that was hashed. */
  payload: string;
  prev_hash: string;
  hash: string;
  /** 1: the hash covers the payload; 2: the payload and the query columns (migration 0012). */
  chain_format: number;
}

export interface AuditTargetRow {
  tenant_id: string;
  seq: number;
  target_id: string;
  target_type: string;
  display_name: string | null;
}

export interface AuditHeadRow {
  tenant_id: string;
  seq: number;
  hash: string;
}

export interface AuditCheckpointRow {
  tenant_id: string;
  seq: number;
  head_hash: string;
  signed_at: number;
  key_id: string;
  signature: string;
}

export interface AuditSigningKeyRow {
  key_id: string;
  alg: string;
  private_key_enc: string;
  public_key: string;
  created_at: number;
}

export interface AuditExportCursorRow {
  destination_id: string;
  tenant_id: string;
  seq: number;
  updated_at: number;
}

/** Per publisher and tenant, the seq of the last signed checkpoint it accepted (migration 0012). */
export interface AuditPublishCursorRow {
  publisher_id: string;
  tenant_id: string;
  seq: number;
  updated_at: number;
}

export interface AuditExportLeaseRow {
  destination_id: string;
  holder: string | null;
  expires_at: number;
}

export interface AuditPruneRow {
  tenant_id: string;
  through_seq: number;
  head_hash: string;
  pruned_at: number;
  key_id: string;
  signature: string;
}

/** Migration 0024: the holdings index's change feed (written by triggers only). */
export interface HoldingChangeRow {
  id: number;
  tenant_id: string;
  principal_id: string;
  /** `s` schedules, `d` direct assignments, `m` memberships, `a` account enabled. */
  source: string;
  txid: number | null;
  at: number | null;
}

export interface Database {
  holding_changes: HoldingChangeRow;
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
  audit_entries: AuditEntryRow;
  audit_targets: AuditTargetRow;
  audit_head: AuditHeadRow;
  audit_checkpoints: AuditCheckpointRow;
  audit_signing_keys: AuditSigningKeyRow;
  pim_schedule_requests: PimScheduleRequestRow;
  pim_schedules: PimScheduleRow;
  pim_slots: PimSlotRow;
  pim_approval_steps: PimApprovalStepRow;
  pim_approval_approvers: PimApprovalApproverRow;
  pim_approval_decisions: PimApprovalDecisionRow;
  audit_export_cursors: AuditExportCursorRow;
  audit_export_leases: AuditExportLeaseRow;
  audit_publish_cursors: AuditPublishCursorRow;
  audit_prunes: AuditPruneRow;
  oidc_models: OidcModelRow;
  user_factors: UserFactorRow;
  sign_in_throttle: SignInThrottleRow;
  webauthn_credentials: WebAuthnCredentialRow;
  webauthn_challenges: WebAuthnChallengeRow;
  recovery_codes: RecoveryCodeRow;
  external_identities: ExternalIdentityRow;
  outbox_messages: OutboxMessageRow;
  outbox_head: OutboxHeadRow;
  outbox_consumers: OutboxConsumerRow;
  outbox_dead_letters: OutboxDeadLetterRow;
  authentication_contexts: AuthenticationContextRow;
}

/** An authentication context of a tenant; `requirement` is JSON text. */
export interface AuthenticationContextRow {
  tenant_id: string;
  id: string;
  display_name: string;
  description: string | null;
  is_available: number;
  requirement: string;
  created_at: number;
  modified_at: number;
  version: number;
}

/** An external identity (trusted issuer + `sub`) linked to a directory user. */
export interface ExternalIdentityRow {
  issuer_id: string;
  subject: string;
  tenant_id: string;
  user_id: string;
  created_at: number;
  last_sign_in_at: number | null;
}

/** One oidc-provider artifact (Session, Interaction, AuthorizationCode, Grant, RefreshToken, …). */
export interface OidcModelRow {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface UserFactorRow {
  user_id: string;
  kind: string;
  tenant_id: string;
  secret_enc: string;
  confirmed: number;
  last_used_step: number | null;
  created_at: number;
}

export interface SignInThrottleRow {
  key: string;
  failures: number;
  blocked_until: number;
  updated_at: number;
}

export interface WebAuthnCredentialRow {
  id: string;
  credential_id: string;
  user_id: string;
  tenant_id: string;
  display_name: string;
  public_key: string;
  counter: number;
  transports: string;
  aaguid: string;
  backup_eligible: number;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

export interface WebAuthnChallengeRow {
  challenge: string;
  purpose: string;
  user_id: string | null;
  interaction_uid: string | null;
  expires_at: number;
}

export interface RecoveryCodeRow {
  user_id: string;
  code_hash: string;
  tenant_id: string;
  used_at: number | null;
  created_at: number;
}
