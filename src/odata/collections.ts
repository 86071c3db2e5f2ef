import { sql } from 'kysely';
import type { FieldMap, LambdaCompiler } from './field-map.js';
import {
  ASSIGNMENT_TYPES,
  GROUP_ACCESS_IDS,
  MEMBER_TYPES,
  REQUEST_ACTIONS,
  REQUEST_STATUSES,
} from '../domain/pim/types.js';
import type { IsOfCompiler } from './filter-compiler.js';
import { ODataError } from './odata-error.js';

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

/**
 * `/policies/roleManagementPolicies`. `scopeType` accepts Graph's synonym `Directory` (the use case
 * rewrites it to the stored `DirectoryRole`); `lastModifiedBy` is selectable only.
 */
export const rolePolicyFields: FieldMap = {
  id: { column: 'id', type: 'string' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  description: { column: 'description', type: 'string', caseInsensitive: true },
  isOrganizationDefault: { column: 'is_organization_default', type: 'boolean' },
  scopeId: { column: 'scope_id', type: 'string' },
  scopeType: { column: 'scope_type', type: 'enum', values: ['DirectoryRole', 'Directory', 'Group'] },
  lastModifiedDateTime: { column: 'last_modified_at', type: 'datetime', nullable: true },
  lastModifiedBy: { column: 'last_modified_by', type: 'string', filterable: false, sortable: false },
};

/**
 * `/policies/roleManagementPolicyAssignments`: one per policy row (`id` = `{policyId}_{roleDefinitionId}`
 * is derived, so it is selectable but not filterable).
 */
export const rolePolicyAssignmentFields: FieldMap = {
  id: { column: 'id', type: 'string', filterable: false, sortable: false },
  policyId: { column: 'id', type: 'string' },
  scopeId: { column: 'scope_id', type: 'string' },
  scopeType: { column: 'scope_type', type: 'enum', values: ['DirectoryRole', 'Directory', 'Group'] },
  roleDefinitionId: { column: 'role_definition_id', type: 'string', caseInsensitive: true },
};

/** One element of a directoryAudit's `targetResources`, as stored in `audit_targets`. */
const auditTargetFields: FieldMap = {
  id: { column: 't.target_id', type: 'string' },
  displayName: { column: 't.display_name', type: 'string', nullable: true },
  type: { column: 't.target_type', type: 'string' },
};

/** `targetResources/any(t: t/id eq '…')` over the `audit_targets` child table (alias `t`). */
const auditTargetsLambda: LambdaCompiler = (eb, lambda) => {
  const body = lambda.compileBody(auditTargetFields);
  const targets = eb
    .selectFrom('audit_targets as t')
    .select(sql.lit(1).as('one'))
    .where(sql.ref('t.tenant_id'), '=', sql.ref('e.tenant_id'))
    .where(sql.ref('t.seq'), '=', sql.ref('e.seq'));
  return lambda.op === 'any'
    ? eb.exists(targets.where(body))
    : eb.not(eb.exists(targets.where(eb.not(body))));
};

/**
 * `/auditLogs/directoryAudits` over `audit_entries as e`: the filters Graph documents for
 * directoryAudit. Properties that are only rendered from the hashed payload are selectable only.
 */
export const auditFields: FieldMap = {
  id: { column: 'e.id', type: 'string' },
  activityDateTime: { column: 'e.activity_at', type: 'datetime' },
  activityDisplayName: { column: 'e.activity_display_name', type: 'string' },
  category: { column: 'e.category', type: 'string' },
  correlationId: { column: 'e.correlation_id', type: 'string', nullable: true },
  loggedByService: { column: 'e.logged_by_service', type: 'string' },
  operationType: { column: 'e.operation_type', type: 'string' },
  result: {
    column: 'e.result',
    type: 'enum',
    values: ['success', 'failure', 'timeout', 'unknownFutureValue'],
  },
  'initiatedBy/user/id': { column: 'e.initiated_by_user_id', type: 'guid', nullable: true },
  'initiatedBy/user/userPrincipalName': {
    column: 'e.initiated_by_upn',
    type: 'string',
    nullable: true,
    caseInsensitive: true,
  },
  'initiatedBy/app/appId': { column: 'e.initiated_by_app_id', type: 'guid', nullable: true },
  targetResources: {
    column: 'e.seq',
    type: 'string',
    filterable: false,
    sortable: false,
    any: auditTargetsLambda,
  },
  resultReason: { column: 'e.payload', type: 'string', filterable: false, sortable: false },
  additionalDetails: { column: 'e.payload', type: 'string', filterable: false, sortable: false },
};

/** Directory-object types a PIM row's principal can have, by the name `isof` uses. */
const PRINCIPAL_TYPES: Readonly<Record<string, string>> = {
  'microsoft.graph.user': 'user',
  'microsoft.graph.group': 'group',
  'microsoft.graph.serviceprincipal': 'servicePrincipal',
};

/**
 * `isof(principal,'microsoft.graph.user')` on PIM schedules and instances (access review scopes
 * use it), over the row's `principal_type` column.
 */
export const principalIsOf: IsOfCompiler = (eb, { target, typeName }) => {
  const type = PRINCIPAL_TYPES[typeName.toLowerCase()];
  if (target?.toLowerCase() !== 'principal' || type === undefined) {
    throw new ODataError(
      'invalidFilter',
      "Only isof(principal,'microsoft.graph.user'|'microsoft.graph.group'|'microsoft.graph.servicePrincipal') is supported here.",
      '$filter',
    );
  }
  return eb(sql.ref('principal_type'), '=', type);
};

const pimScope: FieldMap = {
  principalId: { column: 'principal_id', type: 'guid' },
  roleDefinitionId: { column: 'role_definition_id', type: 'guid' },
  directoryScopeId: { column: 'directory_scope_id', type: 'string' },
  appScopeId: { column: 'app_scope_id', type: 'string', nullable: true },
};

/**
 * `roleAssignmentScheduleRequests` / `roleEligibilityScheduleRequests`, over a select whose
 * `status_at` is the status at the reader's `now` (a `Granted` request reads `Provisioned` once its
 * start has passed). Structured properties are selectable only.
 */
export const scheduleRequestFields: FieldMap = {
  id: { column: 'id', type: 'string' },
  status: { column: 'status_at', type: 'enum', values: REQUEST_STATUSES },
  action: { column: 'action', type: 'enum', values: REQUEST_ACTIONS },
  ...pimScope,
  targetScheduleId: { column: 'target_schedule_id', type: 'string', nullable: true },
  approvalId: { column: 'approval_id', type: 'string', nullable: true },
  justification: { column: 'justification', type: 'string', nullable: true },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  completedDateTime: { column: 'completed_at', type: 'datetime', nullable: true },
  isValidationOnly: { column: 'id', type: 'boolean', filterable: false, sortable: false },
  customData: { column: 'custom_data', type: 'string', nullable: true, filterable: false, sortable: false },
  createdBy: { column: 'created_by_id', type: 'string', filterable: false, sortable: false },
  scheduleInfo: { column: 'schedule_start_at', type: 'string', filterable: false, sortable: false },
  ticketInfo: { column: 'ticket_number', type: 'string', filterable: false, sortable: false },
};

/** Schedule statuses as read at `now`: request statuses plus `Expired` for ended schedules. */
export const SCHEDULE_STATUSES = [...REQUEST_STATUSES, 'Expired'] as const;

/** `roleEligibilitySchedules`, over a select whose `status_at` is the status at the reader's `now`. */
export const eligibilityScheduleFields: FieldMap = {
  id: { column: 'id', type: 'string' },
  ...pimScope,
  status: { column: 'status_at', type: 'enum', values: SCHEDULE_STATUSES },
  memberType: { column: 'member_type', type: 'enum', values: MEMBER_TYPES },
  createdUsing: { column: 'created_using', type: 'string', nullable: true },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  modifiedDateTime: { column: 'modified_at', type: 'datetime' },
  scheduleInfo: { column: 'start_at', type: 'string', filterable: false, sortable: false },
};

/** `roleAssignmentSchedules`: eligibility's properties plus `assignmentType`. */
export const assignmentScheduleFields: FieldMap = {
  ...eligibilityScheduleFields,
  assignmentType: { column: 'assignment_type', type: 'enum', values: ASSIGNMENT_TYPES, nullable: true },
};

/** `roleEligibilityScheduleInstances`: `id` is the instance id, `roleEligibilityScheduleId` its schedule. */
export const eligibilityInstanceFields: FieldMap = {
  id: { column: 'instance_id', type: 'string' },
  ...pimScope,
  startDateTime: { column: 'start_at', type: 'datetime', nullable: true },
  endDateTime: { column: 'end_at', type: 'datetime', nullable: true },
  memberType: { column: 'member_type', type: 'enum', values: MEMBER_TYPES },
  roleEligibilityScheduleId: { column: 'schedule_id', type: 'string' },
};

/** `roleAssignmentScheduleInstances`, direct role assignments included. */
export const assignmentInstanceFields: FieldMap = {
  id: { column: 'instance_id', type: 'string' },
  ...pimScope,
  startDateTime: { column: 'start_at', type: 'datetime', nullable: true },
  endDateTime: { column: 'end_at', type: 'datetime', nullable: true },
  memberType: { column: 'member_type', type: 'enum', values: MEMBER_TYPES },
  assignmentType: { column: 'assignment_type', type: 'enum', values: ASSIGNMENT_TYPES, nullable: true },
  roleAssignmentOriginId: { column: 'instance_id', type: 'string' },
  roleAssignmentScheduleId: { column: 'schedule_id', type: 'string' },
};

// PIM for Groups (reference §4). The store keeps a group schedule's access id (`member`/`owner`)
// in `role_definition_id` and its group id in `directory_scope_id`; these maps name them as Graph
// does. `memberType` and `assignmentType` read lowercase in Graph's group shapes but are stored in
// the directory-role spelling; enum values match case-insensitively, so `memberType eq 'direct'`
// and `assignmentType eq 'activated'` filter (and sort) as Graph's clients write them.

const groupScope: FieldMap = {
  principalId: { column: 'principal_id', type: 'guid' },
  groupId: { column: 'directory_scope_id', type: 'guid' },
  accessId: { column: 'role_definition_id', type: 'enum', values: GROUP_ACCESS_IDS },
};

const selectableOnly = { filterable: false, sortable: false } as const;

/** `privilegedAccessGroupAssignmentScheduleRequests` / `…EligibilityScheduleRequests`. */
export const groupScheduleRequestFields: FieldMap = {
  id: { column: 'id', type: 'string' },
  status: { column: 'status_at', type: 'enum', values: REQUEST_STATUSES },
  action: { column: 'action', type: 'enum', values: REQUEST_ACTIONS },
  ...groupScope,
  targetScheduleId: { column: 'target_schedule_id', type: 'string', nullable: true },
  approvalId: { column: 'approval_id', type: 'string', nullable: true },
  justification: { column: 'justification', type: 'string', nullable: true },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  completedDateTime: { column: 'completed_at', type: 'datetime', nullable: true },
  isValidationOnly: { column: 'id', type: 'boolean', ...selectableOnly },
  customData: { column: 'custom_data', type: 'string', nullable: true, ...selectableOnly },
  createdBy: { column: 'created_by_id', type: 'string', ...selectableOnly },
  scheduleInfo: { column: 'schedule_start_at', type: 'string', ...selectableOnly },
  ticketInfo: { column: 'ticket_number', type: 'string', ...selectableOnly },
};

/** `privilegedAccessGroupEligibilitySchedules`. */
export const groupEligibilityScheduleFields: FieldMap = {
  id: { column: 'id', type: 'string' },
  ...groupScope,
  status: { column: 'status_at', type: 'enum', values: SCHEDULE_STATUSES },
  memberType: { column: 'member_type', type: 'enum', values: MEMBER_TYPES },
  createdUsing: { column: 'created_using', type: 'string', nullable: true },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  modifiedDateTime: { column: 'modified_at', type: 'datetime' },
  scheduleInfo: { column: 'start_at', type: 'string', ...selectableOnly },
};

/** `privilegedAccessGroupAssignmentSchedules`: eligibility's properties plus `assignmentType`. */
export const groupAssignmentScheduleFields: FieldMap = {
  ...groupEligibilityScheduleFields,
  assignmentType: { column: 'assignment_type', type: 'enum', values: ASSIGNMENT_TYPES, nullable: true },
};

/** `privilegedAccessGroupEligibilityScheduleInstances`. */
export const groupEligibilityInstanceFields: FieldMap = {
  id: { column: 'instance_id', type: 'string' },
  ...groupScope,
  startDateTime: { column: 'start_at', type: 'datetime', nullable: true },
  endDateTime: { column: 'end_at', type: 'datetime', nullable: true },
  memberType: { column: 'member_type', type: 'enum', values: MEMBER_TYPES },
  eligibilityScheduleId: { column: 'schedule_id', type: 'string' },
};

/** `privilegedAccessGroupAssignmentScheduleInstances`. */
export const groupAssignmentInstanceFields: FieldMap = {
  id: { column: 'instance_id', type: 'string' },
  ...groupScope,
  startDateTime: { column: 'start_at', type: 'datetime', nullable: true },
  endDateTime: { column: 'end_at', type: 'datetime', nullable: true },
  memberType: { column: 'member_type', type: 'enum', values: MEMBER_TYPES },
  assignmentType: { column: 'assignment_type', type: 'enum', values: ASSIGNMENT_TYPES, nullable: true },
  assignmentScheduleId: { column: 'schedule_id', type: 'string' },
};
