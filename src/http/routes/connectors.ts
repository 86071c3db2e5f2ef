import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { connectorFields, targetGrantFields } from '../../app/connectors/fields.js';
import type { ConnectorView } from '../../app/connectors/connector-settings.js';
import {
  CONNECTOR_TYPES,
  HOST_PATTERN,
  LOGIN_SOURCES,
  MAPPING_SOURCES,
  MAX_CONNECTOR_NAME_LENGTH,
  MAX_SECRET_LENGTH,
  MAX_TARGET_GRANT_LENGTH,
  SCIM_USER_ATTRIBUTES,
  SQL_NAME_PATTERN,
  type ConnectorLogin,
  type ConnectorMapping,
} from '../../domain/connectors/connector.js';
import { WEBHOOK_URL_PATTERN } from '../../domain/notifications/channel-config.js';
import type { TargetGrantRecord } from '../../domain/connectors/grant.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { guid, idParams } from '../graph/ids.js';
import { collectionOf, context, errors, selectable, withContext } from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';

const tags = ['connectors'];
const dt = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const settingsJson = z.object({
  host: z.string(),
  port: z.number().int(),
  database: z.string().nullable(),
  username: z.string().nullable(),
  createLogins: z.boolean(),
  userDnTemplate: z.string().nullable(),
  url: z.string().nullable(),
  listUrl: z.string().nullable(),
  endSessions: z.boolean(),
  scimUserAttribute: z.enum(SCIM_USER_ATTRIBUTES).nullable(),
});

export const connectorJson = z.object({
  id: z.string(),
  displayName: z.string(),
  type: z.enum(CONNECTOR_TYPES),
  settings: settingsJson,
  loginSource: z.enum(LOGIN_SOURCES),
  isEnabled: z.boolean(),
  hasSecret: z.boolean(),
  createdDateTime: z.string(),
  lastModifiedDateTime: z.string(),
  status: z
    .object({
      lastReconcileDateTime: z.string().nullable(),
      lastSuccessDateTime: z.string().nullable(),
      consecutiveFailures: z.number().int(),
      lastError: z.string().nullable(),
      lastResult: z
        .object({
          granted: z.number().int(),
          revoked: z.number().int(),
          driftRepaired: z.number().int(),
          unmanaged: z.number().int(),
        })
        .nullable(),
    })
    .nullable()
    .meta({
      description:
        "What the connector's last reconcile did, whichever replica ran it: when it ran and last succeeded, failures in a row with the last error, and its counts (drift repaired, grants found that Elevate does not manage). Null before the first run.",
    }),
});

const toJson = (c: ConnectorView): z.infer<typeof connectorJson> => ({
  id: c.id,
  displayName: c.displayName,
  type: c.type,
  settings: c.settings,
  loginSource: c.loginSource,
  isEnabled: c.isEnabled,
  hasSecret: c.hasSecret,
  createdDateTime: dt(c.createdAt)!,
  lastModifiedDateTime: dt(c.modifiedAt)!,
  status:
    c.status === null
      ? null
      : {
          lastReconcileDateTime: dt(c.status.lastRunAt),
          lastSuccessDateTime: dt(c.status.lastSuccessAt),
          consecutiveFailures: c.status.failures,
          lastError: c.status.lastError,
          lastResult: c.status.lastResult,
        },
});

const mappingJson = z.object({
  id: z.string(),
  source: z.enum(MAPPING_SOURCES),
  sourceId: z.string(),
  directoryScopeId: z.string(),
  targetGrant: z.string(),
  createdDateTime: z.string(),
});

const mappingToJson = (m: ConnectorMapping): z.infer<typeof mappingJson> => ({
  id: m.id,
  source: m.source,
  sourceId: m.sourceId,
  directoryScopeId: m.directoryScopeId,
  targetGrant: m.targetGrant,
  createdDateTime: dt(m.createdAt)!,
});

const grantJson = z.object({
  id: z.string(),
  mappingId: z.string(),
  principalId: z.string(),
  login: z.string(),
  target: z.string(),
  state: z.enum(['granting', 'granted', 'revoked']),
  adopted: z.boolean(),
  scheduleId: z.string().nullable(),
  requestedDateTime: z.string().nullable(),
  approvedDateTime: z.string().nullable(),
  effectiveDateTime: z.string().nullable(),
  endedDateTime: z.string().nullable(),
  revokedDateTime: z.string().nullable(),
  createdDateTime: z.string(),
});

const grantToJson = (g: TargetGrantRecord): z.infer<typeof grantJson> => ({
  id: g.id,
  mappingId: g.mappingId,
  principalId: g.principalId,
  login: g.login,
  target: g.target,
  state: g.state,
  adopted: g.adopted,
  scheduleId: g.scheduleId,
  requestedDateTime: dt(g.requestedAt),
  approvedDateTime: dt(g.approvedAt),
  effectiveDateTime: dt(g.effectiveAt),
  endedDateTime: dt(g.endedAt),
  revokedDateTime: dt(g.revokedAt),
  createdDateTime: dt(g.createdAt)!,
});

const displayName = z.string().min(1).max(MAX_CONNECTOR_NAME_LENGTH);
const secret = z.string().max(MAX_SECRET_LENGTH);
const settingsFields = {
  host: z.string().max(253).regex(HOST_PATTERN, 'must be a host name or IP address'),
  port: z.number().int().min(1).max(65_535).meta({ description: 'Default: the type’s usual port.' }),
  database: z.string().min(1).max(63).nullable(),
  username: z.string().min(1).max(512).nullable(),
  createLogins: z.boolean(),
  userDnTemplate: z.string().min(1).max(512).nullable(),
  url: z.string().max(2048).regex(WEBHOOK_URL_PATTERN, 'must be an absolute https:// URL').nullable().meta({
    description:
      'webhook: where the signed calls go; scim: the base URL. https (http only where the operator allows it).',
  }),
  listUrl: z
    .string()
    .max(2048)
    .regex(WEBHOOK_URL_PATTERN, 'must be an absolute https:// URL')
    .nullable()
    .meta({ description: 'webhook: optional; where Elevate asks what the receiver has granted.' }),
  endSessions: z.boolean().meta({ description: 'webhook: send elevate.sessions.end after each revoke.' }),
  scimUserAttribute: z
    .enum(SCIM_USER_ATTRIBUTES)
    .meta({ description: 'scim: the user attribute a login is looked up by (default userName).' }),
};
/** At creation host (or url, for webhook and scim) is required; the rest has defaults. */
const createSettings = z.object(settingsFields).partial().strict();
/** A change: what is given is merged into the stored settings. */
const settingsBody = z.object(settingsFields).partial().strict();

const createBody = z
  .object({
    displayName,
    type: z.enum(CONNECTOR_TYPES),
    settings: createSettings,
    secret: secret
      .optional()
      .meta({ description: 'Write-only: the password Elevate signs in with. Never returned.' }),
    loginSource: z
      .enum(LOGIN_SOURCES)
      .optional()
      .meta({ description: 'Default userPrincipalNameLocalPart.' }),
    isEnabled: z.boolean().optional(),
  })
  .strict();

const updateBody = z
  .object({
    displayName: displayName.optional(),
    settings: settingsBody.optional(),
    secret: secret
      .nullable()
      .optional()
      .meta({ description: 'Write-only: a new password; null removes it.' }),
    loginSource: z.enum(LOGIN_SOURCES).optional(),
    isEnabled: z.boolean().optional(),
  })
  .strict();

const mappingBody = z
  .object({
    source: z.enum(MAPPING_SOURCES),
    sourceId: guid,
    directoryScopeId: z
      .string()
      .max(200)
      .regex(/^\/[A-Za-z0-9/_-]*$/, "must be '/' or a scope path such as /administrativeUnits/{id}")
      .optional(),
    targetGrant: z.string().min(1).max(MAX_TARGET_GRANT_LENGTH),
  })
  .strict();

const mappingParams = z.object({ id: guid, mappingId: guid });

const loginJson = z.object({
  principalId: z.string(),
  login: z.string(),
  createdDateTime: z.string(),
  lastModifiedDateTime: z.string(),
});

const loginToJson = (l: ConnectorLogin): z.infer<typeof loginJson> => ({
  principalId: l.principalId,
  login: l.login,
  createdDateTime: dt(l.createdAt)!,
  lastModifiedDateTime: dt(l.modifiedAt)!,
});

const loginParams = z.object({ id: guid, principalId: guid });
const loginBody = z
  .object({
    login: z
      .string()
      .regex(SQL_NAME_PATTERN, 'must be letters, digits, _ $ . @ - (at most 63, not starting with a digit)')
      .meta({ description: 'The login in the target; stored lower-cased, like derived logins.' }),
  })
  .strict();
const testJson = z.object({ succeeded: z.boolean(), message: z.string() });

/**
 * Connectors (Elevate extension, ADR 0030, docs/connectors.md): the target systems an activation
 * becomes access in, their mappings, a `test` action, and the grants Elevate made with their
 * effective times. Role administrators change them; their readers read them. Secrets are
 * write-only.
 */
export function connectorRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  const entity = context(publicUrl, 'elevate/connectors/$entity');
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));

    app.get(
      '/elevate/connectors',
      {
        schema: {
          tags,
          description: "Elevate extension: the tenant's connectors. Secrets are never returned.",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(connectorJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: connectorFields });
        const page = await services.connectors.list(callerOf(request), q);
        return collectionEnvelope(
          request,
          publicUrl,
          context(publicUrl, 'elevate/connectors'),
          page,
          q,
          toJson,
        );
      },
    );

    app.post(
      '/elevate/connectors',
      {
        schema: {
          tags,
          description:
            'Elevate extension: adds a connector (postgresql, mariadb, redis, ldap, webhook, scim) with its settings and a write-only secret. settings.host is required for postgresql, mariadb, redis and ldap; settings.url is required for webhook and scim (https; http only where the operator allows it with ELEVATE_NOTIFICATIONS_ALLOW_HTTP; host and port then come from the URL). settings.username is required for postgresql, mariadb and ldap (the bind DN); settings.userDnTemplate, containing {login}, is required for ldap. A webhook secret must be a Standard Webhooks whsec_ secret. Audited; reconciled at once.',
          body: createBody,
          response: { 201: withContext(connectorJson), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const c = await services.connectors.create(callerOf(request), {
          displayName: b.displayName,
          type: b.type,
          settings: b.settings,
          secret: b.secret,
          loginSource: b.loginSource,
          isEnabled: b.isEnabled,
        });
        return reply.status(201).send({ '@odata.context': entity, ...toJson(c) });
      },
    );

    app.get(
      '/elevate/connectors/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(connectorJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': entity,
        ...toJson(await services.connectors.get(callerOf(request), request.params.id)),
      }),
    );

    app.patch(
      '/elevate/connectors/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: changes a connector; settings are merged into the stored ones and checked as at creation (an http url only where the operator allows it with ELEVATE_NOTIFICATIONS_ALLOW_HTTP; a webhook secret must be a Standard Webhooks whsec_ secret). A new secret shows as changed in the audit log, never its value.',
          params: idParams,
          body: updateBody,
          response: { 200: withContext(connectorJson), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const b = request.body;
        const c = await services.connectors.update(callerOf(request), request.params.id, {
          ...(b.displayName === undefined ? {} : { displayName: b.displayName }),
          ...(b.settings === undefined ? {} : { settings: b.settings }),
          ...(b.secret === undefined ? {} : { secret: b.secret }),
          ...(b.loginSource === undefined ? {} : { loginSource: b.loginSource }),
          ...(b.isEnabled === undefined ? {} : { isEnabled: b.isEnabled }),
        });
        return { '@odata.context': entity, ...toJson(c) };
      },
    );

    app.delete(
      '/elevate/connectors/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: removes a connector and its mappings. Grants it made stay in the target: remove the mappings first to have them revoked. Audited.',
          params: idParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.connectors.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/elevate/connectors/:id/test',
      {
        schema: {
          tags,
          description:
            'Elevate extension: reaches the target with the stored settings and secret and checks the credentials, the privileges the connector needs and that every mapped target exists. `succeeded: false` with a message saying what is wrong.',
          params: idParams,
          response: { 200: testJson, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const r = await services.connectors.test(callerOf(request), request.params.id);
        return { succeeded: r.ok, message: r.message };
      },
    );

    app.get(
      '/elevate/connectors/:id/mappings',
      {
        schema: {
          tags,
          params: idParams,
          response: {
            200: z.object({ '@odata.context': z.string(), value: z.array(mappingJson) }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const ms = await services.connectors.mappings(callerOf(request), request.params.id);
        return {
          '@odata.context': context(publicUrl, `elevate/connectors('${request.params.id}')/mappings`),
          value: ms.map(mappingToJson),
        };
      },
    );

    app.post(
      '/elevate/connectors/:id/mappings',
      {
        schema: {
          tags,
          description:
            "Elevate extension: maps a directory role at a scope (source directoryRole) or an Elevate group's membership (source group) to a target grant: a role name (PostgreSQL, MariaDB), 'on' or '+@category' (Redis), a groupOfNames DN (LDAP), a name the receiver knows (webhook), the target's group id (SCIM). Audited; reconciled at once.",
          params: idParams,
          body: mappingBody,
          response: { 201: withContext(mappingJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const m = await services.connectors.addMapping(callerOf(request), request.params.id, {
          source: b.source,
          sourceId: b.sourceId,
          directoryScopeId: b.directoryScopeId,
          targetGrant: b.targetGrant,
        });
        return reply.status(201).send({
          '@odata.context': context(publicUrl, `elevate/connectors('${request.params.id}')/mappings/$entity`),
          ...mappingToJson(m),
        });
      },
    );

    app.get(
      '/elevate/connectors/:id/mappings/:mappingId',
      {
        schema: {
          tags,
          params: mappingParams,
          response: { 200: withContext(mappingJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': context(publicUrl, `elevate/connectors('${request.params.id}')/mappings/$entity`),
        ...mappingToJson(
          await services.connectors.mapping(callerOf(request), request.params.id, request.params.mappingId),
        ),
      }),
    );

    app.delete(
      '/elevate/connectors/:id/mappings/:mappingId',
      {
        schema: {
          tags,
          description:
            'Elevate extension: removes a mapping; the grants Elevate made through it are revoked. Audited.',
          params: mappingParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.connectors.removeMapping(
          callerOf(request),
          request.params.id,
          request.params.mappingId,
        );
        return reply.status(204).send(null);
      },
    );

    const loginContext = (id: string) => context(publicUrl, `elevate/connectors('${id}')/logins`);

    app.get(
      '/elevate/connectors/:id/logins',
      {
        schema: {
          tags,
          description:
            "Elevate extension: the connector's explicit per-user logins (principalId → login), which win over the login derived from the userPrincipalName.",
          params: idParams,
          response: {
            200: z.object({ '@odata.context': z.string(), value: z.array(loginJson) }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const ls = await services.connectors.logins(callerOf(request), request.params.id);
        return { '@odata.context': loginContext(request.params.id), value: ls.map(loginToJson) };
      },
    );

    app.put(
      '/elevate/connectors/:id/logins/:principalId',
      {
        schema: {
          tags,
          description:
            "Elevate extension: sets the user's explicit login in this connector's target (replacing one set before). The user must exist in the tenant (else 400 on principalId) and no other user of the connector may have the login (else 400 on login). The reconciler then revokes what the old login held and grants the new one. Audited.",
          params: loginParams,
          body: loginBody,
          response: { 200: withContext(loginJson), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const l = await services.connectors.setLogin(
          callerOf(request),
          request.params.id,
          request.params.principalId,
          request.body.login,
        );
        return { '@odata.context': `${loginContext(request.params.id)}/$entity`, ...loginToJson(l) };
      },
    );

    app.delete(
      '/elevate/connectors/:id/logins/:principalId',
      {
        schema: {
          tags,
          description:
            "Elevate extension: removes the user's explicit login; the login is derived from the userPrincipalName again. Audited.",
          params: loginParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.connectors.removeLogin(
          callerOf(request),
          request.params.id,
          request.params.principalId,
        );
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/elevate/connectors/:id/grants',
      {
        schema: {
          tags,
          description:
            'Elevate extension: the grants this connector made in its target, newest first, with requested, approved, effective, ended and revoked times.',
          params: idParams,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(grantJson)), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: targetGrantFields });
        const page = await services.connectors.grants(callerOf(request), request.params.id, q);
        const ctx = context(publicUrl, `elevate/connectors('${request.params.id}')/grants`);
        return collectionEnvelope(request, publicUrl, ctx, page, q, grantToJson);
      },
    );
  };
}
