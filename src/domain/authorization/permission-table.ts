import { BUILT_IN_ROLES } from '../roles/built-in-roles.js';
import { ACCESS_REVIEW_RULES } from '../access-reviews/permissions.js';
import { BREAK_GLASS_RULES } from '../alerts/break-glass.js';
import { ALERT_RULES } from '../alerts/permissions.js';
import { AUDIT_RULES } from '../audit/permissions.js';
import { AUTHENTICATION_CONTEXT_RULES } from '../authn/authentication-context-permissions.js';
import { EVALUATE_RULE } from '../authzen/permissions.js';
import { COMPLIANCE_RULES } from '../compliance/permissions.js';
import { CONNECTOR_RULES } from '../connectors/permissions.js';
import { DECISION_HOOK_RULES } from '../decision-hooks/permissions.js';
import { DIRECTORY_RULES } from '../directory/permissions.js';
import { GROUP_POLICY_RULES, PIM_GROUP_RULES, PIM_RULES } from '../pim/permissions.js';
import { RESOURCE_RULES } from '../resources/permissions.js';
import { SCIM_CLIENT_RULES } from '../scim/scim-client.js';
import { SSF_RULES } from '../ssf/permissions.js';
import { AU_RULES } from '../directory/administrative-unit.js';
import type { Requirement } from './requirement.js';

/**
 * Who may call what, in one place: each operation of Elevate's API with the requirement its use
 * case checks (`authorize`), or `self` for what any signed-in principal may do for itself.
 * `docs/permissions.md` is rendered from this table (`npm run docs:permissions`) and a test fails
 * when the two disagree.
 */
export interface PermissionRow {
  operation: string;
  /** A rule, `self`, or (where the check is not one rule, e.g. approvers) the rule in words. */
  need: Requirement | 'self' | { apps: string; users: string };
  /** Extra conditions, in words. */
  note?: string;
}

export const PERMISSION_TABLE: readonly PermissionRow[] = [
  { operation: 'read users', need: DIRECTORY_RULES.readUsers },
  { operation: 'create/update/delete users', need: DIRECTORY_RULES.writeUsers },
  {
    operation: "reset a user's sign-in methods (authenticator app, passkeys, recovery codes)",
    need: DIRECTORY_RULES.writeUsers,
  },
  {
    operation: '… either of these for a user who holds or may activate a privileged role',
    need: DIRECTORY_RULES.writePrivilegedUsers,
    note: 'in addition to the rows above',
  },
  {
    operation:
      'read groups, members and owners (`members`, `owners`, `transitiveMembers`, `/users/{id}/memberOf`, `/directoryObjects/{id}/getMemberObjects` — a principal may ask for itself)',
    need: DIRECTORY_RULES.readGroups,
  },
  {
    operation: 'create/update/delete groups, members',
    need: DIRECTORY_RULES.writeGroups,
    note: "also a group's active PIM owner for its members (never adding themself)",
  },
  { operation: '… of a **role-assignable** group', need: DIRECTORY_RULES.writeRoleAssignableGroups },
  { operation: 'read service principals', need: DIRECTORY_RULES.readApps },
  { operation: 'create/update/delete service principals, secrets', need: DIRECTORY_RULES.writeApps },
  {
    operation:
      '… any of these for a **privileged** application (one holding a privileged application permission, or holding or eligible for a privileged role), and granting a privileged application permission to any application',
    need: DIRECTORY_RULES.writePrivilegedApps,
    note: 'in addition to the rows above and below; an application never adds a permission to itself',
  },
  {
    operation: 'grant application permissions',
    need: DIRECTORY_RULES.grantAppPermissions,
    note: 'an app may grant only permissions it holds itself',
  },
  { operation: 'read role definitions and direct role assignments', need: DIRECTORY_RULES.readRoles },
  {
    operation: 'create/update/delete custom roles, direct role assignments',
    need: DIRECTORY_RULES.writeRoles,
  },
  {
    operation: "read everyone's PIM eligibility requests, schedules, instances",
    need: PIM_RULES.read.eligibility,
  },
  {
    operation: "read everyone's PIM assignment requests, schedules, instances",
    need: PIM_RULES.read.assignment,
  },
  {
    operation: 'PIM eligibility requests for others (`adminAssign`, `adminRemove`, …), cancel them',
    need: PIM_RULES.write.eligibility,
  },
  {
    operation: 'PIM assignment requests for others (`adminAssign`, `adminRemove`, …), cancel them',
    need: PIM_RULES.write.assignment,
  },
  {
    operation:
      "PIM for Groups: read everyone's eligibility requests, schedules, instances (`/identityGovernance/privilegedAccess/group/eligibility…`)",
    need: PIM_GROUP_RULES.read.eligibility,
  },
  {
    operation:
      "PIM for Groups: read everyone's assignment requests, schedules, instances (`…/group/assignment…`)",
    need: PIM_GROUP_RULES.read.assignment,
  },
  {
    operation:
      'PIM for Groups: eligibility requests for others (`adminAssign`, `adminRemove`, …), cancel them',
    need: PIM_GROUP_RULES.write.eligibility,
  },
  {
    operation: 'PIM for Groups: requests of either kind for others in a **role-assignable** group',
    need: DIRECTORY_RULES.writeRoleAssignableGroups,
    note: 'in addition to the rows around it: such a group confers directory roles',
  },
  {
    operation:
      'PIM for Groups: assignment requests for others (`adminAssign`, `adminRemove`, …), cancel them',
    need: PIM_GROUP_RULES.write.assignment,
  },
  {
    operation:
      'own PIM requests (`selfActivate`, `selfDeactivate`, `selfExtend`, `selfRenew`), `filterByCurrentUser`',
    need: 'self',
    note: 'the caller must be the principal; others see their own requests and schedules only',
  },
  {
    operation:
      'read an approval: `GET /beta/roleManagement/directory/roleAssignmentApprovals/{id}`, `…/steps`; for groups `GET /v1.0/identityGovernance/privilegedAccess/group/assignmentApprovals/{id}`, `…/stages`',
    need: {
      apps: 'as for reading everyone’s PIM assignment requests',
      users:
        'its requestor, the approvers of its stages, and the readers of PIM assignment requests (of groups, for a group approval); anyone else gets 404',
    },
  },
  {
    operation:
      'decide an approval stage: `PATCH /beta/…/roleAssignmentApprovals/{id}/steps/{stepId}`, `PATCH …/group/assignmentApprovals/{id}/stages/{stageId}`',
    need: {
      apps: '— (applications cannot approve: 403)',
      users:
        'the users the stage names, members of the groups it names, or, when it names nobody, users holding an *active* Global Administrator or Privileged Role Administrator role; never the requestor (403)',
    },
  },
  {
    operation:
      "the requester's recent activations of the role, for deciding: `GET /beta/…/roleAssignmentApprovals/{id}/requesterActivations` (ADR 0043)",
    need: {
      apps: '— (applications cannot approve: 404)',
      users:
        'a user who approves the stage the request waits at now (named, through a named group, or a default approver), never the requestor; anyone else, readers of every request included, and everyone once the request is no longer pending, gets 404',
    },
  },
  {
    operation:
      "approver inbox: `…/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')`, `…/group/assignmentScheduleRequests/filterByCurrentUser(on='approver')`, `…/group/assignmentApprovals/filterByCurrentUser(on='approver')`",
    need: 'self',
    note: 'lists the requests the caller may decide now',
  },
  {
    operation: 'read role settings (role management policies)',
    need: DIRECTORY_RULES.readPolicies,
    note: 'a user without it reads the settings of the roles they hold or may activate through PIM (directly or through a group), and only those',
  },
  { operation: 'change role settings', need: DIRECTORY_RULES.writePolicies },
  {
    operation:
      "read a group's role settings (`scopeType: Group`; the first read of an existing group's settings onboards it to PIM)",
    need: GROUP_POLICY_RULES.read,
    note: 'a user without it reads the settings of the group accesses (`member`, `owner`) they hold or may activate, and only those',
  },
  {
    operation: "change a group's role settings",
    need: GROUP_POLICY_RULES.write,
    note: 'for a **role-assignable** group, also the row "… of a role-assignable group"',
  },
  {
    operation: 'read decision hooks (`/v1.0/elevate/decisionHooks`)',
    need: DECISION_HOOK_RULES.read,
  },
  {
    operation: 'create, change or delete decision hooks (secrets are write-only)',
    need: DECISION_HOOK_RULES.write,
  },
  {
    operation:
      'read connectors, their mappings, explicit logins and the grants they made (`/v1.0/elevate/connectors`, `…/{id}/mappings`, `…/{id}/logins`, `…/{id}/grants`)',
    need: CONNECTOR_RULES.read,
  },
  {
    operation:
      'create, change, delete or `test` connectors, their mappings and explicit logins (secrets are write-only)',
    need: CONNECTOR_RULES.write,
  },
  {
    operation: 'read Shared Signals streams and their status (`/ssf/streams`, `/ssf/status`)',
    need: SSF_RULES.read,
  },
  {
    operation:
      'create, change or delete Shared Signals streams, set their status, ask for a verification event (the authorization header is write-only)',
    need: SSF_RULES.write,
  },
  {
    operation:
      'read authentication contexts (`/identity/conditionalAccess/authenticationContextClassReferences`)',
    need: AUTHENTICATION_CONTEXT_RULES.read,
  },
  {
    operation: 'create, change or delete authentication contexts and the requirement each is bound to',
    need: AUTHENTICATION_CONTEXT_RULES.write,
  },
  { operation: 'read, verify and export the audit log', need: AUDIT_RULES.read },
  { operation: 'compliance report', need: COMPLIANCE_RULES.read },
  {
    operation:
      'read PIM security alerts, their definitions, configurations, incidents and refresh operations (beta)',
    need: ALERT_RULES.read,
  },
  {
    operation: 'refresh, dismiss and configure PIM security alerts (beta)',
    need: ALERT_RULES.write,
  },
  {
    operation: 'remediate an alert incident',
    need: ALERT_RULES.write,
    note: 'and what the fix needs: change role settings, or make PIM eligibility requests and remove direct role assignments',
  },
  {
    operation: 'read break-glass accounts and their uses (`/v1.0/elevate/breakGlassAccounts`)',
    need: BREAK_GLASS_RULES.read,
    note: 'an account may also read its own',
  },
  { operation: 'mark and unmark break-glass accounts', need: BREAK_GLASS_RULES.write },
  {
    operation: 'justify a use of a break-glass account (`…/uses/{useId}/justify`)',
    need: 'self',
    note: 'only the account itself; readers get 403, others 404',
  },
  {
    operation: 'read SCIM provisioning clients (`/v1.0/elevate/scimClients`)',
    need: SCIM_CLIENT_RULES.read,
  },
  {
    operation: 'create and delete SCIM provisioning clients',
    need: SCIM_CLIENT_RULES.write,
    note: "a client's token provisions users and groups at `/scim/v2` (users: create, change, deprovision; groups and members), only its own, and never changes a user who holds or may activate a privileged role except to deprovision them (docs/scim.md)",
  },
  { operation: "read a user's manager", need: DIRECTORY_RULES.readUsers, note: 'or the user themselves' },
  { operation: "set or remove a user's manager (`manager/$ref`)", need: DIRECTORY_RULES.writeUsers },
  {
    operation: 'read access review definitions, instances and every decision item',
    need: ACCESS_REVIEW_RULES.read,
  },
  {
    operation:
      'create, replace and delete access review definitions; stop, apply, reset and remind on an instance',
    need: ACCESS_REVIEW_RULES.write,
    note: '`applyDecisions` also needs the PIM removal rights of each denied item',
  },
  {
    operation:
      "record decisions, `batchRecordDecisions`, `acceptRecommendations`, `filterByCurrentUser(on='reviewer')`",
    need: {
      apps: 'none (reviewers are people)',
      users:
        "the item's reviewers: listed users, members of listed groups, the principal's manager, fallback reviewers, or the principal in a self-review",
    },
    note: 'never on their own access unless the review is a self-review; others get 404 (403 for review readers)',
  },
  { operation: 'AuthZEN `POST /access/v1/evaluation(s)`', need: EVALUATE_RULE, note: 'for target systems' },
  {
    operation:
      'read administrative units and their members (`/v1.0/directory/administrativeUnits`, `…/{id}/members`)',
    need: AU_RULES.read,
  },
  {
    operation: 'create/update/delete administrative units; add and remove their members (`…/members/$ref`)',
    need: AU_RULES.write,
    note: 'a unit some role assignment or current or future PIM schedule names cannot be deleted',
  },
  {
    operation:
      'read resource scopes and resource role definitions (`/v1.0/elevate/resourceScopes`, `…/resourceRoleDefinitions`)',
    need: RESOURCE_RULES.read,
  },
  {
    operation: 'register/rename/remove resource scopes; create/replace/delete custom resource roles',
    need: RESOURCE_RULES.write,
    note: 'removing a scope ends the resource-role schedules at it',
  },
  {
    operation:
      "resource-role PIM requests for others (ARM `roleEligibilityScheduleRequests`, `roleAssignmentScheduleRequests`), reading everyone's",
    need: PIM_RULES.write.eligibility,
    note: 'the same rules as directory-role PIM (eligibility and assignment kinds alike); self actions need none',
  },
  { operation: '`GET /v1.0/me`', need: 'self', note: 'user tokens only' },
  {
    operation:
      'own sign-in methods under `/v1.0/me/authentication/`: authenticator app (`totpEnrolment`), passkeys (`fido2Methods`), `recoveryCodes`, list (`methods`) and remove',
    need: 'self',
    note: "user tokens only; another user's method ids answer 404",
  },
];

const ROLE_NAMES = new Map(BUILT_IN_ROLES.map((r) => [r.id, r.displayName]));

const cell = (items: readonly string[], empty: string) => (items.length === 0 ? empty : items.join(', '));

/** The Markdown table of {@link PERMISSION_TABLE}, as `docs/permissions.md` shows it. */
export function renderPermissionTable(rows: readonly PermissionRow[] = PERMISSION_TABLE): string {
  const lines = ['| Operation | Application permissions | Directory roles |', '|---|---|---|'];
  for (const row of rows) {
    const note = row.note === undefined ? '' : ` (${row.note})`;
    if (row.need === 'self') {
      lines.push(`| ${row.operation}${note} | — (for itself) | any signed-in user |`);
      continue;
    }
    if ('users' in row.need) {
      lines.push(`| ${row.operation}${note} | ${row.need.apps} | ${row.need.users} |`);
      continue;
    }
    const apps = cell(
      row.need.appPermissions.map((p) => `\`${p}\``),
      '—',
    );
    const roles = cell(
      row.need.roles.map((id) => ROLE_NAMES.get(id) ?? id),
      '— (applications only)',
    );
    lines.push(`| ${row.operation}${note} | ${apps} | ${roles} |`);
  }
  return lines.join('\n');
}
