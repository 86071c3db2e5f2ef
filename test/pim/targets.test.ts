import { describe, expect, it } from 'vitest';
import { TARGETS, type TargetAdapter } from '../../src/app/pim/targets.js';
import { RESOURCE_TYPES, type ResourceType } from '../../src/domain/pim/types.js';

describe('PIM target adapters', () => {
  it('has one adapter per resource type', () => {
    expect(Object.keys(TARGETS).sort()).toEqual([...RESOURCE_TYPES].sort());
  });

  it('is checked by the compiler: a resource type without an adapter does not type-check', () => {
    // @ts-expect-error 'groupMembership' has no adapter in TARGETS
    const withNewType: Record<ResourceType | 'groupMembership', TargetAdapter> = TARGETS;
    expect(withNewType).toBe(TARGETS);
  });
});
