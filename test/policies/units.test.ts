import { describe, expect, it } from 'vitest';
import { parsePolicyAssignmentId, policyAssignmentId } from '../../src/app/policies/assignment-id.js';
import { requireScopeFilter } from '../../src/app/policies/scope-filter.js';
import { ODataError, parseFilter, type FilterNode } from '../../src/odata/index.js';
import { contextSuffix } from '../../src/http/graph/policy-json.js';

/** The string literals of a filter, in order. */
const literals = (node: FilterNode): string[] => {
  switch (node.kind) {
    case 'and':
    case 'or':
      return [...literals(node.left), ...literals(node.right)];
    case 'not':
      return literals(node.operand);
    case 'compare':
      return [node.left, node.right].flatMap((o) => (o.kind === 'string' ? [o.value] : []));
    case 'in':
      return node.values.flatMap((o) => (o.kind === 'string' ? [o.value] : []));
    default:
      return [];
  }
};

describe('requireScopeFilter', () => {
  it.each([
    ["scopeId eq '/' and scopeType eq 'Directory'", ['/', 'DirectoryRole']],
    ["scopeType eq 'DIRECTORY' and scopeId eq '/'", ['DirectoryRole', '/']],
    ["'Directory' eq scopeType and '/' eq scopeId", ['DirectoryRole', '/']],
    [
      "scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq 'Directory'",
      ['/', 'DirectoryRole', 'Directory'],
    ],
    [
      "scopeId eq '/' and scopeType eq 'Group' and (scopeType ne 'directory' or scopeType in ('Directory', 'Group'))",
      ['/', 'Group', 'DirectoryRole', 'DirectoryRole', 'Group'],
    ],
  ])('%s: rewrites only scopeType literals', (text, expected) => {
    expect(literals(requireScopeFilter(parseFilter(text)))).toEqual(expected);
  });

  it.each([
    [undefined],
    ["scopeId eq '/'"],
    ["scopeType eq 'DirectoryRole'"],
    ["scopeId eq '/' or scopeType eq 'DirectoryRole'"],
    ["scopeId ne '/' and scopeType eq 'DirectoryRole'"],
    ["scopeId eq '/' and scopeType in ('DirectoryRole')"],
    ["scopeId eq null and scopeType eq 'DirectoryRole'"],
  ])('refuses %s', (text) => {
    expect(() => requireScopeFilter(text === undefined ? undefined : parseFilter(text))).toThrow(ODataError);
  });
});

describe('policy assignment ids', () => {
  it('split at the last underscore', () => {
    const id = policyAssignmentId('DirectoryRole_t_p', '62e90394-69f5-4237-9190-012177145e10');
    expect(id).toBe('DirectoryRole_t_p_62e90394-69f5-4237-9190-012177145e10');
    expect(parsePolicyAssignmentId(id)).toEqual({
      policyId: 'DirectoryRole_t_p',
      roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
    });
    for (const bad of ['', '_x', 'x_', 'nounderscore']) expect(parsePolicyAssignmentId(bad)).toBeUndefined();
  });
});

describe('contextSuffix', () => {
  it.each([
    [undefined, [], ''],
    [undefined, [{ name: 'rules' }], '(rules())'],
    [['displayName'], [{ name: 'rules', select: ['id'] }], '(displayName,rules(id))'],
    [['displayName', 'rules'], [{ name: 'rules' }], '(displayName,rules())'],
    [undefined, [{ name: 'policy', expand: [{ name: 'rules' }] }], '(policy(rules()))'],
    [
      undefined,
      [{ name: 'policy', select: ['id'], expand: [{ name: 'rules', select: ['id'] }] }],
      '(policy(id,rules(id)))',
    ],
  ])('%j + %j → %s', (select, expand, suffix) => {
    expect(contextSuffix(select, expand)).toBe(suffix);
  });
});
