import { checkScopePath, ROOT_SCOPE } from '../../domain/resources/scope-path.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';

/** The Azure Resource Manager API version these routes implement (Azure REST specs, 2020-10-01). */
export const ARM_API_VERSION = '2020-10-01';

/**
 * The version of Azure's `roleAssignmentApprovals` (approvals of resource-role activations), which
 * Azure publishes only in 2021-01-01-preview; the one collection served at another version.
 */
export const ARM_APPROVALS_API_VERSION = '2021-01-01-preview';

/** The collections of `Microsoft.Authorization` served, in Azure's spelling. */
export const ARM_COLLECTIONS = [
  'roleEligibilityScheduleRequests',
  'roleAssignmentScheduleRequests',
  'roleEligibilitySchedules',
  'roleAssignmentSchedules',
  'roleEligibilityScheduleInstances',
  'roleAssignmentScheduleInstances',
  'roleDefinitions',
  'roleManagementPolicies',
  'roleManagementPolicyAssignments',
  'roleAssignments',
  'eligibleChildResources',
  'roleAssignmentApprovals',
] as const;
export type ArmCollection = (typeof ARM_COLLECTIONS)[number];

/** One ARM path, split: `{scope}/providers/Microsoft.Authorization/{collection}[/{name}[/{action}]]`. */
export interface ArmPath {
  /** The scope path (`/` for the root). */
  scope: string;
  collection: ArmCollection;
  name: string | null;
  action: string | null;
  /** The item below the action: `roleAssignmentApprovals/{id}/stages/{stageId}`'s stage id. */
  child: string | null;
}

/** ARM's error for an unknown provider namespace. */
export class ArmNamespaceError extends ValidationError {
  constructor(namespace: string) {
    super(
      `The resource namespace '${namespace.slice(0, 100)}' is invalid.`,
      undefined,
      'InvalidResourceNamespace',
    );
  }
}

const PROVIDER = '/providers/';
const NAMESPACE = 'microsoft.authorization';

/**
 * Splits a path at its last `/providers/` (a scope may hold `/providers/` itself, as Azure resource
 * ids do: `/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1`).
 * The namespace is compared case-insensitively, as ARM does; the collection too.
 * @throws ValidationError (`InvalidResourceNamespace`, `InvalidResourceScope`), NotFoundError
 */
export function parseArmPath(path: string): ArmPath {
  const at = path.toLowerCase().lastIndexOf(PROVIDER);
  if (at < 0) throw new NotFoundError('No Microsoft.Authorization resource is addressed.', 'NotFound');
  const scopePart = path.slice(0, at);
  const [namespace = '', collection = '', name = null, action = null, child = null, ...rest] = path
    .slice(at + PROVIDER.length)
    .split('/');
  if (namespace.toLowerCase() !== NAMESPACE) throw new ArmNamespaceError(namespace);
  const found = ARM_COLLECTIONS.find((c) => c.toLowerCase() === collection.toLowerCase());
  // Only an approval has items below an action (its stages); nothing has more.
  const childless = child === null || (found === 'roleAssignmentApprovals' && child !== '');
  if (found === undefined || rest.length > 0 || !childless || name === '' || action === '')
    throw new NotFoundError(
      `The resource type '${collection.slice(0, 80)}' could not be found in the namespace 'Microsoft.Authorization'.`,
      'InvalidResourceType',
    );
  return {
    scope: scopePart === '' ? ROOT_SCOPE : checkScopePath(scopePart),
    collection: found,
    name,
    action,
    child,
  };
}

/** How ARM ids are prefixed by a scope: nothing for the root. */
export const armScopePrefix = (scope: string) => (scope === ROOT_SCOPE ? '' : scope);

/**
 * The role definition GUID of an ARM `roleDefinitionId`: `{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`
 * or `/providers/Microsoft.Authorization/roleDefinitions/{guid}`.
 * @throws ValidationError `InvalidRoleDefinitionId`
 */
export function roleGuidOf(roleDefinitionId: string): string {
  const m =
    /\/providers\/microsoft\.authorization\/roledefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(
      roleDefinitionId,
    );
  if (m?.[1] === undefined)
    throw new ValidationError(
      "roleDefinitionId must be '{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}'.",
      'roleDefinitionId',
      'InvalidRoleDefinitionId',
    );
  return m[1].toLowerCase();
}
