import type { FieldMap } from '../../odata/index.js';

/** `GET /v1.0/elevate/resourceScopes`: what `$filter`, `$orderby` and `$select` accept. */
export const resourceScopeFields: FieldMap = {
  id: { column: 'id', type: 'string' },
  parentId: { column: 'parent_id', type: 'string' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  type: { column: 'type', type: 'string', caseInsensitive: true },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  lastModifiedDateTime: { column: 'modified_at', type: 'datetime' },
};

/** `GET /v1.0/elevate/resourceRoleDefinitions` (custom roles; built-ins are listed first). */
export const resourceRoleFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  roleName: { column: 'role_name', type: 'string', caseInsensitive: true },
  description: { column: 'description', type: 'string', caseInsensitive: true },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  lastModifiedDateTime: { column: 'modified_at', type: 'datetime' },
};
