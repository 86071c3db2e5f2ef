import { randomUUID } from 'node:crypto';
import type { Graph } from './graph.js';
import { armError } from './transport.js';

/** The Azure Resource Manager API version Elevate serves for resource PIM (docs/resources.md). */
export const ARM_API_VERSION = '2020-10-01';

/** Azure's version of `roleAssignmentApprovals`, the one collection served at another version (ADR 0044). */
export const ARM_APPROVALS_API_VERSION = '2021-01-01-preview';

/** At most this many pages of a list are followed (`nextLink`). */
const MAX_PAGES = 50;

const AUTHORIZATION = 'providers/Microsoft.Authorization';

/** The `Microsoft.Authorization` collections the client uses. */
export type ArmCollection =
  | 'roleDefinitions'
  | 'roleManagementPolicies'
  | 'roleManagementPolicyAssignments'
  | 'roleEligibilitySchedules'
  | 'roleAssignmentSchedules'
  | 'roleEligibilityScheduleInstances'
  | 'roleAssignmentScheduleInstances'
  | 'roleEligibilityScheduleRequests'
  | 'roleAssignmentScheduleRequests'
  | 'roleAssignmentApprovals';

/** An ARM resource: `id`, `name`, `type` and the collection's `properties`. */
export interface ArmResource<P> {
  id: string;
  name: string;
  type: string;
  properties: P;
}

/**
 * The path of a scope's `Microsoft.Authorization` endpoints on Elevate: Azure's own paths for the
 * root and `/subscriptions/…` scopes, `/arm{scope}` for any other scope path (docs/resources.md).
 * Each segment is percent-encoded; the server decodes the path before it splits it. `action`
 * follows the name (`cancel`, an approval's `stages`).
 */
export function armPath(scope: string, collection: ArmCollection, name?: string, action?: string): string {
  const azure = scope === '/' || scope.startsWith('/subscriptions/');
  const encoded = scope === '/' ? '' : scope.split('/').map(encodeURIComponent).join('/');
  const tail =
    (name === undefined ? '' : `/${encodeURIComponent(name)}`) +
    (action === undefined ? '' : `/${encodeURIComponent(action)}`);
  return `${azure ? '' : '/arm'}${encoded}/${AUTHORIZATION}/${collection}${tail}`;
}

/** `{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`, as ARM bodies name a role. */
export const roleDefinitionArmId = (scope: string, roleId: string): string =>
  `${scope === '/' ? '' : scope}/${AUTHORIZATION}/roleDefinitions/${roleId}`;

/** The role's GUID at the end of an ARM `roleDefinitionId` (lower case). */
export const roleGuidOf = (roleDefinitionId: string): string =>
  (roleDefinitionId.split('/').pop() ?? roleDefinitionId).toLowerCase();

/**
 * Elevate's Azure Resource Manager API (resource roles on a scope hierarchy) as the signed-in
 * profile: the same sign-in, token renewal, server and headers as the {@link Graph} it is made from
 * (so `elevate mcp`'s origin header goes with every ARM call too); `api-version` on every call;
 * ARM's error envelope mapped to the CLI's exit codes ({@link armError}).
 */
export class Arm {
  constructor(private readonly graph: Graph) {}

  /**
   * One ARM call; `path` is from {@link armPath} (or a whole `nextLink`).
   * @param what names the action in an error line ("activate Reader at /prod").
   * @throws ClientError with the exit code of the ARM error.
   */
  async call<T = unknown>(method: string, path: string, what: string, body?: unknown): Promise<T> {
    const url =
      path.startsWith('http') || /[?&]api-version=/.test(path)
        ? path
        : `${path}${path.includes('?') ? '&' : '?'}api-version=${ARM_API_VERSION}`;
    const answer = await this.graph.send(method, url, body);
    if (answer.status >= 400) throw armError(answer, what);
    return answer.json as T;
  }

  get<T = unknown>(path: string, what: string): Promise<T> {
    return this.call<T>('GET', path, what);
  }

  /** Every item of an ARM list, following `nextLink`. */
  async list<T>(path: string, what: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next !== undefined && page < MAX_PAGES; page += 1) {
      const body: { value?: T[]; nextLink?: string } = await this.get(next, what);
      items.push(...(body.value ?? []));
      next = body.nextLink ?? undefined;
    }
    return items;
  }

  /**
   * Creates a schedule request (`PUT …/{kind}ScheduleRequests/{name}`) under a new GUID name, as
   * ARM's clients do; a retry of the same PUT would answer the same request.
   */
  putRequest<T>(
    scope: string,
    kind: 'eligibility' | 'assignment',
    properties: Record<string, unknown>,
    what: string,
  ): Promise<ArmResource<T>> {
    const collection =
      kind === 'eligibility' ? 'roleEligibilityScheduleRequests' : 'roleAssignmentScheduleRequests';
    return this.call('PUT', armPath(scope, collection, randomUUID()), what, { properties });
  }
}
