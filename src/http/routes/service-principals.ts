import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { APP_PERMISSIONS } from '../../domain/directory/app-permissions.js';
import { parseDateTime } from '../../domain/time/datetime.js';
import { servicePrincipalFields } from '../../odata/collections.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import {
  passwordCredentialJson,
  servicePrincipalJson,
  toPasswordCredentialJson,
  toServicePrincipalJson,
} from '../graph/directory-json.js';
import { guid, idParams } from '../graph/ids.js';
import {
  collectionOf,
  context,
  errors,
  nonEmpty,
  odataType,
  selectable,
  str,
  withContext,
  withoutAnnotation,
} from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';

const appPermissions = z.array(z.enum(APP_PERMISSIONS)).max(APP_PERMISSIONS.length);

const createSpBody = z
  .object({
    '@odata.type': odataType('servicePrincipal'),
    displayName: nonEmpty(256),
    appId: guid.optional(),
    appPermissions: appPermissions.optional(),
  })
  .strict()
  .transform(withoutAnnotation);

const updateSpBody = z
  .object({
    '@odata.type': odataType('servicePrincipal'),
    displayName: nonEmpty(256).optional(),
    accountEnabled: z.boolean().optional(),
    appPermissions: appPermissions.optional(),
  })
  .strict()
  .transform(withoutAnnotation);

const dateTimeString = str(40)
  .transform((s, ctx) => {
    try {
      return parseDateTime(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  })
  .meta({ format: 'date-time' });

const addPasswordBody = z
  .object({
    passwordCredential: z
      .object({
        displayName: str(256).nullable().optional(),
        startDateTime: dateTimeString.optional(),
        endDateTime: dateTimeString.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const removePasswordBody = z.object({ keyId: guid }).strict();

const servicePrincipalEntity = withContext(servicePrincipalJson);

/** `/servicePrincipals` (list, create, get, update, delete) and their secrets (`addPassword`, `removePassword`). */
export function servicePrincipalRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl, serviceRoot } = opts;
  const entityContext = context(serviceRoot, 'servicePrincipals/$entity');
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['directory'];

    app.get(
      '/servicePrincipals',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(servicePrincipalJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: servicePrincipalFields });
        const page = await services.servicePrincipals.list(callerOf(request), q);
        const contextUrl = context(serviceRoot, 'servicePrincipals');
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (sp) =>
          toServicePrincipalJson(sp),
        );
      },
    );

    app.post(
      '/servicePrincipals',
      {
        // 400 also for an appId that is taken.
        schema: {
          tags,
          body: createSpBody,
          response: { 201: servicePrincipalEntity, ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const sp = await services.servicePrincipals.create(callerOf(request), {
          displayName: b.displayName,
          ...(b.appId ? { appId: b.appId } : {}),
          ...(b.appPermissions ? { appPermissions: b.appPermissions } : {}),
        });
        return reply.status(201).send({ '@odata.context': entityContext, ...toServicePrincipalJson(sp) });
      },
    );

    app.get(
      '/servicePrincipals/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: servicePrincipalEntity, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const sp = await services.servicePrincipals.get(callerOf(request), request.params.id);
        return { '@odata.context': entityContext, ...toServicePrincipalJson(sp, sp.passwords) };
      },
    );

    app.patch(
      '/servicePrincipals/:id',
      {
        schema: {
          tags,
          params: idParams,
          body: updateSpBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        await services.servicePrincipals.update(callerOf(request), request.params.id, {
          ...(b.displayName !== undefined ? { displayName: b.displayName } : {}),
          ...(b.accountEnabled !== undefined ? { accountEnabled: b.accountEnabled } : {}),
          ...(b.appPermissions !== undefined ? { appPermissions: b.appPermissions } : {}),
        });
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/servicePrincipals/:id',
      {
        // 400 when an application tries to delete itself.
        schema: { tags, params: idParams, response: { 204: z.null(), ...errors(400, 401, 403, 404) } },
      },
      async (request, reply) => {
        await services.servicePrincipals.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/servicePrincipals/:id/addPassword',
      {
        schema: {
          tags,
          description:
            'A client secret, shown once. Also refused (400 `invalidRequest`): an `endDateTime` not after ' +
            '`startDateTime`, or more than two years after it.',
          params: idParams,
          body: addPasswordBody,
          response: {
            200: passwordCredentialJson.extend({ '@odata.context': z.string() }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const pc = request.body.passwordCredential ?? {};
        const cred = await services.servicePrincipals.addPassword(callerOf(request), request.params.id, {
          displayName: pc.displayName ?? null,
          ...(pc.startDateTime !== undefined ? { startDateTime: pc.startDateTime } : {}),
          ...(pc.endDateTime !== undefined ? { endDateTime: pc.endDateTime } : {}),
        });
        return {
          '@odata.context': context(serviceRoot, 'microsoft.graph.passwordCredential'),
          ...toPasswordCredentialJson(cred),
        };
      },
    );

    app.post(
      '/servicePrincipals/:id/removePassword',
      {
        schema: {
          tags,
          params: idParams,
          body: removePasswordBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { keyId } = request.body;
        await services.servicePrincipals.removePassword(callerOf(request), request.params.id, keyId);
        return reply.status(204).send(null);
      },
    );
  };
}
