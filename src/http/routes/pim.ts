import { connectorGrantsProperty } from '../graph/connector-grant-json.js';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { authenticateHook } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { keyParams } from '../graph/ids.js';
import { collectionOf, errors, selectable, withContext } from '../graph/json.js';
import {
  assignmentInstanceJson,
  assignmentScheduleJson,
  eligibilityInstanceJson,
  eligibilityScheduleJson,
  scheduleRequestJson,
} from '../graph/pim-schemas.js';
import { collectionQuerystring, entityQuerystring } from '../graph/query.js';
import type { CreateScheduleRequest } from '../../app/pim/create-request.js';
import type { ScheduleKind } from '../../domain/pim/types.js';
import {
  canonicalizeRequestBody,
  scheduleRequestBody,
  toCreateCommand,
  type ScheduleRequestBody,
} from './pim-body.js';
import {
  acceptEmptyJsonBody,
  DIRECTORY_API,
  instanceHandlers,
  type PimApi,
  scheduleHandlers,
  scheduleRequestHandlers,
} from './pim-handlers.js';

export const tags = ['privileged identity management'];

/** `GET …/{id}`: one entity, or the collection `filterByCurrentUser(on='…')` returns. */
const entityOrBoundFunction = <S extends z.ZodRawShape>(entity: z.ZodObject<S>) => {
  const item = selectable(entity);
  return z.union([collectionOf(item), withContext(item)]);
};

/** `GET` of a collection: lists are filtered to what the caller may see, never refused (no 403). */
export const listSchema = <S extends z.ZodRawShape>(entity: z.ZodObject<S>) => ({
  schema: {
    tags,
    querystring: collectionQuerystring,
    response: { 200: collectionOf(selectable(entity)), ...errors(400, 401) },
  },
});

/**
 * `GET …/{id}`: others' objects are 404, never 403 (invariant 8). The document lists the options
 * of one entity; `filterByCurrentUser(on='…')` in place of the id also takes a collection's.
 */
export const getSchema = <S extends z.ZodRawShape>(entity: z.ZodObject<S>) => ({
  schema: {
    tags,
    description:
      "One object by id. With `filterByCurrentUser(on='principal')` in place of the id, the caller's own " +
      'objects as a collection, which also takes `$filter`, `$orderby`, `$top`, `$skiptoken` and `$count`.',
    params: keyParams,
    querystring: entityQuerystring,
    response: { 200: entityOrBoundFunction(entity), ...errors(400, 401, 404) },
  },
});

/** What the document says a `POST` of a schedule request refuses (the group routes say it too). */
export const CREATE_DESCRIPTION =
  'Enums are read in any case. Also refused (400 `invalidRequest`): an `expiration.type` with the ' +
  'wrong companion (`afterDuration` takes a `duration` and no `endDateTime`, `afterDateTime` an ' +
  '`endDateTime` and no `duration`, `noExpiration` neither, `notSpecified` at most one), and a ' +
  'schedule that ends at or before its start or in the past. Policy refusals are ' +
  '`RoleAssignmentRequestPolicyValidationFailed`.';

/** `POST` a schedule request: 400 for bad input or a policy refusal, 409 when writes keep racing. */
const createOptions = {
  schema: {
    tags,
    description: CREATE_DESCRIPTION,
    body: scheduleRequestBody,
    response: { 201: withContext(scheduleRequestJson), ...errors(400, 401, 403, 409) },
  },
  preValidation: async (request: { body: unknown }) => {
    request.body = canonicalizeRequestBody(request.body);
  },
};

/** `POST …/{id}/cancel`: 400 `RequestNotCancelable`, 403 for others than the creator or an admin. */
export const cancelSchema = {
  schema: { tags, params: keyParams, response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) } },
};

/** The paths of one kind of one PIM surface, each written out so that a search finds its route. */
export interface KindPaths {
  requests: string;
  request: string;
  cancel: string;
  schedules: string;
  schedule: string;
  instances: string;
  instance: string;
}

/** The JSON schemas of one PIM surface's requests, schedules and instances of one kind. */
interface KindJson<R extends z.ZodRawShape, S extends z.ZodRawShape, I extends z.ZodRawShape> {
  request: z.ZodObject<R>;
  schedule: z.ZodObject<S>;
  instance: z.ZodObject<I>;
}

/** How a surface takes a `POST` of a request: its route options and its body-to-command mapping. */
export interface KindCreate<B> {
  options: { schema: object; preValidation: (request: { body: unknown }) => Promise<void> };
  toCommand(kind: ScheduleKind, body: B): CreateScheduleRequest;
}

/**
 * The eleven routes of one kind (eligibility or assignment) of one PIM surface: requests (create,
 * list, get or `filterByCurrentUser`, cancel), schedules and instances (list, get). Directory roles
 * and groups register it once per kind over the same handlers (`pim-handlers.ts`).
 */
export async function registerScheduleKind<
  B,
  RJ extends Record<string, unknown>,
  SJ extends Record<string, unknown>,
  IJ extends Record<string, unknown>,
  R extends z.ZodRawShape,
  S extends z.ZodRawShape,
  I extends z.ZodRawShape,
>(
  root: FastifyInstance,
  opts: RouteOptions,
  kind: ScheduleKind,
  surface: { api: PimApi<RJ, SJ, IJ>; paths: KindPaths; json: KindJson<R, S, I>; create: KindCreate<B> },
): Promise<void> {
  const { api, paths, json, create } = surface;
  // The routes are typed by their parameters only: the generic mappers' JSON cannot be matched to
  // the generic schemas by the compiler, so the response schemas check it as each reply is
  // serialized (and the OpenAPI contract tests check every route's answers against them).
  const app: FastifyInstance = root;
  type ById = { Params: { id: string } };
  const requests = scheduleRequestHandlers(opts, kind, api);
  const schedules = scheduleHandlers(opts, kind, api);
  const instances = instanceHandlers(opts, kind, api);

  app.post(paths.requests, create.options, async (request, reply) =>
    reply.status(201).send(await requests.create(request, create.toCommand(kind, request.body as B))),
  );
  app.get(paths.requests, listSchema(json.request), (request) => requests.list(request));
  app.get<ById>(paths.request, getSchema(json.request), (request) =>
    requests.get(request, request.params.id),
  );
  await app.register(async (scope) => {
    acceptEmptyJsonBody(scope);
    scope.post<ById>(paths.cancel, cancelSchema, async (request, reply) => {
      await requests.cancel(request, request.params.id);
      return reply.status(204).send(null);
    });
  });
  app.get(paths.schedules, listSchema(json.schedule), (request) => schedules.list(request));
  app.get<ById>(paths.schedule, getSchema(json.schedule), (request) =>
    schedules.get(request, request.params.id),
  );
  app.get(paths.instances, listSchema(json.instance), (request) => instances.list(request));
  // The GET of one assignment instance adds `elevateConnectorGrants` (connector-grant-json.ts).
  const instanceSchema =
    kind === 'assignment'
      ? getSchema(json.instance.extend(connectorGrantsProperty))
      : getSchema(json.instance);
  app.get<ById>(paths.instance, instanceSchema, (request) => instances.get(request, request.params.id));
}

const directoryCreate: KindCreate<ScheduleRequestBody> = {
  options: createOptions,
  toCommand: toCreateCommand,
};

/**
 * Directory-role PIM over Graph (reference §1): schedule requests of both kinds (create, list, get,
 * cancel, `filterByCurrentUser`), schedules and instances (list, get, `filterByCurrentUser`), with
 * `$filter`, `$select`, `$expand`, paging, and Graph's `@odata.context` for each.
 */
export function pimRoutes(opts: RouteOptions): FastifyPluginAsync {
  return async (root) => {
    root.addHook('onRequest', authenticateHook(opts.services));
    await registerScheduleKind(root, opts, 'eligibility', {
      api: DIRECTORY_API,
      paths: {
        requests: '/roleManagement/directory/roleEligibilityScheduleRequests',
        request: '/roleManagement/directory/roleEligibilityScheduleRequests/:id',
        cancel: '/roleManagement/directory/roleEligibilityScheduleRequests/:id/cancel',
        schedules: '/roleManagement/directory/roleEligibilitySchedules',
        schedule: '/roleManagement/directory/roleEligibilitySchedules/:id',
        instances: '/roleManagement/directory/roleEligibilityScheduleInstances',
        instance: '/roleManagement/directory/roleEligibilityScheduleInstances/:id',
      },
      json: {
        request: scheduleRequestJson,
        schedule: eligibilityScheduleJson,
        instance: eligibilityInstanceJson,
      },
      create: directoryCreate,
    });
    await registerScheduleKind(root, opts, 'assignment', {
      api: DIRECTORY_API,
      paths: {
        requests: '/roleManagement/directory/roleAssignmentScheduleRequests',
        request: '/roleManagement/directory/roleAssignmentScheduleRequests/:id',
        cancel: '/roleManagement/directory/roleAssignmentScheduleRequests/:id/cancel',
        schedules: '/roleManagement/directory/roleAssignmentSchedules',
        schedule: '/roleManagement/directory/roleAssignmentSchedules/:id',
        instances: '/roleManagement/directory/roleAssignmentScheduleInstances',
        instance: '/roleManagement/directory/roleAssignmentScheduleInstances/:id',
      },
      json: {
        request: scheduleRequestJson,
        schedule: assignmentScheduleJson,
        instance: assignmentInstanceJson,
      },
      create: directoryCreate,
    });
  };
}
