import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { toUserJson, userJson } from '../graph/directory-json.js';
import { directoryObjectReference, idParams } from '../graph/ids.js';
import { context, errors, withContext } from '../graph/json.js';

const refBody = z.object({ '@odata.id': directoryObjectReference }).strict();
const managerJson = withContext(userJson);

/** A user's manager: `GET /users/{id}/manager`, `PUT` and `DELETE /users/{id}/manager/$ref`. */
export function userManagerRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, serviceRoot } = opts;
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['directory'];

    app.get(
      '/users/:id/manager',
      { schema: { tags, params: idParams, response: { 200: managerJson, ...errors(400, 401, 403, 404) } } },
      async (request) => {
        const manager = await services.managers.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(serviceRoot, 'directoryObjects/$entity'),
          '@odata.type': '#microsoft.graph.user',
          ...toUserJson(manager),
        };
      },
    );

    app.put(
      '/users/:id/manager/$ref',
      {
        // 400 also when the manager would make a cycle.
        schema: {
          tags,
          params: idParams,
          body: refBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.managers.set(callerOf(request), request.params.id, request.body['@odata.id']);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/users/:id/manager/$ref',
      { schema: { tags, params: idParams, response: { 204: z.null(), ...errors(400, 401, 403, 404) } } },
      async (request, reply) => {
        await services.managers.remove(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
