import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ScheduleKind } from '../../domain/pim/types.js';
import type { QueryOptions } from '../../odata/index.js';
import { callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { context } from '../graph/json.js';
import {
  contextSuffix,
  ENTITY_SETS,
  GRAPH_TYPES,
  instanceToJson,
  scheduleRequestToJson,
  scheduleToJson,
} from '../graph/pim-json.js';
import { collectionEnvelope, readCollectionQuery, readEntityQuery } from '../graph/query.js';
import { toCreateCommand, type ScheduleRequestBody } from './pim-body.js';
import { boundFunctionOn, pimEntity, pimItem, SPECS } from './pim-query.js';

// The handlers of the directory-role PIM routes, one set per schedule kind; `pim.ts` registers
// them under their literal paths. Each `get` also answers the bound function
// `filterByCurrentUser(on='…')`, which arrives in the `{id}` segment.

const BASE = 'roleManagement/directory';

/** Schedule requests of one kind: create, list, get (or `filterByCurrentUser`), cancel. */
export function scheduleRequestHandlers(opts: RouteOptions, kind: ScheduleKind) {
  const { services, publicUrl, serviceRoot } = opts;
  const set = ENTITY_SETS.request[kind];
  const type = GRAPH_TYPES.request[kind];
  const spec = SPECS.request[kind];
  const setContext = (q: QueryOptions) =>
    context(serviceRoot, `${BASE}/${set}${contextSuffix(q.select, q.expand)}`);

  return {
    async create(request: FastifyRequest, body: ScheduleRequestBody) {
      const r = await services.scheduleRequests.create(callerOf(request), toCreateCommand(kind, body));
      return {
        '@odata.context': context(serviceRoot, `${BASE}/${set}/$entity`),
        ...scheduleRequestToJson(r, r.createdAt),
      };
    },

    async list(request: FastifyRequest) {
      const q = readCollectionQuery(request.query, spec);
      const { page, related, now } = await services.scheduleRequests.list(callerOf(request), kind, q);
      return collectionEnvelope(request, publicUrl, setContext(q), page, q, (r) =>
        pimItem(scheduleRequestToJson(r, now, q.expand, related), q),
      );
    },

    async get(request: FastifyRequest, id: string) {
      const caller = callerOf(request);
      const on = boundFunctionOn(id);
      if (on !== undefined) {
        const q = readCollectionQuery(request.query, spec);
        const { page, related, now } = await services.scheduleRequests.filterByCurrentUser(
          caller,
          kind,
          on,
          q,
        );
        const contextUrl = context(serviceRoot, `Collection(${type})`);
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (r) =>
          pimItem(scheduleRequestToJson(r, now, q.expand, related), q, type),
        );
      }
      const q = readEntityQuery(request.query, spec);
      const { request: r, related, now } = await services.scheduleRequests.get(caller, kind, id, q);
      return {
        '@odata.context': `${setContext(q)}/$entity`,
        ...pimEntity(scheduleRequestToJson(r, now, q.expand, related), q),
      };
    },

    async cancel(request: FastifyRequest, id: string) {
      await services.scheduleRequests.cancel(callerOf(request), kind, id);
    },
  };
}

/** Schedules of one kind: list, get (or `filterByCurrentUser`). */
export function scheduleHandlers(opts: RouteOptions, kind: ScheduleKind) {
  const { services, publicUrl, serviceRoot } = opts;
  const set = ENTITY_SETS.schedule[kind];
  const type = GRAPH_TYPES.schedule[kind];
  const spec = SPECS.schedule[kind];
  const setContext = (q: QueryOptions) =>
    context(serviceRoot, `${BASE}/${set}${contextSuffix(q.select, q.expand)}`);

  return {
    async list(request: FastifyRequest) {
      const q = readCollectionQuery(request.query, spec);
      const { page, related, now } = await services.pimSchedules.listSchedules(callerOf(request), kind, q);
      return collectionEnvelope(request, publicUrl, setContext(q), page, q, (s) =>
        pimItem(scheduleToJson(s, kind, now, q.expand, related), q),
      );
    },

    async get(request: FastifyRequest, id: string) {
      const caller = callerOf(request);
      const on = boundFunctionOn(id);
      if (on !== undefined) {
        const q = readCollectionQuery(request.query, spec);
        const { page, related, now } = await services.pimSchedules.schedulesOfCurrentUser(
          caller,
          kind,
          on,
          q,
        );
        const contextUrl = context(serviceRoot, `Collection(${type})`);
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (s) =>
          pimItem(scheduleToJson(s, kind, now, q.expand, related), q, type),
        );
      }
      const q = readEntityQuery(request.query, spec);
      const { item, related, now } = await services.pimSchedules.getSchedule(caller, kind, id, q);
      return {
        '@odata.context': `${setContext(q)}/$entity`,
        ...pimEntity(scheduleToJson(item, kind, now, q.expand, related), q),
      };
    },
  };
}

/** Instances of one kind: list, get (or `filterByCurrentUser`). */
export function instanceHandlers(opts: RouteOptions, kind: ScheduleKind) {
  const { services, publicUrl, serviceRoot } = opts;
  const set = ENTITY_SETS.instance[kind];
  const type = GRAPH_TYPES.instance[kind];
  const spec = SPECS.instance[kind];
  const setContext = (q: QueryOptions) =>
    context(serviceRoot, `${BASE}/${set}${contextSuffix(q.select, q.expand)}`);

  return {
    async list(request: FastifyRequest) {
      const q = readCollectionQuery(request.query, spec);
      const { page, related, now } = await services.pimSchedules.listInstances(callerOf(request), kind, q);
      return collectionEnvelope(request, publicUrl, setContext(q), page, q, (i) =>
        pimItem(instanceToJson(i, kind, q.expand, related, now), q),
      );
    },

    async get(request: FastifyRequest, id: string) {
      const caller = callerOf(request);
      const on = boundFunctionOn(id);
      if (on !== undefined) {
        const q = readCollectionQuery(request.query, spec);
        const { page, related, now } = await services.pimSchedules.instancesOfCurrentUser(
          caller,
          kind,
          on,
          q,
        );
        const contextUrl = context(serviceRoot, `Collection(${type})`);
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (i) =>
          pimItem(instanceToJson(i, kind, q.expand, related, now), q, type),
        );
      }
      const q = readEntityQuery(request.query, spec);
      const { item, related, now } = await services.pimSchedules.getInstance(caller, kind, id, q);
      return {
        '@odata.context': `${setContext(q)}/$entity`,
        ...pimEntity(instanceToJson(item, kind, q.expand, related, now), q),
      };
    },
  };
}

/**
 * `cancel` takes no body; Graph SDKs still send `Content-Type: application/json`, so in the scope
 * this is applied to (the cancel routes only) an empty JSON body is accepted.
 */
export function acceptEmptyJsonBody(scope: FastifyInstance): void {
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const body = String(text);
    if (body.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}
