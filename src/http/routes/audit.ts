import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditFields } from '../../odata/collections.js';
import type { QuerySpec } from '../../odata/index.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { directoryAuditJson, toDirectoryAuditJson, toVerifyJson, verifyJson } from '../graph/audit-json.js';
import { idParams } from '../graph/ids.js';
import { collectionOf, context, errors, selectable, withContext } from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';

const spec: QuerySpec = {
  fields: auditFields,
  defaultOrderBy: [{ field: 'activityDateTime', direction: 'desc' }],
};

/**
 * `/auditLogs/directoryAudits` (Graph) and `/auditLogs/verify` (Elevate: recompute the caller's
 * tenant's hash chain and check its checkpoints).
 */
export function auditRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl, serviceRoot } = opts;
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['audit'];

    app.get(
      '/auditLogs/directoryAudits',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(directoryAuditJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, spec);
        const page = await services.audit.list(callerOf(request), q);
        const contextUrl = context(serviceRoot, 'auditLogs/directoryAudits');
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, toDirectoryAuditJson);
      },
    );

    app.get(
      '/auditLogs/directoryAudits/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(directoryAuditJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const entry = await services.audit.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(serviceRoot, 'auditLogs/directoryAudits/$entity'),
          ...toDirectoryAuditJson(entry),
        };
      },
    );

    app.get(
      '/auditLogs/verify',
      {
        schema: {
          tags,
          description:
            "Elevate extension: recomputes the caller's tenant's audit hash chain and checks its signed checkpoints stored in the database; `publication` says which publishers last accepted which checkpoint, and when.",
          response: { 200: verifyJson, ...errors(400, 401, 403) },
        },
      },
      async (request) => toVerifyJson(await services.audit.verify(callerOf(request))),
    );
  };
}
