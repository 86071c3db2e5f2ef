/**
 * Azure resource ids register their collection segments as scopes too (`/subscriptions`,
 * `/subscriptions/s1/resourceGroups`, `…/providers`, `…/providers/Microsoft.Compute`,
 * `…/providers/Microsoft.Compute/virtualMachines`): these are containers, not resources a user
 * picks. Any other path (an organisation's own, e.g. `/prod/databases`) has no containers.
 */
const CONTAINER_NAMES = new Set(['subscriptions', 'resourcegroups', 'providers', 'managementgroups']);

const segmentsOf = (path: string) => (path === '/' ? [] : path.slice(1).split('/'));

/** Whether a scope path names a collection segment of an Azure resource id rather than a resource. */
export function isContainerScope(path: string): boolean {
  const segments = segmentsOf(path);
  const last = segments.at(-1);
  if (last === undefined) return false;
  const p = segments.map((s) => s.toLowerCase()).lastIndexOf('providers');
  // After `providers`: namespace, type, name, type, name, …: the namespace and types are containers.
  if (p >= 0 && p < segments.length - 1) {
    const k = segments.length - 1 - p;
    return k === 1 || k % 2 === 0;
  }
  return CONTAINER_NAMES.has(last.toLowerCase());
}

/**
 * ARM's `eligibleChildResources` type of a resource: `subscription`, `resourcegroup` or `resource`
 * for Azure ids, else the type it was registered with.
 */
export function childResourceType(path: string, registeredType: string): string {
  const segments = segmentsOf(path).map((s) => s.toLowerCase());
  const parent = segments.at(-2);
  if (segments.includes('providers') && segments.lastIndexOf('providers') < segments.length - 2)
    return 'resource';
  if (parent === 'subscriptions') return 'subscription';
  if (parent === 'resourcegroups') return 'resourcegroup';
  return registeredType;
}
