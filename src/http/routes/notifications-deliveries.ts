import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deliveryFields } from '../../app/notifications/fields.js';
import type { QuerySpec } from '../../odata/index.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { idParams } from '../graph/ids.js';
import { collectionOf, context, errors, selectable, withContext } from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';
import { deliveryJson, toDeliveryJson } from './notifications-json.js';

const tags = ['notifications'];
const spec: QuerySpec = {
  fields: deliveryFields,
  defaultOrderBy: [{ field: 'createdDateTime', direction: 'desc' }],
};

/**
 * The delivery log (Elevate extension): every message to every recipient on every channel, with
 * its status (`pending`, `failed`, `sent`, `dead`), attempts and last error; `$filter` by status,
 * channel, eventType, recipient, eventId; paged like Graph collections. A dead delivery can be put
 * back in the queue (`retry`).
 */
export function notificationDeliveryRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  const entityContext = context(publicUrl, 'elevate/notifications/deliveries/$entity');
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));

    app.get(
      '/elevate/notifications/deliveries',
      {
        schema: {
          tags,
          description:
            "Elevate extension: the tenant's notification deliveries, newest first; `$filter` on status, channel, eventType, recipient, eventId, audience, createdDateTime.",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(deliveryJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, spec);
        const page = await services.notificationDeliveries.list(callerOf(request), q);
        const ctx = context(publicUrl, 'elevate/notifications/deliveries');
        return collectionEnvelope(request, publicUrl, ctx, page, q, toDeliveryJson);
      },
    );

    app.get(
      '/elevate/notifications/deliveries/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(deliveryJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': entityContext,
        ...toDeliveryJson(await services.notificationDeliveries.get(callerOf(request), request.params.id)),
      }),
    );

    app.post(
      '/elevate/notifications/deliveries/:id/retry',
      {
        schema: {
          tags,
          description:
            'Elevate extension: puts a dead delivery back in the queue, due now, with a fresh set of attempts (409 when it is not dead). Audited.',
          params: idParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.notificationDeliveries.retry(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
