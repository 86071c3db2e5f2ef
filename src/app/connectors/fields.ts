import type { FieldMap } from '../../odata/index.js';

/** `GET /v1.0/elevate/connectors`: what `$filter`, `$orderby` and `$select` accept, and their columns. */
export const connectorFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string', caseInsensitive: true },
  type: { column: 'type', type: 'string' },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  lastModifiedDateTime: { column: 'modified_at', type: 'datetime' },
};

/** `GET /v1.0/elevate/connectors/{id}/grants`. */
export const targetGrantFields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  principalId: { column: 'principal_id', type: 'guid' },
  login: { column: 'login', type: 'string' },
  target: { column: 'target', type: 'string' },
  state: { column: 'state', type: 'string' },
  createdDateTime: { column: 'created_at', type: 'datetime' },
};
