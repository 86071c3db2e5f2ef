import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ScimCaller } from '../../app/scim/scim-clients.js';
import type { ScimResourceType } from '../../domain/scim/scim-attributes.js';
import { readScimGroup, scimGroupJson } from '../../domain/scim/scim-group.js';
import {
  narrowingOf,
  parseScimFilter,
  project,
  readPatch,
  type Projection,
} from '../../domain/scim/scim-query.js';
import { isObject, scimInvalid, SCIM, type JsonObject } from '../../domain/scim/scim-schema.js';
import { readScimUser, scimUserJson } from '../../domain/scim/scim-user.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { clientOriginOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { resourceTypes, schemas, serviceProviderConfig, MAX_PAGE_SIZE } from './scim-discovery.js';
import { SCIM_CONTENT_TYPE, scimErrorBody, scimErrorHandler } from './scim-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the SCIM routes' authentication hook. */
    scimCaller?: ScimCaller;
  }
}

const listQuery = z.object({
  filter: z.string().max(1000).optional(),
  startIndex: z
    .string()
    .regex(/^-?\d{1,9}$/)
    .optional(),
  count: z
    .string()
    .regex(/^-?\d{1,9}$/)
    .optional(),
  attributes: z.string().max(1000).optional(),
  excludedAttributes: z.string().max(1000).optional(),
});
const projectionQuery = listQuery.pick({ attributes: true, excludedAttributes: true });
const idParams = z.object({ id: z.string().min(1).max(200) });

const names = (list: string | undefined): string[] | null =>
  list === undefined
    ? null
    : list
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '');

const projectionOf = (q: {
  attributes?: string | undefined;
  excludedAttributes?: string | undefined;
}): Projection => {
  if (q.attributes !== undefined && q.excludedAttributes !== undefined)
    throw scimInvalid('invalidSyntax', "'attributes' and 'excludedAttributes' cannot be used together.");
  return { attributes: names(q.attributes), excludedAttributes: names(q.excludedAttributes) };
};

const bodyOf = (request: FastifyRequest): JsonObject => {
  if (!isObject(request.body)) throw scimInvalid('invalidSyntax', 'The body must be a JSON object.');
  return request.body;
};

const scimCallerOf = (request: FastifyRequest): ScimCaller => {
  if (!request.scimCaller) throw new NotFoundError();
  return request.scimCaller;
};

/**
 * One page of a list (RFC 7644 §3.4.2): filtered, then `startIndex` (1-based, below 1 counts as 1)
 * and `count` (negative counts as 0, above {@link MAX_PAGE_SIZE} as the maximum), then projected.
 */
function listResponse(type: ScimResourceType, all: JsonObject[], q: z.infer<typeof listQuery>): JsonObject {
  const keep = q.filter === undefined ? () => true : parseScimFilter(type, q.filter);
  const projection = projectionOf(q);
  const matched = all.filter(keep);
  const startIndex = Math.max(1, Number(q.startIndex ?? '1'));
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, Number(q.count ?? String(MAX_PAGE_SIZE))));
  const page = matched.slice(startIndex - 1, startIndex - 1 + count);
  return {
    schemas: [SCIM.listResponse],
    totalResults: matched.length,
    startIndex,
    itemsPerPage: page.length,
    Resources: page.map((r) => project(type, r, projection)),
  };
}

/**
 * The SCIM 2.0 service provider at `/scim/v2` (RFC 7643/7644, ADR 0038): Users, Groups and the
 * discovery endpoints, for identity providers that provision Elevate's directory. Authenticated by
 * a provisioning client's token only; errors in RFC 7644's shape; bodies in and out as
 * `application/scim+json` (plain JSON accepted). Left out of `/openapi.json`: its contract is the
 * RFCs' and its own `/Schemas`, and it takes no access token (ADR 0038).
 */
export function scimRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  const baseUrl = `${publicUrl}/scim/v2`;
  const docsUrl = `${publicUrl}/docs`;
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.setErrorHandler(scimErrorHandler);
    app.setNotFoundHandler((request, reply) =>
      reply
        .status(404)
        .type(SCIM_CONTENT_TYPE)
        .send(
          scimErrorBody(
            404,
            `No SCIM endpoint ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}.`,
          ),
        ),
    );
    app.addContentTypeParser('application/scim+json', { parseAs: 'string' }, (_request, text, done) => {
      try {
        done(null, JSON.parse(text as string));
      } catch {
        done(scimInvalid('invalidSyntax', 'The request body is not valid JSON.'), undefined);
      }
    });
    app.addHook('onRequest', async (request) => {
      const ua = request.headers['user-agent'];
      const s = await services.scimClients.authenticate(request.headers.authorization, {
        ip: request.ip,
        userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
        requestId: request.id,
      });
      // The per-principal rate limit counts each provisioning client (`request.caller`).
      request.scimCaller = s;
      request.caller = { ...s.caller, clientOrigin: clientOriginOf('scim') };
    });
    const send = (reply: FastifyReply, status: number, body: unknown) =>
      reply.status(status).type(SCIM_CONTENT_TYPE).send(body);
    const hide = { hide: true } as const;

    // Discovery (RFC 7644 §4).
    app.get('/ServiceProviderConfig', { schema: hide }, (_request, reply) =>
      send(reply, 200, serviceProviderConfig(baseUrl, docsUrl)),
    );
    app.get('/Schemas', { schema: hide }, (_request, reply) => {
      const all = schemas(baseUrl);
      return send(reply, 200, {
        schemas: [SCIM.listResponse],
        totalResults: all.length,
        startIndex: 1,
        itemsPerPage: all.length,
        Resources: all,
      });
    });
    app.get('/Schemas/:id', { schema: { ...hide, params: idParams } }, (request, reply) => {
      const found = schemas(baseUrl).find((s) => s['id'] === request.params.id);
      if (!found) throw new NotFoundError(`Schema ${request.params.id.slice(0, 100)} not found.`);
      return send(reply, 200, found);
    });
    app.get('/ResourceTypes', { schema: hide }, (_request, reply) => {
      const all = resourceTypes(baseUrl);
      return send(reply, 200, {
        schemas: [SCIM.listResponse],
        totalResults: all.length,
        startIndex: 1,
        itemsPerPage: all.length,
        Resources: all,
      });
    });
    app.get('/ResourceTypes/:id', { schema: { ...hide, params: idParams } }, (request, reply) => {
      const found = resourceTypes(baseUrl).find((s) => s['id'] === request.params.id);
      if (!found) throw new NotFoundError(`Resource type ${request.params.id.slice(0, 100)} not found.`);
      return send(reply, 200, found);
    });

    // Users.
    const userJson = (v: Parameters<typeof scimUserJson>[0]) => scimUserJson(v, baseUrl);
    app.get('/Users', { schema: { ...hide, querystring: listQuery } }, async (request, reply) => {
      const narrow = request.query.filter === undefined ? null : narrowingOf(request.query.filter);
      const users = await services.scimUsers.list(scimCallerOf(request), narrow);
      return send(reply, 200, listResponse('User', users.map(userJson), request.query));
    });
    app.post('/Users', { schema: hide }, async (request, reply) => {
      const created = await services.scimUsers.create(scimCallerOf(request), readScimUser(bodyOf(request)));
      const json = userJson(created);
      return send(reply.header('location', `${baseUrl}/Users/${created.user.id}`), 201, json);
    });
    app.get(
      '/Users/:id',
      { schema: { ...hide, params: idParams, querystring: projectionQuery } },
      async (request, reply) => {
        const v = await services.scimUsers.get(scimCallerOf(request), request.params.id.toLowerCase());
        return send(reply, 200, project('User', userJson(v), projectionOf(request.query)));
      },
    );
    app.put('/Users/:id', { schema: { ...hide, params: idParams } }, async (request, reply) => {
      const input = readScimUser(bodyOf(request));
      const v = await services.scimUsers.replace(
        scimCallerOf(request),
        request.params.id.toLowerCase(),
        input,
      );
      return send(reply, 200, userJson(v));
    });
    app.patch('/Users/:id', { schema: { ...hide, params: idParams } }, async (request, reply) => {
      const ops = readPatch('User', request.body);
      const v = await services.scimUsers.patch(
        scimCallerOf(request),
        request.params.id.toLowerCase(),
        ops,
        baseUrl,
      );
      return send(reply, 200, userJson(v));
    });
    app.delete('/Users/:id', { schema: { ...hide, params: idParams } }, async (request, reply) => {
      await services.scimUsers.delete(scimCallerOf(request), request.params.id.toLowerCase());
      return reply.status(204).send();
    });

    // Groups.
    const groupJson = (v: Awaited<ReturnType<typeof services.scimGroups.get>>) =>
      scimGroupJson(v.group, v.externalId, v.members, baseUrl);
    app.get('/Groups', { schema: { ...hide, querystring: listQuery } }, async (request, reply) => {
      const narrow = request.query.filter === undefined ? null : narrowingOf(request.query.filter);
      const groups = await services.scimGroups.list(scimCallerOf(request), narrow);
      return send(reply, 200, listResponse('Group', groups.map(groupJson), request.query));
    });
    app.post('/Groups', { schema: hide }, async (request, reply) => {
      const created = await services.scimGroups.create(scimCallerOf(request), readScimGroup(bodyOf(request)));
      return send(reply.header('location', `${baseUrl}/Groups/${created.group.id}`), 201, groupJson(created));
    });
    app.get(
      '/Groups/:id',
      { schema: { ...hide, params: idParams, querystring: projectionQuery } },
      async (request, reply) => {
        const v = await services.scimGroups.get(scimCallerOf(request), request.params.id.toLowerCase());
        return send(reply, 200, project('Group', groupJson(v), projectionOf(request.query)));
      },
    );
    app.put('/Groups/:id', { schema: { ...hide, params: idParams } }, async (request, reply) => {
      const input = readScimGroup(bodyOf(request));
      const v = await services.scimGroups.replace(
        scimCallerOf(request),
        request.params.id.toLowerCase(),
        input,
      );
      return send(reply, 200, groupJson(v));
    });
    app.patch('/Groups/:id', { schema: { ...hide, params: idParams } }, async (request, reply) => {
      const ops = readPatch('Group', request.body);
      const v = await services.scimGroups.patch(
        scimCallerOf(request),
        request.params.id.toLowerCase(),
        ops,
        baseUrl,
      );
      return send(reply, 200, groupJson(v));
    });
    app.delete('/Groups/:id', { schema: { ...hide, params: idParams } }, async (request, reply) => {
      await services.scimGroups.delete(scimCallerOf(request), request.params.id.toLowerCase());
      return reply.status(204).send();
    });
  };
}
