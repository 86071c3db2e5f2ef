import type { makeAccessEvaluation } from '../app/authzen/evaluate.js';
import type { AuthenticationMethods } from '../app/sign-in/authentication-methods.js';
import type { Factors } from '../app/sign-in/factors.js';
import type { AuditLog } from '../app/audit/audit-log.js';
import type { Caller } from '../app/authorization/caller.js';
import type { ComplianceReporter } from '../app/compliance/compliance-report.js';
import type { RangeExport } from '../app/audit-export/range-export.js';
import type { makeGroups } from '../app/directory/groups.js';
import type { makeServicePrincipals } from '../app/directory/service-principals.js';
import type { makeUsers } from '../app/directory/users.js';
import type { makeRoleAssignments } from '../app/roles/role-assignments.js';
import type { makeRoleDefinitions } from '../app/roles/role-definitions.js';
import type { makeRolePolicies } from '../app/policies/role-policies.js';
import type { makeApprovals } from '../app/pim/approvals.js';
import type { makeScheduleRequests } from '../app/pim/schedule-requests.js';
import type { makePimSchedules } from '../app/pim/schedules.js';

/** What the HTTP layer needs from the rest of Elevate; `main.ts` builds it. */
export interface Services {
  /** Verifies the bearer token and resolves the live caller. @throws UnauthenticatedError */
  authenticate(
    authorization: string | undefined,
    ctx: { ip: string | null; userAgent: string | null; requestId: string },
  ): Promise<Caller>;
  /** Database reachable and migrations current. */
  ready(): Promise<{ ready: boolean; reason?: string }>;
  users: ReturnType<typeof makeUsers>;
  groups: ReturnType<typeof makeGroups>;
  servicePrincipals: ReturnType<typeof makeServicePrincipals>;
  roleDefinitions: ReturnType<typeof makeRoleDefinitions>;
  roleAssignments: ReturnType<typeof makeRoleAssignments>;
  /** The audit log: Graph's directoryAudits, and verification of the hash chain. */
  audit: Pick<AuditLog, 'list' | 'get' | 'verify'>;
  /** Role settings: role management policies and their assignments. */
  rolePolicies: ReturnType<typeof makeRolePolicies>;
  /** PIM schedule requests of both kinds (activation, assignment, removal, …). */
  scheduleRequests: ReturnType<typeof makeScheduleRequests>;
  /** Approvals of PIM activation requests (beta `roleAssignmentApprovals`). */
  approvals: ReturnType<typeof makeApprovals>;
  /** PIM schedules and instances. */
  pimSchedules: ReturnType<typeof makePimSchedules>;
  /** AuthZEN access evaluation over live state. */
  accessEvaluation: ReturnType<typeof makeAccessEvaluation>;
  /** The compliance evidence report (Elevate extension). */
  compliance: Pick<ComplianceReporter, 'report'>;
  /** On-demand export of an audit time range (Elevate extension). */
  auditExport: Pick<RangeExport, 'forCaller'>;
  /** The signed-in user's second factors (TOTP enrolment) and the administrators' reset. */
  factors: Factors;
  /** The signed-in user's passkeys, recovery codes, and the list and removal of their methods. */
  authenticationMethods: AuthenticationMethods;
}
