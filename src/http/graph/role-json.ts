import { z } from 'zod';
import type { StoredRoleDefinition } from '../../app/ports.js';
import type { RoleAssignment } from '../../domain/directory/types.js';

// Graph JSON for `roleDefinitions` and (direct, non-PIM) `roleAssignments`: complete schemas, with
// `selectable(…)` for `$select`ed collection items.

export const roleDefinitionJson = z.object({
  id: z.string(),
  description: z.string().nullable(),
  displayName: z.string(),
  isBuiltIn: z.boolean(),
  isEnabled: z.boolean(),
  isPrivileged: z.boolean(),
  resourceScopes: z.array(z.string()),
  templateId: z.string(),
  version: z.string().nullable(),
  rolePermissions: z.array(
    z.object({
      allowedResourceActions: z.array(z.string()),
      condition: z.string().nullable(),
      excludedResourceActions: z.array(z.string()),
    }),
  ),
});

export const toRoleDefinitionJson = (r: StoredRoleDefinition): z.input<typeof roleDefinitionJson> => ({
  id: r.id,
  description: r.description,
  displayName: r.displayName,
  isBuiltIn: r.isBuiltIn,
  isEnabled: r.isEnabled,
  isPrivileged: r.isPrivileged,
  resourceScopes: r.resourceScopes,
  templateId: r.templateId,
  version: r.version,
  rolePermissions: r.rolePermissions.map((p) => ({
    allowedResourceActions: p.allowedResourceActions,
    condition: p.condition ?? null,
    excludedResourceActions: p.excludedResourceActions ?? [],
  })),
});

export const roleAssignmentJson = z.object({
  id: z.string(),
  principalId: z.string(),
  roleDefinitionId: z.string(),
  directoryScopeId: z.string(),
  appScopeId: z.string().nullable(),
});

export const toRoleAssignmentJson = (a: RoleAssignment): z.input<typeof roleAssignmentJson> => ({
  id: a.id,
  principalId: a.principalId,
  roleDefinitionId: a.roleDefinitionId,
  directoryScopeId: a.directoryScopeId,
  appScopeId: a.appScopeId,
});
