import { describe, expect, it } from 'vitest';
import { project } from './project.js';

const entity = {
  '@odata.type': '#microsoft.graph.unifiedRoleAssignmentScheduleRequest',
  id: 'r1',
  principalId: 'p1',
  action: 'selfActivate',
  justification: 'why',
  principal: { id: 'p1' },
  'principal@odata.context': 'ctx',
  'roleDefinition@odata.navigationLink': 'link',
};

describe('project', () => {
  it('returns the entity unchanged without $select', () => {
    expect(project(entity)).toBe(entity);
  });

  it.each([
    [['principalId'], ['@odata.type', 'id', 'principalId']],
    [
      ['PRINCIPALID', 'Action'],
      ['@odata.type', 'id', 'principalId', 'action'],
    ],
    [['principal'], ['@odata.type', 'id', 'principal', 'principal@odata.context']],
    [[], ['@odata.type', 'id']],
    [['missing'], ['@odata.type', 'id']],
  ])('keeps %j plus id and annotations', (select, keys) => {
    expect(Object.keys(project(entity, select))).toEqual(keys);
  });
});
