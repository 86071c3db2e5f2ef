import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ScimClientView } from '../../app/scim/scim-clients.js';
import { MAX_SCIM_CLIENT_NAME } from '../../domain/scim/scim-client.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { idParams } from '../graph/ids.js';
import { collectionOf, context, errors, nonEmpty, withContext } from '../graph/json.js';

const clientJson = z.object({
  id: z.string(),
  displayName: z.string(),
  tokenHint: z.string(),
  createdDateTime: z.string(),
  createdBy: z.string(),
  scimBaseUrl: z.string(),
});

const createdJson = withContext(clientJson).extend({
  token: z
    .string()
    .describe('The bearer token the identity provider sends to `scimBaseUrl`. Shown only in this answer.'),
});

const createBody = z.object({ displayName: nonEmpty(MAX_SCIM_CLIENT_NAME) }).strict();

/**
 * Provisioning clients, an Elevate extension (ADR 0038, docs/scim.md): role administrators create
 * one per identity provider and hand its token to it; the SCIM server at `/scim/v2` accepts only
 * these tokens.
 */
export function scimClientRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, serviceRoot, publicUrl } = opts;
  const tags = ['scim'];
  const entity = context(serviceRoot, 'elevate/scimClients/$entity');
  const toJson = (c: ScimClientView): z.infer<typeof clientJson> => ({
    id: c.id,
    displayName: c.displayName,
    tokenHint: c.tokenHint,
    createdDateTime: new Date(c.createdAt).toISOString(),
    createdBy: c.createdBy,
    scimBaseUrl: `${publicUrl}/scim/v2`,
  });
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));

    app.get(
      '/elevate/scimClients',
      {
        schema: {
          tags,
          description: 'Elevate extension: the SCIM provisioning clients (never their tokens).',
          response: { 200: collectionOf(clientJson), ...errors(400, 401, 403) },
        },
      },
      async (request) => ({
        '@odata.context': context(serviceRoot, 'elevate/scimClients'),
        value: (await services.scimClients.list(callerOf(request))).map(toJson),
      }),
    );

    app.post(
      '/elevate/scimClients',
      {
        schema: {
          tags,
          description:
            'Elevate extension: creates a SCIM provisioning client for an identity provider. The answer carries its bearer token, shown only once (kept as a hash). Audited.',
          body: createBody,
          response: { 201: createdJson, ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const { client, token } = await services.scimClients.create(callerOf(request), request.body);
        return reply.status(201).send({ '@odata.context': entity, ...toJson(client), token });
      },
    );

    app.get(
      '/elevate/scimClients/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(clientJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': entity,
        ...toJson(await services.scimClients.get(callerOf(request), request.params.id)),
      }),
    );

    app.delete(
      '/elevate/scimClients/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: deletes a provisioning client; its token stops working at once. The users and groups it provisioned stay in the directory. Audited.',
          params: idParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.scimClients.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
