import { describe, expect, it } from 'vitest';
import { roleAssignmentId } from './assignment-id.js';

describe('roleAssignmentId', () => {
  it('matches the id format of Graph documentation examples for tenant scope', () => {
    // Global Administrator + a principal starting 6be4b305 give the id shown in the reference.
    const id = roleAssignmentId(
      '62e90394-69f5-4237-9190-012177145e10',
      '6be4b305-b75e-4efc-bfcc-31bd3b53a5f8',
      '/',
      () => 'x',
    );
    expect(id).toBe('lAPpYvVpN0KRkAEhdxReEAWz5Gtet_xOv8wxvTtTpfg-1');
  });
  it('uses a fresh GUID for other scopes', () => {
    expect(
      roleAssignmentId(
        '62e90394-69f5-4237-9190-012177145e10',
        '6be4b305-b75e-4efe-bfcc-31bd3b53a5f8',
        '/administrativeUnits/x',
        () => 'g',
      ),
    ).toBe('g');
  });
});
