import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DIRECTORY_SCOPE_PATTERN } from '../../domain/roles/directory-scope.js';
import { roleAssignmentFields } from '../../odata/collections.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { guid, roleAssignmentKey } from '../graph/ids.js';
import { collectionOf, context, errors, selectable, str, withContext } from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';
import { roleAssignmentJson, toRoleAssignmentJson } from '../graph/role-json.js';

const createRoleAssignmentBody = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.unifiedRoleAssignment').optional(),
    principalId: guid,
    roleDefinitionId: guid,
    directoryScopeId: str(200).meta({ pattern: DIRECTORY_SCOPE_PATTERN }).optional(),
    appScopeId: str(200).nullable().optional(),
  })
  .strict();

const params = z.object({ id: roleAssignmentKey });
const roleAssignmentEntity = withContext(roleAssignmentJson);

/** `/roleManagement/directory/roleAssignments`: direct (standing, non-PIM) role assignments. */
export function roleAssignmentRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl, serviceRoot } = opts;
  const entityContext = context(serviceRoot, 'roleManagement/directory/roleAssignments/$entity');
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['roles'];

    app.get(
      '/roleManagement/directory/roleAssignments',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(roleAssignmentJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: roleAssignmentFields });
        const page = await services.roleAssignments.list(callerOf(request), q);
        const contextUrl = context(serviceRoot, 'roleManagement/directory/roleAssignments');
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, toRoleAssignmentJson);
      },
    );

    app.post(
      '/roleManagement/directory/roleAssignments',
      {
        // 400 RoleNotFound, SubjectNotFound, RoleAssignmentExists; 409 when concurrent writes to
        // the same principal and role keep winning.
        schema: {
          tags,
          body: createRoleAssignmentBody,
          response: { 201: roleAssignmentEntity, ...errors(400, 401, 403, 409) },
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
        return reply.status(201).send({ '@odata.context': entityContext, ...toRoleAssignmentJson(a) });
      },
    );

    app.get(
      '/roleManagement/directory/roleAssignments/:id',
      { schema: { tags, params, response: { 200: roleAssignmentEntity, ...errors(400, 401, 403, 404) } } },
      async (request) => {
        const a = await services.roleAssignments.get(callerOf(request), request.params.id);
        return { '@odata.context': entityContext, ...toRoleAssignmentJson(a) };
      },
    );

    app.delete(
      '/roleManagement/directory/roleAssignments/:id',
      { schema: { tags, params, response: { 204: z.null(), ...errors(400, 401, 403, 404) } } },
      async (request, reply) => {
        await services.roleAssignments.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
