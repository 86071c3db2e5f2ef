import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CreateScheduleRequest } from '../../app/pim/create-request.js';
import type { Related } from '../../app/pim/related.js';
import type { Schedule, ScheduleInstance, ScheduleRequest } from '../../domain/pim/schedule.js';
import type { ResourceType, ScheduleKind } from '../../domain/pim/types.js';
import type { ExpandItem, QueryOptions, QuerySpec } from '../../odata/index.js';
import { callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import {
  CONNECTOR_GRANTS,
  connectorGrantTimesToJson,
  withConnectorGrants,
} from '../graph/connector-grant-json.js';
import { context } from '../graph/json.js';
import {
  GROUP_ENTITY_SETS,
  GROUP_GRAPH_TYPES,
  groupInstanceToJson,
  groupRequestToJson,
  groupScheduleToJson,
} from '../graph/pim-group-json.js';
import {
  contextSuffix,
  ENTITY_SETS,
  GRAPH_TYPES,
  instanceToJson,
  scheduleRequestToJson,
  scheduleToJson,
} from '../graph/pim-json.js';
import { collectionEnvelope, readCollectionQuery, readEntityQuery } from '../graph/query.js';
import { boundFunctionOn, GROUP_SPECS, pimEntity, pimItem, SPECS } from './pim-query.js';

// The handlers of the PIM routes, one set per resource type (`PimApi`) and schedule kind; `pim.ts`
// and `pim-groups.ts` register them under their literal paths. Each `get` also answers the bound
// function `filterByCurrentUser(on='…')`, which arrives in the `{id}` segment.

type Names = Record<'request' | 'schedule' | 'instance', Record<ScheduleKind, string>>;

/** One Graph surface of the PIM engine: where it lives, its names, its OData and its JSON. */
export interface PimApi<RJ, SJ, IJ> {
  base: string;
  resourceType: ResourceType;
  sets: Names;
  types: Names;
  specs: Record<'request' | 'schedule' | 'instance', Record<ScheduleKind, QuerySpec>>;
  requestToJson(r: ScheduleRequest, now: number, expand?: readonly ExpandItem[], related?: Related): RJ;
  scheduleToJson(
    s: Schedule,
    kind: ScheduleKind,
    now: number,
    expand?: readonly ExpandItem[],
    related?: Related,
  ): SJ;
  instanceToJson(
    i: ScheduleInstance,
    kind: ScheduleKind,
    expand: readonly ExpandItem[],
    related: Related,
    now: number,
  ): IJ;
}

/** Directory roles under `roleManagement/directory` (reference §1). */
export const DIRECTORY_API = {
  base: 'roleManagement/directory',
  resourceType: 'directoryRole',
  sets: ENTITY_SETS,
  types: GRAPH_TYPES,
  specs: SPECS,
  requestToJson: scheduleRequestToJson,
  scheduleToJson,
  instanceToJson,
} satisfies PimApi<unknown, unknown, unknown>;

/** PIM for Groups under `identityGovernance/privilegedAccess/group` (reference §4). */
export const GROUP_API = {
  base: 'identityGovernance/privilegedAccess/group',
  resourceType: 'group',
  sets: GROUP_ENTITY_SETS,
  types: GROUP_GRAPH_TYPES,
  specs: GROUP_SPECS,
  requestToJson: groupRequestToJson,
  scheduleToJson: groupScheduleToJson,
  instanceToJson: (i, kind, expand, related) => groupInstanceToJson(i, kind, expand, related),
} satisfies PimApi<unknown, unknown, unknown>;

/** Schedule requests of one kind: create, list, get (or `filterByCurrentUser`), cancel. */
export function scheduleRequestHandlers<RJ extends Record<string, unknown>, SJ, IJ>(
  opts: RouteOptions,
  kind: ScheduleKind,
  api: PimApi<RJ, SJ, IJ>,
) {
  const { services, publicUrl, serviceRoot } = opts;
  const { base, resourceType } = api;
  const set = api.sets.request[kind];
  const type = api.types.request[kind];
  const spec = api.specs.request[kind];
  const setContext = (q: QueryOptions) =>
    context(serviceRoot, `${base}/${set}${contextSuffix(q.select, q.expand)}`);

  return {
    /** `command` is the body as the use case takes it (`toCreateCommand`, `toGroupCommand`). */
    async create(request: FastifyRequest, command: CreateScheduleRequest) {
      const r = await services.scheduleRequests.create(callerOf(request), command);
      return {
        '@odata.context': context(serviceRoot, `${base}/${set}/$entity`),
        ...api.requestToJson(r, r.createdAt),
      };
    },

    async list(request: FastifyRequest) {
      const q = readCollectionQuery(request.query, spec);
      const { page, related, now } = await services.scheduleRequests.list(
        callerOf(request),
        kind,
        q,
        resourceType,
      );
      return collectionEnvelope(request, publicUrl, setContext(q), page, q, (r) =>
        pimItem(api.requestToJson(r, now, q.expand, related), q),
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
          resourceType,
        );
        const contextUrl = context(serviceRoot, `Collection(${type})`);
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (r) =>
          pimItem(api.requestToJson(r, now, q.expand, related), q, type),
        );
      }
      const q = readEntityQuery(request.query, spec);
      const found = await services.scheduleRequests.get(caller, kind, id, q, resourceType);
      return {
        '@odata.context': `${setContext(q)}/$entity`,
        ...pimEntity(api.requestToJson(found.request, found.now, q.expand, found.related), q),
      };
    },

    async cancel(request: FastifyRequest, id: string) {
      await services.scheduleRequests.cancel(callerOf(request), kind, id, resourceType);
    },
  };
}

/** Schedules of one kind: list, get (or `filterByCurrentUser`). */
export function scheduleHandlers<RJ, SJ extends Record<string, unknown>, IJ>(
  opts: RouteOptions,
  kind: ScheduleKind,
  api: PimApi<RJ, SJ, IJ>,
) {
  const { services, publicUrl, serviceRoot } = opts;
  const { base, resourceType } = api;
  const set = api.sets.schedule[kind];
  const type = api.types.schedule[kind];
  const spec = api.specs.schedule[kind];
  const setContext = (q: QueryOptions) =>
    context(serviceRoot, `${base}/${set}${contextSuffix(q.select, q.expand)}`);

  return {
    async list(request: FastifyRequest) {
      const q = readCollectionQuery(request.query, spec);
      const { page, related, now } = await services.pimSchedules.listSchedules(
        callerOf(request),
        kind,
        q,
        resourceType,
      );
      return collectionEnvelope(request, publicUrl, setContext(q), page, q, (s) =>
        pimItem(api.scheduleToJson(s, kind, now, q.expand, related), q),
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
          resourceType,
        );
        const contextUrl = context(serviceRoot, `Collection(${type})`);
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (s) =>
          pimItem(api.scheduleToJson(s, kind, now, q.expand, related), q, type),
        );
      }
      const q = readEntityQuery(request.query, spec);
      const { item, related, now } = await services.pimSchedules.getSchedule(
        caller,
        kind,
        id,
        q,
        resourceType,
      );
      return {
        '@odata.context': `${setContext(q)}/$entity`,
        ...pimEntity(api.scheduleToJson(item, kind, now, q.expand, related), q),
      };
    },
  };
}

/** Instances of one kind: list, get (or `filterByCurrentUser`). */
export function instanceHandlers<RJ, SJ, IJ extends Record<string, unknown>>(
  opts: RouteOptions,
  kind: ScheduleKind,
  api: PimApi<RJ, SJ, IJ>,
) {
  const { services, publicUrl, serviceRoot } = opts;
  const { base, resourceType } = api;
  const set = api.sets.instance[kind];
  const type = api.types.instance[kind];
  const spec = api.specs.instance[kind];
  // The GET of one assignment instance also shows its connector grants (an Elevate extension).
  const withGrants = kind === 'assignment';
  const entitySpec: QuerySpec = withGrants ? { ...spec, fields: withConnectorGrants(spec.fields) } : spec;
  const setContext = (q: QueryOptions) =>
    context(serviceRoot, `${base}/${set}${contextSuffix(q.select, q.expand)}`);

  return {
    async list(request: FastifyRequest) {
      const q = readCollectionQuery(request.query, spec);
      const { page, related, now } = await services.pimSchedules.listInstances(
        callerOf(request),
        kind,
        q,
        resourceType,
      );
      return collectionEnvelope(request, publicUrl, setContext(q), page, q, (i) =>
        pimItem(api.instanceToJson(i, kind, q.expand, related, now), q),
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
          resourceType,
        );
        const contextUrl = context(serviceRoot, `Collection(${type})`);
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (i) =>
          pimItem(api.instanceToJson(i, kind, q.expand, related, now), q, type),
        );
      }
      const q = readEntityQuery(request.query, entitySpec);
      const { item, related, now, connectorGrants } = await services.pimSchedules.getInstance(
        caller,
        kind,
        id,
        q,
        resourceType,
      );
      const json = api.instanceToJson(item, kind, q.expand, related, now);
      return {
        '@odata.context': `${setContext(q)}/$entity`,
        ...pimEntity(
          withGrants ? { ...json, [CONNECTOR_GRANTS]: connectorGrants.map(connectorGrantTimesToJson) } : json,
          q,
        ),
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
