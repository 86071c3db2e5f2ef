import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CUSTOM_ROLE_ACTION,
  MAX_ROLE_ACTION_LENGTH,
  MAX_ROLE_ACTIONS,
} from '../../domain/roles/role-definition.js';
import { roleDefinitionFields } from '../../odata/collections.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { guid, idParams } from '../graph/ids.js';
import {
  collectionOf,
  context,
  documentedEnum,
  errors,
  nonEmpty,
  selectable,
  str,
  withContext,
} from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';
import { roleDefinitionJson, toRoleDefinitionJson } from '../graph/role-json.js';

/** A directory action as the use case checks it (`validateRolePermissions`), documented as a pattern. */
const action = str(MAX_ROLE_ACTION_LENGTH).meta({ pattern: CUSTOM_ROLE_ACTION.source });

const rolePermission = z
  .object({
    // At least one allowed action per entry in the document; the use case needs one in all.
    allowedResourceActions: z.array(action).max(MAX_ROLE_ACTIONS).meta({ minItems: 1 }),
    // Conditions are not supported: null (or absent) only.
    condition: str(1024)
      .nullable()
      .optional()
      .meta(documentedEnum([null])),
    excludedResourceActions: z.array(action).max(MAX_ROLE_ACTIONS).optional(),
  })
  .strict()
  .meta({
    description: `At most ${MAX_ROLE_ACTIONS} actions in all the entries of a role, allowed and excluded together.`,
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

const updateRoleDefinitionBody = createRoleDefinitionBody.omit({ templateId: true }).partial().strict();

/** Role permissions as the use case takes them: Graph's optional parts filled in. */
const permissionsOf = (permissions: z.output<typeof rolePermission>[]) =>
  permissions.map((p) => ({
    allowedResourceActions: p.allowedResourceActions,
    condition: p.condition ?? null,
    excludedResourceActions: p.excludedResourceActions ?? [],
  }));

const roleDefinitionEntity = withContext(roleDefinitionJson);

/** `/roleManagement/directory/roleDefinitions`: built-in roles (read-only) and custom roles. */
export function roleDefinitionRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl, serviceRoot } = opts;
  const entityContext = context(serviceRoot, 'roleManagement/directory/roleDefinitions/$entity');
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['roles'];

    app.get(
      '/roleManagement/directory/roleDefinitions',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(roleDefinitionJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: roleDefinitionFields });
        const page = await services.roleDefinitions.list(callerOf(request), q);
        const contextUrl = context(serviceRoot, 'roleManagement/directory/roleDefinitions');
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, toRoleDefinitionJson);
      },
    );

    app.get(
      '/roleManagement/directory/roleDefinitions/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: roleDefinitionEntity, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const r = await services.roleDefinitions.get(callerOf(request), request.params.id);
        return { '@odata.context': entityContext, ...toRoleDefinitionJson(r) };
      },
    );

    app.post(
      '/roleManagement/directory/roleDefinitions',
      {
        // 400 also for a templateId that is taken (by a built-in or another custom role).
        schema: {
          tags,
          body: createRoleDefinitionBody,
          response: { 201: roleDefinitionEntity, ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const r = await services.roleDefinitions.create(callerOf(request), {
          displayName: b.displayName,
          description: b.description ?? '',
          isEnabled: b.isEnabled,
          rolePermissions: permissionsOf(b.rolePermissions),
          ...(b.templateId ? { templateId: b.templateId } : {}),
        });
        return reply.status(201).send({ '@odata.context': entityContext, ...toRoleDefinitionJson(r) });
      },
    );

    app.patch(
      '/roleManagement/directory/roleDefinitions/:id',
      {
        schema: {
          tags,
          params: idParams,
          body: updateRoleDefinitionBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        await services.roleDefinitions.update(callerOf(request), request.params.id, {
          ...(b.displayName !== undefined ? { displayName: b.displayName } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.isEnabled !== undefined ? { isEnabled: b.isEnabled } : {}),
          ...(b.rolePermissions !== undefined ? { rolePermissions: permissionsOf(b.rolePermissions) } : {}),
        });
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/roleManagement/directory/roleDefinitions/:id',
      {
        // 400 for a built-in role, or one that is still assigned.
        schema: { tags, params: idParams, response: { 204: z.null(), ...errors(400, 401, 403, 404) } },
      },
      async (request, reply) => {
        await services.roleDefinitions.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
