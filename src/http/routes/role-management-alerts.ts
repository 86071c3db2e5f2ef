import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { ALERT_DEFINITIONS } from '../../domain/alerts/definitions.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import {
  alertConfigurationJson,
  alertDefinitionJson,
  alertIncidentJson,
  alertJson,
  alertOperationJson,
  alertToJson,
  configurationToJson,
  definitionToJson,
  incidentToJson,
  readAlertExpand,
  readAlertFilter,
} from '../graph/alert-json.js';
import { collectionOf, context, errors, str, withContext } from '../graph/json.js';

const ROOT = '/identityGovernance/roleManagementAlerts';
const SET = 'identityGovernance/roleManagementAlerts';

const alertKey = z.string().min(1).max(200);
const params = z.object({ id: alertKey });
const listQuery = z
  .object({
    $filter: str(1000).optional().describe("Required: `scopeId eq '/' and scopeType eq 'DirectoryRole'`."),
    $expand: str(200).optional().describe('`*`, or any of the alert navigations.'),
  })
  .strict();
const entityQuery = z.object({ $expand: str(200).optional() }).strict();

const dismissBody = z
  .object({ '@odata.type': str(200).optional(), isActive: z.literal(false) })
  .strict()
  .meta({ description: '`isActive: false` dismisses the alert (the only change Graph accepts here).' });

const MAX_SETTINGS = 8;
const configurationBody = z
  .object({ '@odata.type': str(200).optional(), isEnabled: z.boolean().optional() })
  .catchall(z.union([z.number(), str(64)]))
  .refine((b) => Object.keys(b).length <= MAX_SETTINGS + 2, 'too many properties')
  .meta({ description: "`isEnabled` and the thresholds of the alert's configuration type." });

const refreshBody = z
  .object({ scopeId: z.literal('/'), scopeType: z.enum(['DirectoryRole', 'Directory']) })
  .strict();

/**
 * PIM security alerts as Graph has them in **beta** only (reference §6), under
 * `/beta/identityGovernance/roleManagementAlerts`: alerts, their definitions and configurations
 * (collections need the tenant-scope `$filter`), incidents, refresh (202 with `Location`),
 * dismissal (`PATCH alerts/{id}` 204), configuration (`PATCH alertConfigurations/{id}` 204) and
 * remediation of one incident (200).
 */
export function roleManagementAlertRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, serviceRoot } = opts;
  const alerts = services.roleManagementAlerts;
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['alerts'];
    const refreshed = (id: string) => `${serviceRoot}${ROOT}/operations/refresh:${id}`;

    app.get(
      '/identityGovernance/roleManagementAlerts/alerts',
      {
        schema: {
          tags,
          querystring: listQuery,
          response: { 200: collectionOf(alertJson), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const keep = readAlertFilter(request.query.$filter);
        const expand = readAlertExpand(request.query.$expand);
        const list = await alerts.list(callerOf(request));
        return {
          '@odata.context': context(serviceRoot, `${SET}/alerts`),
          value: list.filter((a) => keep(a.id)).map((a) => alertToJson(a, expand)),
        };
      },
    );

    app.get(
      '/identityGovernance/roleManagementAlerts/alerts/:id',
      {
        schema: {
          tags,
          params,
          querystring: entityQuery,
          response: { 200: withContext(alertJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const expand = readAlertExpand(request.query.$expand);
        const a = await alerts.get(callerOf(request), request.params.id);
        const navs = expand.map((n) => `${n}()`).join(',');
        return {
          '@odata.context': context(serviceRoot, `${SET}/alerts${navs ? `(${navs})` : ''}/$entity`),
          ...alertToJson(a, expand),
        };
      },
    );

    app.get(
      '/identityGovernance/roleManagementAlerts/alerts/:id/alertIncidents',
      {
        schema: {
          tags,
          params,
          response: { 200: collectionOf(alertIncidentJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const a = await alerts.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(serviceRoot, `${SET}/alerts('${a.id}')/alertIncidents`),
          value: a.incidents.map((i) => incidentToJson(a, i)),
        };
      },
    );

    app.patch(
      '/identityGovernance/roleManagementAlerts/alerts/:id',
      {
        schema: {
          tags,
          description: 'Dismisses the alert: inactive until a scan finds a new incident.',
          params,
          body: dismissBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await alerts.dismiss(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/identityGovernance/roleManagementAlerts/alerts/refresh',
      {
        schema: {
          tags,
          description: 'Scans every alert of the tenant now. Elevate finishes the scan before answering 202.',
          body: refreshBody,
          response: { 202: z.null(), ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        await alerts.refresh(callerOf(request), null);
        return reply.status(202).header('location', refreshed('all')).send(null);
      },
    );

    app.post(
      '/identityGovernance/roleManagementAlerts/alerts/:id/refresh',
      {
        schema: {
          tags,
          description: 'Scans one alert now. Elevate finishes the scan before answering 202.',
          params,
          response: { 202: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await alerts.refresh(callerOf(request), request.params.id);
        return reply.status(202).header('location', refreshed(request.params.id)).send(null);
      },
    );

    app.get(
      '/identityGovernance/roleManagementAlerts/operations/:id',
      {
        schema: {
          tags,
          description:
            'The refresh a `Location` header of `alerts/refresh` or `alerts/{id}/refresh` names: `refresh:all` ' +
            'or `refresh:{alertId}`. Scans finish before the 202, so the operation has succeeded, at the ' +
            'last scan; an alert never scanned has no operation (404).',
          params: z.object({ id: z.string().min(1).max(220) }),
          response: { 200: withContext(alertOperationJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const opId = request.params.id;
        const alertIdOf = opId.startsWith('refresh:') ? opId.slice('refresh:'.length) : undefined;
        // Authorized first (403 before 404), by reading what the operation is about.
        const scanned =
          alertIdOf === 'all' || alertIdOf === undefined
            ? (await alerts.list(caller)).map((a) => a.lastScannedAt)
            : [(await alerts.get(caller, alertIdOf)).lastScannedAt];
        const done = scanned.filter((t): t is number => t !== null);
        if (alertIdOf === undefined || done.length === 0)
          throw new NotFoundError('The operation does not exist.', 'Request_ResourceNotFound');
        const at = new Date(Math.max(...done)).toISOString();
        return {
          '@odata.context': context(serviceRoot, `${SET}/operations/$entity`),
          '@odata.type': '#microsoft.graph.longRunningOperation' as const,
          id: opId,
          createdDateTime: at,
          lastActionDateTime: at,
          resourceLocation: `${serviceRoot}${ROOT}/alerts${alertIdOf === 'all' ? '' : `/${alertIdOf}`}`,
          status: 'succeeded' as const,
          statusDetail: null,
        };
      },
    );

    app.post(
      '/identityGovernance/roleManagementAlerts/alerts/:id/alertIncidents/:incidentId/remediate',
      {
        schema: {
          tags,
          description:
            'Fixes what the incident names (NoMfaOnRoleActivationAlert: requires MFA on activation; RolesAssignedOutsidePimAlert: makes the direct assignment an eligible one; RedundantAssignmentAlert: removes the unused eligibility) through the role-settings and PIM use cases, which authorize and audit each step.',
          params: z.object({ id: alertKey, incidentId: alertKey }),
          response: { 200: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.alertRemediation.remediate(
          callerOf(request),
          request.params.id,
          request.params.incidentId,
        );
        return reply.status(200).send(null);
      },
    );

    app.get(
      '/identityGovernance/roleManagementAlerts/alertDefinitions',
      {
        schema: {
          tags,
          querystring: listQuery.omit({ $expand: true }),
          response: { 200: collectionOf(alertDefinitionJson), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const keep = readAlertFilter(request.query.$filter);
        const list = await alerts.list(callerOf(request));
        return {
          '@odata.context': context(serviceRoot, `${SET}/alertDefinitions`),
          value: list.filter((a) => keep(a.id)).map(definitionToJson),
        };
      },
    );

    app.get(
      '/identityGovernance/roleManagementAlerts/alertDefinitions/:id',
      {
        schema: {
          tags,
          params,
          response: { 200: withContext(alertDefinitionJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const a = await alerts.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(serviceRoot, `${SET}/alertDefinitions/$entity`),
          ...definitionToJson(a),
        };
      },
    );

    app.get(
      '/identityGovernance/roleManagementAlerts/alertConfigurations',
      {
        schema: {
          tags,
          querystring: listQuery,
          response: { 200: collectionOf(alertConfigurationJson), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const keep = readAlertFilter(request.query.$filter);
        const expand = readAlertExpand(request.query.$expand, ['alertDefinition']);
        const list = await alerts.list(callerOf(request));
        return {
          '@odata.context': context(serviceRoot, `${SET}/alertConfigurations`),
          value: list
            .filter((a) => keep(a.id))
            .map((a) => configurationToJson(a, expand.includes('alertDefinition'))),
        };
      },
    );

    app.get(
      '/identityGovernance/roleManagementAlerts/alertConfigurations/:id',
      {
        schema: {
          tags,
          params,
          querystring: entityQuery,
          response: { 200: alertConfigurationJson, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const expand = readAlertExpand(request.query.$expand, ['alertDefinition']);
        const a = await alerts.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(serviceRoot, `${SET}/alertConfigurations/$entity`),
          ...configurationToJson(a, expand.includes('alertDefinition')),
        };
      },
    );

    app.patch(
      '/identityGovernance/roleManagementAlerts/alertConfigurations/:id',
      {
        schema: {
          tags,
          description:
            "Turns the alert on or off and sets its thresholds; the alert's incidents follow at once.",
          params,
          body: configurationBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { '@odata.type': type, isEnabled, ...settings } = request.body;
        const caller = callerOf(request);
        if (type !== undefined) {
          const current = await alerts.get(caller, request.params.id);
          const expected = `#microsoft.graph.${ALERT_DEFINITIONS[current.name].configurationType}`;
          if (type.toLowerCase() !== expected.toLowerCase())
            throw new ValidationError(`@odata.type must be '${expected}' for this alert.`, '@odata.type');
        }
        await alerts.updateConfiguration(caller, request.params.id, {
          ...(isEnabled === undefined ? {} : { isEnabled }),
          settings,
        });
        return reply.status(204).send(null);
      },
    );
  };
}
