import { z } from 'zod';
import type { AlertView } from '../../app/alerts/role-management-alerts.js';
import { ALERT_DEFINITIONS } from '../../domain/alerts/definitions.js';
import type { AlertIncident } from '../../domain/alerts/detectors.js';
import { ODataError, parseFilter, type FilterNode, type OperandNode } from '../../odata/index.js';
import { dtOrNull } from './json.js';

// Graph beta shapes of PIM security alerts (reference §6): alerts, their definitions,
// configurations (derived types with thresholds) and incidents (derived types per alert).

const SCOPE = { scopeId: '/', scopeType: 'DirectoryRole' } as const;
const ns = (type: string) => `#microsoft.graph.${type}`;

export const alertDefinitionJson = z.object({
  id: z.string(),
  displayName: z.string(),
  description: z.string(),
  severityLevel: z.enum(['low', 'medium', 'high']),
  securityImpact: z.string(),
  mitigationSteps: z.string(),
  howToPrevent: z.string(),
  isRemediatable: z.boolean(),
  isConfigurable: z.boolean(),
  scopeId: z.string(),
  scopeType: z.string(),
});

const settingValue = z.union([z.string(), z.number()]);
export const alertConfigurationJson = z
  .object({
    '@odata.type': z.string(),
    id: z.string(),
    alertDefinitionId: z.string(),
    scopeId: z.string(),
    scopeType: z.string(),
    isEnabled: z.boolean(),
    alertDefinition: alertDefinitionJson.optional(),
  })
  .catchall(z.union([settingValue, z.boolean(), alertDefinitionJson]))
  .meta({ description: 'A derived alert configuration: its thresholds follow the base properties.' });

export const alertIncidentJson = z
  .object({ '@odata.type': z.string(), id: z.string() })
  .catchall(z.union([z.string(), z.number(), z.null()]))
  .meta({ description: 'A derived alert incident: the fields of its type follow `id`.' });

export const alertJson = z.object({
  id: z.string(),
  alertDefinitionId: z.string(),
  scopeId: z.string(),
  scopeType: z.string(),
  incidentCount: z.number(),
  isActive: z.boolean(),
  lastModifiedDateTime: z.string().nullable(),
  lastScannedDateTime: z.string().nullable(),
  alertDefinition: alertDefinitionJson.optional(),
  alertConfiguration: alertConfigurationJson.optional(),
  alertIncidents: z.array(alertIncidentJson).optional(),
});

export const definitionToJson = (a: AlertView) => {
  const d = ALERT_DEFINITIONS[a.name];
  return {
    id: a.id,
    displayName: d.displayName,
    description: d.description,
    severityLevel: d.severityLevel,
    securityImpact: d.securityImpact,
    mitigationSteps: d.mitigationSteps,
    howToPrevent: d.howToPrevent,
    isRemediatable: d.isRemediatable,
    isConfigurable: d.isConfigurable,
    ...SCOPE,
  };
};

export const configurationToJson = (a: AlertView, expandDefinition = false) => ({
  '@odata.type': ns(ALERT_DEFINITIONS[a.name].configurationType),
  id: a.id,
  alertDefinitionId: a.id,
  ...SCOPE,
  isEnabled: a.isEnabled,
  ...a.settings,
  ...(expandDefinition ? { alertDefinition: definitionToJson(a) } : {}),
});

export const incidentToJson = (a: AlertView, i: AlertIncident) => ({
  '@odata.type': ns(ALERT_DEFINITIONS[a.name].incidentType),
  id: i.id,
  ...i.fields,
});

export type AlertExpand = 'alertDefinition' | 'alertConfiguration' | 'alertIncidents';
const EXPANDABLE: readonly AlertExpand[] = ['alertDefinition', 'alertConfiguration', 'alertIncidents'];

/** `$expand` of alerts: `*` or a comma list of the three navigations. @throws ODataError */
export function readAlertExpand(
  text: string | undefined,
  allowed: readonly AlertExpand[] = EXPANDABLE,
): AlertExpand[] {
  if (text === undefined) return [];
  const out = new Set<AlertExpand>();
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '*') allowed.forEach((n) => out.add(n));
    else {
      const found = allowed.find((n) => n.toLowerCase() === name.toLowerCase());
      if (found === undefined)
        throw new ODataError(
          'invalidExpand',
          `Could not find a property named '${name.slice(0, 40)}' to expand.`,
          '$expand',
        );
      out.add(found);
    }
  }
  return [...out];
}

export const alertToJson = (a: AlertView, expand: readonly AlertExpand[] = []) => ({
  id: a.id,
  alertDefinitionId: a.id,
  ...SCOPE,
  incidentCount: a.incidents.length,
  isActive: a.isActive,
  lastModifiedDateTime: dtOrNull(a.lastModifiedAt),
  lastScannedDateTime: dtOrNull(a.lastScannedAt),
  ...(expand.includes('alertDefinition') ? { alertDefinition: definitionToJson(a) } : {}),
  ...(expand.includes('alertConfiguration') ? { alertConfiguration: configurationToJson(a) } : {}),
  ...(expand.includes('alertIncidents')
    ? { alertIncidents: a.incidents.map((i) => incidentToJson(a, i)) }
    : {}),
});

const FILTERABLE = ['id', 'alertDefinitionId', 'scopeId', 'scopeType'] as const;
type Filterable = (typeof FILTERABLE)[number];

const conjuncts = (node: FilterNode): FilterNode[] =>
  node.kind === 'and' ? [...conjuncts(node.left), ...conjuncts(node.right)] : [node];

const pathName = (o: OperandNode): Filterable | undefined =>
  o.kind === 'path' && o.variable === undefined && o.segments.length === 1
    ? FILTERABLE.find((f) => f.toLowerCase() === o.segments[0]!.toLowerCase())
    : undefined;

/**
 * Graph answers the alert collections only for the tenant scope: `$filter` must say
 * `scopeId eq '/' and scopeType eq 'DirectoryRole'`; `id` / `alertDefinitionId eq '…'` may be
 * added with `and`. Returns a predicate over alert ids (false for another scope: an empty list).
 * @throws ODataError('invalidFilter') when the scope is missing or the filter says anything else.
 */
export function readAlertFilter(text: string | undefined): (id: string) => boolean {
  const parts = text === undefined ? [] : conjuncts(parseFilter(text));
  const equal = new Map<Filterable, string>();
  for (const part of parts) {
    const field =
      part.kind === 'compare' && part.op === 'eq' ? (pathName(part.left) ?? pathName(part.right)) : undefined;
    const literal =
      part.kind === 'compare' ? [part.left, part.right].find((o) => o.kind === 'string') : undefined;
    if (field === undefined || literal?.kind !== 'string' || equal.has(field))
      throw new ODataError(
        'invalidFilter',
        'Alerts take only `eq` comparisons of scopeId, scopeType, id and alertDefinitionId joined by `and`.',
        '$filter',
      );
    equal.set(field, literal.value);
  }
  if (!equal.has('scopeId') || !equal.has('scopeType'))
    throw new ODataError(
      'invalidFilter',
      "This collection needs $filter=scopeId eq '/' and scopeType eq 'DirectoryRole'.",
      '$filter',
    );
  const scopeOk =
    equal.get('scopeId') === '/' &&
    ['directoryrole', 'directory'].includes(equal.get('scopeType')!.toLowerCase());
  const ids = [equal.get('id'), equal.get('alertDefinitionId')].filter((v): v is string => v !== undefined);
  return (id) => scopeOk && ids.every((v) => v.toLowerCase() === id.toLowerCase());
}

/** Graph's `longRunningOperation` of a refresh: Elevate finishes scans before answering, so a known one has succeeded. */
export const alertOperationJson = z.object({
  '@odata.type': z.literal('#microsoft.graph.longRunningOperation'),
  id: z.string(),
  createdDateTime: z.string(),
  lastActionDateTime: z.string(),
  resourceLocation: z.string(),
  status: z.literal('succeeded'),
  statusDetail: z.null(),
});
