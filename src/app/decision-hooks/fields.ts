import type { FieldMap } from '../../odata/index.js';

/** `GET /v1.0/elevate/decisionHooks`: what `$filter`, `$orderby` and `$select` accept, and their columns. */
export const decisionHookFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  url: { column: 'url', type: 'string', caseInsensitive: true },
  timeoutInMilliseconds: { column: 'timeout_ms', type: 'int' },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  lastModifiedDateTime: { column: 'modified_at', type: 'datetime' },
};
