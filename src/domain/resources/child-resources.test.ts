import { describe, expect, it } from 'vitest';
import { childResourceType, isContainerScope } from './child-resources.js';

const RG = '/subscriptions/s1/resourceGroups/rg1';

describe('Azure container scopes and child resource types', () => {
  it.each([
    ['/subscriptions', true],
    ['/subscriptions/s1', false],
    ['/subscriptions/s1/resourceGroups', true],
    [RG, false],
    [`${RG}/providers`, true],
    [`${RG}/providers/Microsoft.Compute`, true],
    [`${RG}/providers/Microsoft.Compute/virtualMachines`, true],
    [`${RG}/providers/Microsoft.Compute/virtualMachines/vm1`, false],
    [`${RG}/providers/Microsoft.Compute/virtualMachines/vm1/extensions`, true],
    [`${RG}/providers/Microsoft.Compute/virtualMachines/vm1/extensions/e1`, false],
    ['/prod', false],
    ['/prod/databases', false],
    ['/', false],
  ])('%s is a container: %s', (path, container) => {
    expect(isContainerScope(path)).toBe(container);
  });

  it.each([
    ['/subscriptions/s1', 'x', 'subscription'],
    [RG, 'x', 'resourcegroup'],
    [`${RG}/providers/Microsoft.Compute/virtualMachines/vm1`, 'x', 'resource'],
    ['/prod/databases', 'folder', 'folder'],
  ])('%s is a %s child', (path, registered, type) => {
    expect(childResourceType(path, registered)).toBe(type);
  });
});
