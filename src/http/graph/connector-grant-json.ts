import { z } from 'zod';
import type { TargetGrantRecord } from '../../domain/connectors/grant.js';
import type { FieldMap } from '../../odata/index.js';

// Elevate's extension on the `GET` of one assignment schedule instance (directory roles and PIM for
// Groups): what the activation became in target systems, with the effective times (issue 17,
// docs/connectors.md). A plain camelCase property like `elevateMfaMaxAgeMinutes`: Graph SDKs keep
// unknown properties in `additionalData`, and `$select` names it like any other.

/** The property's name on the instance. */
export const CONNECTOR_GRANTS = 'elevateConnectorGrants';

const dt = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const connectorGrantTimesJson = z.object({
  connectorId: z.string(),
  target: z.string(),
  login: z.string(),
  state: z.enum(['granting', 'granted', 'revoked']),
  requestedDateTime: z.string().nullable(),
  approvedDateTime: z.string().nullable(),
  effectiveDateTime: z.string().nullable(),
  endedDateTime: z.string().nullable(),
  revokedDateTime: z.string().nullable(),
});

/** The instance property: every grant of the schedule, oldest first (an empty list for none). */
export const connectorGrantsProperty = {
  [CONNECTOR_GRANTS]: z.array(connectorGrantTimesJson).optional().meta({
    description:
      'Elevate extension, on the GET of one instance only: the grants Elevate made for this activation in target systems (connectors) and their times: requested, approved (held in Elevate), effective (the target confirmed), ended, revoked (the target confirmed).',
  }),
};

export const connectorGrantTimesToJson = (g: TargetGrantRecord): z.infer<typeof connectorGrantTimesJson> => ({
  connectorId: g.connectorId,
  target: g.target,
  login: g.login,
  state: g.state,
  requestedDateTime: dt(g.requestedAt),
  approvedDateTime: dt(g.approvedAt),
  effectiveDateTime: dt(g.effectiveAt),
  endedDateTime: dt(g.endedAt),
  revokedDateTime: dt(g.revokedAt),
});

/** The entity's field map plus the extension, selectable only (it is not a column to filter by). */
export const withConnectorGrants = (fields: FieldMap): FieldMap => ({
  ...fields,
  [CONNECTOR_GRANTS]: { column: 'instance_id', type: 'string', filterable: false, sortable: false },
});
