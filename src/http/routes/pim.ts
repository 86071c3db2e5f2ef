import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Page } from '../../app/ports.js';
import { SCHEDULE_KINDS } from '../../domain/pim/types.js';
import { nextLink, parseQueryOptions, type QueryOptions } from '../../odata/index.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { collectionOf, context, errorResponses, idParam } from '../graph/json.js';
import {
  contextSuffix,
  ENTITY_SETS,
  GRAPH_TYPES,
  instanceJson,
  instanceToJson,
  scheduleJson,
  scheduleRequestJson,
  scheduleRequestToJson,
  scheduleToJson,
} from '../graph/pim-json.js';
import { collectionQuerystring } from '../graph/query.js';
import { canonicalizeRequestBody, scheduleRequestBody, toCreateCommand } from './pim-body.js';
import { boundFunctionOn, readEntityQuery, shape, SPECS } from './pim-query.js';

const BASE = 'roleManagement/directory';

/**
 * Directory-role PIM over Graph (reference §1): schedule requests of both kinds (create, list, get,
 * cancel, `filterByCurrentUser`), schedules and instances (list, get, `filterByCurrentUser`), with
 * `$filter`, `$select`, `$expand`, paging, and Graph's `@odata.context` for each.
 */
export function pimRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;

  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['privileged identity management'];
    const params = z.object({ id: idParam });
    const anyOf = <A extends z.ZodTypeAny>(item: A) => z.union([collectionOf(item), item]);

    /** The collection envelope for a page already turned into JSON. */
    const envelope = <T>(
      url: string,
      contextUrl: string,
      page: Page<T>,
      q: QueryOptions,
      toJson: (item: T) => Record<string, unknown>,
    ) => ({
      '@odata.context': contextUrl,
      ...(page.count !== undefined ? { '@odata.count': page.count } : {}),
      value: page.items.map(toJson),
      ...(page.hasMore ? { '@odata.nextLink': nextLink(url, publicUrl, q.skip + page.items.length) } : {}),
    });

    for (const kind of SCHEDULE_KINDS) {
      const requests = ENTITY_SETS.request[kind];
      const requestSpec = SPECS.request[kind];
      const requestType = GRAPH_TYPES.request[kind];
      const setContext = (q: QueryOptions) =>
        context(publicUrl, `${BASE}/${requests}${contextSuffix(q.select, q.expand)}`);

      app.post(
        `/${BASE}/${requests}`,
        {
          schema: {
            tags,
            body: scheduleRequestBody,
            response: { 201: scheduleRequestJson, ...errorResponses },
          },
          preValidation: async (request) => {
            request.body = canonicalizeRequestBody(request.body) as typeof request.body;
          },
        },
        async (request, reply) => {
          const r = await services.scheduleRequests.create(
            callerOf(request),
            toCreateCommand(kind, request.body),
          );
          return reply.status(201).send({
            '@odata.context': context(publicUrl, `${BASE}/${requests}/$entity`),
            ...scheduleRequestToJson(r, r.createdAt),
          });
        },
      );

      app.get(
        `/${BASE}/${requests}`,
        {
          schema: {
            tags,
            querystring: collectionQuerystring,
            response: { 200: collectionOf(scheduleRequestJson), ...errorResponses },
          },
        },
        async (request) => {
          const q = parseQueryOptions(request.query, requestSpec);
          const { page, related, now } = await services.scheduleRequests.list(callerOf(request), kind, q);
          return envelope(request.url, setContext(q), page, q, (r) =>
            shape(scheduleRequestToJson(r, now, q.expand, related), q),
          );
        },
      );

      app.get(
        `/${BASE}/${requests}/:id`,
        {
          schema: {
            tags,
            params,
            querystring: collectionQuerystring,
            response: { 200: anyOf(scheduleRequestJson), ...errorResponses },
          },
        },
        async (request) => {
          const caller = callerOf(request);
          const on = boundFunctionOn(request.params.id);
          if (on !== undefined) {
            const q = parseQueryOptions(request.query, requestSpec);
            const { page, related, now } = await services.scheduleRequests.filterByCurrentUser(
              caller,
              kind,
              on,
              q,
            );
            return envelope(request.url, context(publicUrl, `Collection(${requestType})`), page, q, (r) =>
              shape(scheduleRequestToJson(r, now, q.expand, related), q, requestType),
            );
          }
          const q = readEntityQuery(request.query, requestSpec);
          const {
            request: r,
            related,
            now,
          } = await services.scheduleRequests.get(caller, kind, request.params.id, q);
          return {
            '@odata.context': context(
              publicUrl,
              `${BASE}/${requests}${contextSuffix(q.select, q.expand)}/$entity`,
            ),
            ...shape(scheduleRequestToJson(r, now, q.expand, related), q),
          };
        },
      );

      // `cancel` takes no body; Graph SDKs still send `Content-Type: application/json`, so an empty
      // body is accepted here (and only here).
      await app.register(async (scope: FastifyInstance) => {
        scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
          const body = String(text);
          if (body.trim() === '') return done(null, undefined);
          try {
            done(null, JSON.parse(body));
          } catch (e) {
            done(e as Error, undefined);
          }
        });
        scope
          .withTypeProvider<ZodTypeProvider>()
          .post(
            `/${BASE}/${requests}/:id/cancel`,
            { schema: { tags, params, response: { 204: z.null(), ...errorResponses } } },
            async (request, reply) => {
              await services.scheduleRequests.cancel(callerOf(request), kind, request.params.id);
              return reply.status(204).send(null);
            },
          );
      });

      for (const what of ['schedule', 'instance'] as const) {
        const set = ENTITY_SETS[what][kind];
        const spec = SPECS[what][kind];
        const type = GRAPH_TYPES[what][kind];
        const itemSchema = what === 'schedule' ? scheduleJson : instanceJson;

        app.get(
          `/${BASE}/${set}`,
          {
            schema: {
              tags,
              querystring: collectionQuerystring,
              response: { 200: collectionOf(itemSchema), ...errorResponses },
            },
          },
          async (request) => {
            const caller = callerOf(request);
            const q = parseQueryOptions(request.query, spec);
            const contextUrl = context(publicUrl, `${BASE}/${set}${contextSuffix(q.select, q.expand)}`);
            if (what === 'schedule') {
              const { page, related, now } = await services.pimSchedules.listSchedules(caller, kind, q);
              return envelope(request.url, contextUrl, page, q, (s) =>
                shape(scheduleToJson(s, kind, now, q.expand, related), q),
              );
            }
            const { page, related, now } = await services.pimSchedules.listInstances(caller, kind, q);
            return envelope(request.url, contextUrl, page, q, (i) =>
              shape(instanceToJson(i, kind, q.expand, related, now), q),
            );
          },
        );

        app.get(
          `/${BASE}/${set}/:id`,
          {
            schema: {
              tags,
              params,
              querystring: collectionQuerystring,
              response: { 200: anyOf(itemSchema), ...errorResponses },
            },
          },
          async (request) => {
            const caller = callerOf(request);
            const on = boundFunctionOn(request.params.id);
            if (on !== undefined) {
              const q = parseQueryOptions(request.query, spec);
              const contextUrl = context(publicUrl, `Collection(${type})`);
              if (what === 'schedule') {
                const { page, related, now } = await services.pimSchedules.schedulesOfCurrentUser(
                  caller,
                  kind,
                  on,
                  q,
                );
                return envelope(request.url, contextUrl, page, q, (s) =>
                  shape(scheduleToJson(s, kind, now, q.expand, related), q, type),
                );
              }
              const { page, related, now } = await services.pimSchedules.instancesOfCurrentUser(
                caller,
                kind,
                on,
                q,
              );
              return envelope(request.url, contextUrl, page, q, (i) =>
                shape(instanceToJson(i, kind, q.expand, related, now), q, type),
              );
            }
            const q = readEntityQuery(request.query, spec);
            const entityContext = context(
              publicUrl,
              `${BASE}/${set}${contextSuffix(q.select, q.expand)}/$entity`,
            );
            if (what === 'schedule') {
              const { item, related, now } = await services.pimSchedules.getSchedule(
                caller,
                kind,
                request.params.id,
                q,
              );
              return {
                '@odata.context': entityContext,
                ...shape(scheduleToJson(item, kind, now, q.expand, related), q),
              };
            }
            const { item, related, now } = await services.pimSchedules.getInstance(
              caller,
              kind,
              request.params.id,
              q,
            );
            return {
              '@odata.context': entityContext,
              ...shape(instanceToJson(item, kind, q.expand, related, now), q),
            };
          },
        );
      }
    }
  };
}
