import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StoredRoleDefinition } from '../../app/ports.js';
import type { RoleAssignment } from '../../domain/directory/types.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { collectionOf, context, errorResponses, guid, idParam, nonEmpty, str } from '../graph/json.js';
import { roleAssignmentFields, roleDefinitionFields } from '../../odata/collections.js';
import { collectionQuerystring, readCollectionQuery, sendPage } from '../graph/query.js';

const rolePermission = z
  .object({
    allowedResourceActions: z.array(str(200)).max(100),
    condition: str(1024).nullable().optional(),
    excludedResourceActions: z.array(str(200)).max(100).optional(),
  })
  .strict();

const roleDefinitionJson = z
  .object({
    '@odata.context': z.string(),
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
  })
  .partial();

const toRoleDefinitionJson = (r: StoredRoleDefinition) => ({
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

const roleAssignmentJson = z
  .object({
    '@odata.context': z.string(),
    id: z.string(),
    principalId: z.string(),
    roleDefinitionId: z.string(),
    directoryScopeId: z.string(),
    appScopeId: z.string().nullable(),
  })
  .partial();

const toRoleAssignmentJson = (a: RoleAssignment) => ({
  id: a.id,
  principalId: a.principalId,
  roleDefinitionId: a.roleDefinitionId,
  directoryScopeId: a.directoryScopeId,
  appScopeId: a.appScopeId,
});

const createRoleDefinitionBody = z
  .object({
    displayName: nonEmpty(256),
    description: str(1024).optional(),
    isEnabled: z.boolean(),
    templateId: guid.optional(),
    rolePermissions: z.array(rolePermission).min(1).max(10),
    version: str(32).optional(),
  })
  .strict();

const createRoleAssignmentBody = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.unifiedRoleAssignment').optional(),
    principalId: guid,
    roleDefinitionId: guid,
    directoryScopeId: str(200).optional(),
    appScopeId: str(200).nullable().optional(),
  })
  .strict();

const base = 'roleManagement/directory';

/** `/roleManagement/directory/roleDefinitions` and `/roleAssignments` (direct, non-PIM). */
export function roleRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['roles'];
    const params = z.object({ id: idParam });

    app.get(
      `/${base}/roleDefinitions`,
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(roleDefinitionJson), ...errorResponses },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: roleDefinitionFields });
        const page = await services.roleDefinitions.list(callerOf(request), q);
        return sendPage(
          request,
          publicUrl,
          context(publicUrl, `${base}/roleDefinitions`),
          page,
          q,
          toRoleDefinitionJson,
        );
      },
    );
    app.get(
      `/${base}/roleDefinitions/:id`,
      { schema: { tags, params, response: { 200: roleDefinitionJson, ...errorResponses } } },
      async (request) => {
        const r = await services.roleDefinitions.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(publicUrl, `${base}/roleDefinitions/$entity`),
          ...toRoleDefinitionJson(r),
        };
      },
    );
    app.post(
      `/${base}/roleDefinitions`,
      {
        schema: {
          tags,
          body: createRoleDefinitionBody,
          response: { 201: roleDefinitionJson, ...errorResponses },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const r = await services.roleDefinitions.create(callerOf(request), {
          displayName: b.displayName,
          description: b.description ?? '',
          isEnabled: b.isEnabled,
          rolePermissions: b.rolePermissions.map((p) => ({
            allowedResourceActions: p.allowedResourceActions,
            condition: p.condition ?? null,
            excludedResourceActions: p.excludedResourceActions ?? [],
          })),
          ...(b.templateId ? { templateId: b.templateId } : {}),
        });
        return reply.status(201).send({
          '@odata.context': context(publicUrl, `${base}/roleDefinitions/$entity`),
          ...toRoleDefinitionJson(r),
        });
      },
    );
    app.patch(
      `/${base}/roleDefinitions/:id`,
      {
        schema: {
          tags,
          params,
          body: createRoleDefinitionBody.omit({ templateId: true }).partial().strict(),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const b = request.body;
        await services.roleDefinitions.update(callerOf(request), request.params.id, {
          ...(b.displayName !== undefined ? { displayName: b.displayName } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.isEnabled !== undefined ? { isEnabled: b.isEnabled } : {}),
          ...(b.rolePermissions !== undefined
            ? {
                rolePermissions: b.rolePermissions.map((p) => ({
                  allowedResourceActions: p.allowedResourceActions,
                  condition: p.condition ?? null,
                  excludedResourceActions: p.excludedResourceActions ?? [],
                })),
              }
            : {}),
        });
        return reply.status(204).send(null);
      },
    );
    app.delete(
      `/${base}/roleDefinitions/:id`,
      { schema: { tags, params, response: { 204: z.null(), ...errorResponses } } },
      async (request, reply) => {
        await services.roleDefinitions.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      `/${base}/roleAssignments`,
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(roleAssignmentJson), ...errorResponses },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: roleAssignmentFields });
        const page = await services.roleAssignments.list(callerOf(request), q);
        return sendPage(
          request,
          publicUrl,
          context(publicUrl, `${base}/roleAssignments`),
          page,
          q,
          toRoleAssignmentJson,
        );
      },
    );
    app.post(
      `/${base}/roleAssignments`,
      {
        schema: {
          tags,
          body: createRoleAssignmentBody,
          response: { 201: roleAssignmentJson, ...errorResponses },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const a = await services.roleAssignments.create(callerOf(request), {
          principalId: b.principalId,
          roleDefinitionId: b.roleDefinitionId,
          directoryScopeId: b.directoryScopeId ?? '/',
          appScopeId: b.appScopeId ?? null,
        });
        return reply.status(201).send({
          '@odata.context': context(publicUrl, `${base}/roleAssignments/$entity`),
          ...toRoleAssignmentJson(a),
        });
      },
    );
    app.get(
      `/${base}/roleAssignments/:id`,
      { schema: { tags, params, response: { 200: roleAssignmentJson, ...errorResponses } } },
      async (request) => {
        const a = await services.roleAssignments.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(publicUrl, `${base}/roleAssignments/$entity`),
          ...toRoleAssignmentJson(a),
        };
      },
    );
    app.delete(
      `/${base}/roleAssignments/:id`,
      { schema: { tags, params, response: { 204: z.null(), ...errorResponses } } },
      async (request, reply) => {
        await services.roleAssignments.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
