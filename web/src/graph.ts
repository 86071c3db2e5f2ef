// The Graph shapes the portal reads (only the properties it uses).
import { api, list } from './api';
import { isoHours } from './time';

export interface Me {
  id: string;
  displayName: string;
  userPrincipalName: string;
}

export interface RoleDefinition {
  id: string;
  displayName: string;
  description?: string | null;
  isBuiltIn?: boolean;
}

export interface Principal {
  id: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
}

export interface Instance {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  startDateTime: string | null;
  endDateTime: string | null;
  memberType: string;
  assignmentType?: string;
  roleDefinition?: RoleDefinition;
  principal?: Principal;
}

export interface ScheduleRequest {
  id: string;
  action: string;
  status: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  justification: string | null;
  createdDateTime: string;
  approvalId?: string | null;
  ticketInfo?: { ticketNumber?: string | null; ticketSystem?: string | null } | null;
  scheduleInfo?: {
    startDateTime?: string | null;
    expiration?: { type?: string; duration?: string | null; endDateTime?: string | null };
  };
  roleDefinition?: RoleDefinition;
  principal?: Principal;
}

export interface PolicyRule {
  id: string;
  '@odata.type': string;
  [key: string]: unknown;
}

export interface Policy {
  id: string;
  rules: PolicyRule[];
}

export const DIRECTORY = '/v1.0/roleManagement/directory';
export const MINE = "filterByCurrentUser(on='principal')";
export const FOR_ME_TO_APPROVE = "filterByCurrentUser(on='approver')";

export const getMe = () => api<Me>('GET', '/v1.0/me');

/** Every page of a collection (follows `@odata.nextLink`). */
export async function listAll<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const page: { value: T[]; '@odata.nextLink'?: string } = await api('GET', next);
    out.push(...page.value);
    const link = page['@odata.nextLink'];
    next = link === undefined ? undefined : new URL(link).pathname + new URL(link).search;
  }
  return out;
}

/** The settings a policy assignment filter selects (one role at a scope, or one group access). */
export async function policyWhere(filter: string): Promise<Policy | undefined> {
  const assignments = await list<{ policyId: string; policy?: Policy }>(
    `/v1.0/policies/roleManagementPolicyAssignments?$filter=${encodeURIComponent(filter)}&$expand=policy($expand=rules)`,
  );
  return assignments[0]?.policy;
}

/** The settings of a directory role at tenant scope, with their rules. */
export const policyOf = (roleDefinitionId: string): Promise<Policy | undefined> =>
  policyWhere(
    `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleDefinitionId}'`,
  );

export const rule = (policy: Policy | undefined, id: string): PolicyRule | undefined =>
  policy?.rules.find((r) => r.id === id);

/** What the role's settings ask of an activation; unknown (undefined) when they cannot be read. */
export interface ActivationRules {
  maximumHours: number | undefined;
  justification: boolean;
  ticket: boolean;
  mfa: boolean;
  approval: boolean;
}

export function activationRules(policy: Policy): ActivationRules {
  const expiration = rule(policy, 'Expiration_EndUser_Assignment');
  const enabled = (rule(policy, 'Enablement_EndUser_Assignment')?.enabledRules as string[] | undefined) ?? [];
  const approval = rule(policy, 'Approval_EndUser_Assignment')?.setting as
    { isApprovalRequired?: boolean } | undefined;
  const max = typeof expiration?.maximumDuration === 'string' ? expiration.maximumDuration : undefined;
  return {
    maximumHours: isoHours(max),
    justification: enabled.includes('Justification'),
    ticket: enabled.includes('Ticketing'),
    mfa: enabled.includes('MultiFactorAuthentication'),
    approval: approval?.isApprovalRequired === true,
  };
}
