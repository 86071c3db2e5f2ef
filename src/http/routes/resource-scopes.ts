import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resourceRoleFields, resourceScopeFields } from '../../app/resources/fields.js';
import { MAX_SCOPE_PATH_LENGTH, SCOPE_PATH_PATTERN } from '../../domain/resources/scope-path.js';
import { MAX_SCOPE_NAME_LENGTH, type ResourceScope } from '../../domain/resources/resource-scope.js';
import {
  MAX_ASSIGNABLE_SCOPES,
  MAX_PATTERNS,
  MAX_ROLE_DESCRIPTION_LENGTH,
  MAX_ROLE_NAME_LENGTH,
  type ResourceRoleDefinition,
} from '../../domain/resources/resource-role.js';
import { ACTION_PATTERN_REGEX, MAX_ACTION_LENGTH } from '../../domain/resources/action-pattern.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { guid } from '../graph/ids.js';
import { collectionOf, context, dt, errors, selectable, withContext } from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';

const tags = ['resources'];

export const resourceScopeJson = z.object({
  id: z.string(),
  parentId: z.string(),
  displayName: z.string(),
  type: z.string(),
  createdDateTime: z.string(),
  lastModifiedDateTime: z.string(),
});

const scopeJson = (s: ResourceScope): z.infer<typeof resourceScopeJson> => ({
  id: s.id,
  parentId: s.parentId,
  displayName: s.displayName,
  type: s.type,
  createdDateTime: dt(s.createdAt),
  lastModifiedDateTime: dt(s.modifiedAt),
});

/**
 * The scope path is the id; in the URL it is one percent-encoded segment. The router takes at most
 * 500 encoded characters, so the id in a URL is at most 160 printable ASCII characters (3 per
 * character encoded); a longer path is read with `$filter=id eq '…'`. A path that is not
 * registered (or not a path) is 404.
 */
const MAX_SCOPE_URL_ID = 160;
const scopeParams = z.object({
  id: z
    .string()
    .min(1)
    .max(MAX_SCOPE_URL_ID)
    // Printable ASCII: at most 3 encoded characters each, so the segment fits the router.
    .regex(/^[ -~]+$/, 'must be printable ASCII (a scope path)')
    .meta({
      description:
        "The scope path, percent-encoded as one segment (e.g. '%2Fprod%2Fdatabases'), at most 160 characters; read a longer one with $filter=id eq '…'.",
    }),
});

const scopeName = z
  .string()
  .min(1)
  .max(MAX_SCOPE_NAME_LENGTH)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f]*\S[^\u0000-\u001f]*$/, 'must be printable and not blank');
const scopeType = z
  .string()
  .max(256)
  .regex(/^[A-Za-z0-9][A-Za-z0-9.\-_/]{0,255}$/, 'letters, digits, dots, dashes, underscores or slashes');

const createScope = z
  .object({
    id: z
      .string()
      .min(1)
      .max(MAX_SCOPE_PATH_LENGTH)
      .regex(new RegExp(SCOPE_PATH_PATTERN), 'must be a scope path')
      .meta({
        description:
          "The scope path, e.g. '/subscriptions/s1/resourceGroups/rg1' or '/prod/databases/orders'. Its parent (the prefix) must be registered, the root '/' excepted.",
      }),
    displayName: scopeName,
    type: scopeType,
  })
  .strict();

const updateScope = z
  .object({
    displayName: scopeName.optional(),
    type: scopeType.optional(),
  })
  .strict();

const patterns = z
  .array(
    z
      .string()
      .min(1)
      .max(MAX_ACTION_LENGTH)
      .regex(new RegExp(ACTION_PATTERN_REGEX), "each segment a name or '*' alone (InvalidActionPattern)"),
  )
  .max(MAX_PATTERNS);

export const resourceRoleJson = z.object({
  id: z.string(),
  roleName: z.string(),
  description: z.string(),
  roleType: z.string(),
  permissions: z.array(
    z.object({
      actions: z.array(z.string()),
      notActions: z.array(z.string()),
      dataActions: z.array(z.string()),
      notDataActions: z.array(z.string()),
    }),
  ),
  assignableScopes: z.array(z.string()),
  createdDateTime: z.string().nullable(),
  lastModifiedDateTime: z.string().nullable(),
});

export const resourceRoleToJson = (r: ResourceRoleDefinition): z.infer<typeof resourceRoleJson> => ({
  id: r.id,
  roleName: r.roleName,
  description: r.description,
  roleType: r.roleType,
  permissions: [r.permissions],
  assignableScopes: r.assignableScopes,
  createdDateTime: r.roleType === 'BuiltInRole' ? null : dt(r.createdAt),
  lastModifiedDateTime: r.roleType === 'BuiltInRole' ? null : dt(r.modifiedAt),
});

const roleBody = z
  .object({
    roleName: z
      .string()
      .min(1)
      .max(MAX_ROLE_NAME_LENGTH)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f]*\S[^\u0000-\u001f]*$/, 'must be printable and not blank'),
    description: z.string().max(MAX_ROLE_DESCRIPTION_LENGTH).optional(),
    permissions: z
      .array(
        z
          .object({
            actions: patterns.optional(),
            notActions: patterns.optional(),
            dataActions: patterns.optional(),
            notDataActions: patterns.optional(),
          })
          .strict(),
      )
      .length(1)
      .meta({ description: 'One entry, as Azure role definitions have.' }),
    assignableScopes: z
      .array(
        z
          .string()
          .min(1)
          .max(MAX_SCOPE_PATH_LENGTH)
          .regex(new RegExp(SCOPE_PATH_PATTERN), 'must be a scope path'),
      )
      .min(1)
      .max(MAX_ASSIGNABLE_SCOPES),
  })
  .strict();

const roleInput = (b: z.infer<typeof roleBody>) => {
  const p = b.permissions[0] ?? {};
  return {
    roleName: b.roleName,
    description: b.description ?? '',
    permissions: {
      actions: p.actions ?? [],
      notActions: p.notActions ?? [],
      dataActions: p.dataActions ?? [],
      notDataActions: p.notDataActions ?? [],
    },
    assignableScopes: b.assignableScopes,
  };
};

/**
 * The resource hierarchy and resource role definitions (Elevate extension, ADR 0029,
 * docs/resources.md): `/v1.0/elevate/resourceScopes` and `/v1.0/elevate/resourceRoleDefinitions`.
 * Role administrators change them; their readers read them.
 */
export function resourceScopeRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  const scopeEntity = context(publicUrl, 'elevate/resourceScopes/$entity');
  const roleEntity = context(publicUrl, 'elevate/resourceRoleDefinitions/$entity');
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));

    app.get(
      '/elevate/resourceScopes',
      {
        schema: {
          tags,
          description: "Elevate extension: the tenant's registered resources (the root '/' is implied).",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(resourceScopeJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: resourceScopeFields });
        const page = await services.resourceScopes.list(callerOf(request), q);
        return collectionEnvelope(
          request,
          publicUrl,
          context(publicUrl, 'elevate/resourceScopes'),
          page,
          q,
          scopeJson,
        );
      },
    );

    app.post(
      '/elevate/resourceScopes',
      {
        schema: {
          tags,
          description:
            "Elevate extension: registers a resource. The id is its scope path; the parent (the path's prefix) must be registered. Audited.",
          body: createScope,
          response: { 201: withContext(resourceScopeJson), ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const s = await services.resourceScopes.create(callerOf(request), request.body);
        return reply.status(201).send({ '@odata.context': scopeEntity, ...scopeJson(s) });
      },
    );

    app.get(
      '/elevate/resourceScopes/:id',
      {
        schema: {
          tags,
          params: scopeParams,
          response: { 200: withContext(resourceScopeJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': scopeEntity,
        ...scopeJson(await services.resourceScopes.get(callerOf(request), request.params.id)),
      }),
    );

    app.patch(
      '/elevate/resourceScopes/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: renames a resource or changes its type (its path never changes). Audited.',
          params: scopeParams,
          body: updateScope,
          response: { 200: withContext(resourceScopeJson), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const b = request.body;
        const s = await services.resourceScopes.update(callerOf(request), request.params.id, {
          ...(b.displayName === undefined ? {} : { displayName: b.displayName }),
          ...(b.type === undefined ? {} : { type: b.type }),
        });
        return { '@odata.context': scopeEntity, ...scopeJson(s) };
      },
    );

    app.delete(
      '/elevate/resourceScopes/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: removes a resource without children (400 ScopeHasChildren otherwise) and ends every resource-role eligibility and assignment at it at once. Audited.',
          params: scopeParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.resourceScopes.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/elevate/resourceRoleDefinitions',
      {
        schema: {
          tags,
          description:
            "Elevate extension: the tenant's custom resource roles (Azure's built-ins Owner, Contributor, Reader and User Access Administrator are read by id, and listed by ARM's roleDefinitions).",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(resourceRoleJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: resourceRoleFields });
        const page = await services.resourceRoles.list(callerOf(request), q);
        const ctx = context(publicUrl, 'elevate/resourceRoleDefinitions');
        return collectionEnvelope(request, publicUrl, ctx, page, q, resourceRoleToJson);
      },
    );

    app.post(
      '/elevate/resourceRoleDefinitions',
      {
        schema: {
          tags,
          description:
            "Elevate extension: defines a custom resource role in Azure RBAC's shape. Each action is a name or '*' per segment. Audited.",
          body: roleBody,
          response: { 201: withContext(resourceRoleJson), ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const r = await services.resourceRoles.create(callerOf(request), roleInput(request.body));
        return reply.status(201).send({ '@odata.context': roleEntity, ...resourceRoleToJson(r) });
      },
    );

    app.get(
      '/elevate/resourceRoleDefinitions/:id',
      {
        schema: {
          tags,
          params: z.object({ id: guid }),
          response: { 200: withContext(resourceRoleJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': roleEntity,
        ...resourceRoleToJson(await services.resourceRoles.get(callerOf(request), request.params.id)),
      }),
    );

    app.put(
      '/elevate/resourceRoleDefinitions/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: replaces a custom resource role (built-ins cannot change). Audited.',
          params: z.object({ id: guid }),
          body: roleBody,
          response: { 200: withContext(resourceRoleJson), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const r = await services.resourceRoles.update(
          callerOf(request),
          request.params.id,
          roleInput(request.body),
        );
        return { '@odata.context': roleEntity, ...resourceRoleToJson(r) };
      },
    );

    app.delete(
      '/elevate/resourceRoleDefinitions/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: deletes a custom resource role no schedule grants (400 RoleDefinitionHasAssignments otherwise). Audited.',
          params: z.object({ id: guid }),
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.resourceRoles.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
