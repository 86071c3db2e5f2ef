import { describe, expect, it } from 'vitest';
import { armPath, roleDefinitionArmId, roleGuidOf } from './arm.js';
import { EXIT } from './exit-codes.js';
import { armError } from './transport.js';

describe('ARM paths', () => {
  it("uses Azure's paths for the root and subscriptions, /arm for any other scope, each segment encoded", () => {
    expect(armPath('/', 'roleDefinitions')).toBe('/providers/Microsoft.Authorization/roleDefinitions');
    expect(armPath('/subscriptions/s1/resourceGroups/rg1', 'roleManagementPolicies', 'p1')).toBe(
      '/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Authorization/roleManagementPolicies/p1',
    );
    expect(armPath('/prod/db (eu)', 'roleAssignmentScheduleRequests', 'r1')).toBe(
      '/arm/prod/db%20(eu)/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/r1',
    );
    expect(roleDefinitionArmId('/', 'acdd72a7')).toBe(
      '/providers/Microsoft.Authorization/roleDefinitions/acdd72a7',
    );
    expect(roleGuidOf('/prod/providers/Microsoft.Authorization/roleDefinitions/ACDD72A7')).toBe('acdd72a7');
  });
});

describe("ARM's error envelope as the CLI's exit codes", () => {
  const exitOf = (status: number, code: string) =>
    armError({ status, json: { error: { code, message: `${code} happened\r\nat line 2` } } }, 'do it');

  it.each([
    [401, 'InvalidAuthenticationToken', EXIT.authentication],
    [403, 'AuthorizationFailed', EXIT.refused],
    [400, 'RoleAssignmentRequestPolicyValidationFailed', EXIT.refused],
    [400, 'RoleAssignmentExists', EXIT.refused],
    [404, 'ResourceScopeNotFound', EXIT.notFound],
    [400, 'RoleDefinitionDoesNotExist', EXIT.notFound],
    [400, 'RoleAssignmentDoesNotExist', EXIT.notFound],
    [400, 'InvalidRequestContent', EXIT.general],
    [500, 'InternalServerError', EXIT.general],
  ])('%i %s exits with %i, one line', (status, code, exit) => {
    const error = exitOf(status, code);
    expect(error.exitCode).toBe(exit);
    expect(error.message).not.toContain('\n');
    if (status !== 401) expect(error.message).toBe(`do it: ${code}: ${code} happened`);
  });
});
