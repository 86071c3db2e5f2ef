import { randomBytes } from 'node:crypto';
import { appToken, bearer, send, userToken, type Headers, type Reply, type Send } from './http.js';
import { bootstrapCredentials, type Deployment } from './server-process.js';

export const ROLES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  // Not privileged: what workloads in these tests activate.
  billingAdministrator: 'b0f54661-2d74-4c50-afa3-1ec803f12efe',
  licenseAdministrator: '4d6ac14f-3453-41d0-bef9-a3e0c569773a',
  reportsReader: '4a5d8f65-41da-4de4-8968-e035b65339cf',
  teamsAdministrator: '69091246-20e8-4a56-aa4d-066075b2a7a8',
  complianceAdministrator: '17315797-102d-40b4-93e0-432062caca18',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  sharePointAdministrator: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
  powerPlatformAdministrator: '11648597-926c-4cf3-9c36-bcebb0ba8dcc',
  serviceSupportAdministrator: 'f023fd81-a637-4b56-95fd-791ac0226033',
} as const;

export const DIR = '/v1.0/roleManagement/directory';
export const ASSIGNMENT_REQUESTS = `${DIR}/roleAssignmentScheduleRequests`;
export const ELIGIBILITY_REQUESTS = `${DIR}/roleEligibilityScheduleRequests`;
export const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
export const PASSWORD = 'reliability horse battery staple';

/** An application with its own credentials (a workload). */
export interface App {
  id: string;
  appId: string;
  secret: string;
}

/** A person with a password. */
export interface User {
  id: string;
  upn: string;
}

/**
 * The deployment's tenant as its bootstrap application sees it, over real HTTP to one replica
 * (`via`), with the setup steps the tests share. Every step asserts its own success.
 */
export class Tenant {
  private adminHeaders: Headers | undefined;
  readonly tenantId: string;
  readonly bootstrap: App;

  constructor(
    readonly d: Deployment,
    public via: string,
  ) {
    const creds = bootstrapCredentials(d);
    this.tenantId = creds.tenantId;
    this.bootstrap = {
      id: creds.application.servicePrincipalId,
      appId: creds.application.clientId,
      secret: creds.application.clientSecret,
    };
  }

  /** The bootstrap application's headers (minted once; tokens live an hour in these tests). */
  async admin(): Promise<Headers> {
    this.adminHeaders ??= bearer(await this.tokenOf(this.bootstrap));
    return this.adminHeaders;
  }

  tokenOf(app: App, via = this.via): Promise<string> {
    return appToken(via, this.d.publicUrl, this.tenantId, app.appId, app.secret);
  }

  signIn(user: User, via = this.via): Promise<string> {
    return userToken(via, this.d.publicUrl, user.upn, PASSWORD);
  }

  /** A request as the bootstrap application. */
  async call(method: string, path: string, opts: Send = {}, via = this.via): Promise<Reply> {
    return send(via, method, path, { ...opts, headers: { ...(await this.admin()), ...opts.headers } });
  }

  /** Like `call`, but the status must be `status`; returns the reply. */
  async expect(status: number, method: string, path: string, json?: unknown): Promise<Reply> {
    const res = await this.call(method, path, json === undefined ? {} : { json });
    if (res.status !== status)
      throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${res.text}`);
    return res;
  }

  async createApp(displayName: string, appPermissions: string[] = []): Promise<App> {
    const sp = await this.expect(201, 'POST', '/v1.0/servicePrincipals', { displayName, appPermissions });
    const { id, appId } = sp.json as { id: string; appId: string };
    const pw = await this.expect(200, 'POST', `/v1.0/servicePrincipals/${id}/addPassword`, {});
    return { id, appId, secret: (pw.json as { secretText: string }).secretText };
  }

  async createUser(name = `person-${randomBytes(4).toString('hex')}`): Promise<User> {
    const upn = `${name}@contoso.test`;
    const res = await this.expect(201, 'POST', '/v1.0/users', {
      accountEnabled: true,
      displayName: name,
      mailNickname: name,
      userPrincipalName: upn,
      passwordProfile: { password: PASSWORD, forceChangePasswordNextSignIn: false },
    });
    return { id: (res.json as { id: string }).id, upn };
  }

  /** A permanent eligibility; returns the request (= schedule) id. */
  async makeEligible(principalId: string, roleDefinitionId: string): Promise<string> {
    const res = await this.expect(201, 'POST', ELIGIBILITY_REQUESTS, {
      action: 'adminAssign',
      principalId,
      roleDefinitionId,
      directoryScopeId: '/',
      justification: 'reliability suite',
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    return (res.json as { id: string }).id;
  }

  async policyIdOf(roleDefinitionId: string): Promise<string> {
    const filter = `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleDefinitionId}'`;
    const res = await this.expect(
      200,
      'GET',
      `/v1.0/policies/roleManagementPolicyAssignments?$filter=${encodeURIComponent(filter)}`,
    );
    const policyId = (res.json as { value: { policyId: string }[] }).value[0]?.policyId;
    if (policyId === undefined) throw new Error(`no policy for role ${roleDefinitionId}`);
    return policyId;
  }

  /** Activation needs only a justification (workloads cannot do MFA). */
  async activationNeedsJustificationOnly(roleDefinitionId: string): Promise<void> {
    const policyId = await this.policyIdOf(roleDefinitionId);
    await this.expect(
      204,
      'PATCH',
      `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Enablement_EndUser_Assignment`,
      {
        '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
        id: 'Enablement_EndUser_Assignment',
        enabledRules: ['Justification'],
        target: { caller: 'EndUser', operations: ['all'], level: 'Assignment' },
      },
    );
  }

  /** Activation of the role waits for one of these users to approve (single stage). */
  async requireApproval(roleDefinitionId: string, approverIds: string[]): Promise<void> {
    await this.activationNeedsJustificationOnly(roleDefinitionId);
    const policyId = await this.policyIdOf(roleDefinitionId);
    await this.expect(
      204,
      'PATCH',
      `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Approval_EndUser_Assignment`,
      {
        '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
        id: 'Approval_EndUser_Assignment',
        target: { caller: 'EndUser', operations: ['all'], level: 'Assignment' },
        setting: {
          isApprovalRequired: true,
          isApprovalRequiredForExtension: false,
          isRequestorJustificationRequired: true,
          approvalMode: 'SingleStage',
          approvalStages: [
            {
              approvalStageTimeOutInDays: 1,
              isApproverJustificationRequired: false,
              escalationTimeInMinutes: 0,
              isEscalationEnabled: false,
              primaryApprovers: approverIds.map((userId) => ({
                '@odata.type': '#microsoft.graph.singleUser',
                userId,
              })),
              escalationApprovers: [],
            },
          ],
        },
      },
    );
  }
}

/** The body of a workload's own activation of a role for an hour. */
export const selfActivation = (principalId: string, roleDefinitionId: string) => ({
  action: 'selfActivate',
  principalId,
  roleDefinitionId,
  directoryScopeId: '/',
  justification: 'reliability suite',
  scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
});

/** The id of the single step of an approval, as an approver reads it. */
export async function firstStepId(base: string, approver: Headers, approvalId: string): Promise<string> {
  const res = await send(base, 'GET', `${APPROVALS}/${approvalId}`, { headers: approver });
  const id = (res.json as { steps?: { id: string }[] } | undefined)?.steps?.[0]?.id;
  if (res.status !== 200 || id === undefined)
    throw new Error(`approval ${approvalId}: ${res.status} ${res.text}`);
  return id;
}
