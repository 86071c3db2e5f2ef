import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
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
import { canonicalizeRequestBody, scheduleRequestBody, toCreateCommand } from './pim-body.js';
import {
  acceptEmptyJsonBody,
  DIRECTORY_API,
  instanceHandlers,
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

/**
 * Directory-role PIM over Graph (reference §1): schedule requests of both kinds (create, list, get,
 * cancel, `filterByCurrentUser`), schedules and instances (list, get, `filterByCurrentUser`), with
 * `$filter`, `$select`, `$expand`, paging, and Graph's `@odata.context` for each. Every path is
 * written out; the handlers are shared per kind (`pim-handlers.ts`).
 */
export function pimRoutes(opts: RouteOptions): FastifyPluginAsync {
  const assignmentRequests = scheduleRequestHandlers(opts, 'assignment', DIRECTORY_API);
  const assignmentSchedules = scheduleHandlers(opts, 'assignment', DIRECTORY_API);
  const assignmentInstances = instanceHandlers(opts, 'assignment', DIRECTORY_API);
  const eligibilityRequests = scheduleRequestHandlers(opts, 'eligibility', DIRECTORY_API);
  const eligibilitySchedules = scheduleHandlers(opts, 'eligibility', DIRECTORY_API);
  const eligibilityInstances = instanceHandlers(opts, 'eligibility', DIRECTORY_API);

  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(opts.services));

    // ---- eligibilities: requests, schedules, instances
    app.post(
      '/roleManagement/directory/roleEligibilityScheduleRequests',
      createOptions,
      async (request, reply) =>
        reply
          .status(201)
          .send(await eligibilityRequests.create(request, toCreateCommand('eligibility', request.body))),
    );
    app.get(
      '/roleManagement/directory/roleEligibilityScheduleRequests',
      listSchema(scheduleRequestJson),
      (request) => eligibilityRequests.list(request),
    );
    app.get(
      '/roleManagement/directory/roleEligibilityScheduleRequests/:id',
      getSchema(scheduleRequestJson),
      (request) => eligibilityRequests.get(request, request.params.id),
    );
    await app.register(async (scope) => {
      acceptEmptyJsonBody(scope);
      scope
        .withTypeProvider<ZodTypeProvider>()
        .post(
          '/roleManagement/directory/roleEligibilityScheduleRequests/:id/cancel',
          cancelSchema,
          async (request, reply) => {
            await eligibilityRequests.cancel(request, request.params.id);
            return reply.status(204).send(null);
          },
        );
    });
    app.get(
      '/roleManagement/directory/roleEligibilitySchedules',
      listSchema(eligibilityScheduleJson),
      (request) => eligibilitySchedules.list(request),
    );
    app.get(
      '/roleManagement/directory/roleEligibilitySchedules/:id',
      getSchema(eligibilityScheduleJson),
      (request) => eligibilitySchedules.get(request, request.params.id),
    );
    app.get(
      '/roleManagement/directory/roleEligibilityScheduleInstances',
      listSchema(eligibilityInstanceJson),
      (request) => eligibilityInstances.list(request),
    );
    app.get(
      '/roleManagement/directory/roleEligibilityScheduleInstances/:id',
      getSchema(eligibilityInstanceJson),
      (request) => eligibilityInstances.get(request, request.params.id),
    );

    // ---- active assignments: requests, schedules, instances
    app.post(
      '/roleManagement/directory/roleAssignmentScheduleRequests',
      createOptions,
      async (request, reply) =>
        reply
          .status(201)
          .send(await assignmentRequests.create(request, toCreateCommand('assignment', request.body))),
    );
    app.get(
      '/roleManagement/directory/roleAssignmentScheduleRequests',
      listSchema(scheduleRequestJson),
      (request) => assignmentRequests.list(request),
    );
    app.get(
      '/roleManagement/directory/roleAssignmentScheduleRequests/:id',
      getSchema(scheduleRequestJson),
      (request) => assignmentRequests.get(request, request.params.id),
    );
    await app.register(async (scope) => {
      acceptEmptyJsonBody(scope);
      scope
        .withTypeProvider<ZodTypeProvider>()
        .post(
          '/roleManagement/directory/roleAssignmentScheduleRequests/:id/cancel',
          cancelSchema,
          async (request, reply) => {
            await assignmentRequests.cancel(request, request.params.id);
            return reply.status(204).send(null);
          },
        );
    });
    app.get(
      '/roleManagement/directory/roleAssignmentSchedules',
      listSchema(assignmentScheduleJson),
      (request) => assignmentSchedules.list(request),
    );
    app.get(
      '/roleManagement/directory/roleAssignmentSchedules/:id',
      getSchema(assignmentScheduleJson),
      (request) => assignmentSchedules.get(request, request.params.id),
    );
    app.get(
      '/roleManagement/directory/roleAssignmentScheduleInstances',
      listSchema(assignmentInstanceJson),
      (request) => assignmentInstances.list(request),
    );
    app.get(
      '/roleManagement/directory/roleAssignmentScheduleInstances/:id',
      getSchema(assignmentInstanceJson),
      (request) => assignmentInstances.get(request, request.params.id),
    );
  };
}
