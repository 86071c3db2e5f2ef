import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { authenticateHook } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { errors, withContext } from '../graph/json.js';
import {
  groupAssignmentInstanceJson,
  groupAssignmentScheduleJson,
  groupEligibilityInstanceJson,
  groupEligibilityScheduleJson,
  groupRequestJson,
} from '../graph/pim-schemas.js';
import { canonicalizeGroupRequestBody, groupRequestBody, toGroupCommand } from './pim-group-body.js';
import {
  acceptEmptyJsonBody,
  GROUP_API,
  instanceHandlers,
  scheduleHandlers,
  scheduleRequestHandlers,
} from './pim-handlers.js';
import { cancelSchema, CREATE_DESCRIPTION, getSchema, listSchema, tags } from './pim.js';

/** `POST` a group schedule request: as for directory roles (400 bad input or policy, 409 racing). */
const createOptions = {
  schema: {
    tags,
    description:
      `${CREATE_DESCRIPTION} ` +
      '`accessId` is `member` or `owner` (any case); an unknown group is 400 `GroupNotFound`, another ' +
      'access id 400 `InvalidAccessId`. The group is onboarded to PIM (its `member` and `owner` role ' +
      'settings created, `scopeType: Group`) by its first request.',
    body: groupRequestBody,
    response: { 201: withContext(groupRequestJson), ...errors(400, 401, 403, 409) },
  },
  preValidation: async (request: { body: unknown }) => {
    request.body = canonicalizeGroupRequestBody(request.body);
  },
};

/**
 * PIM for Groups over Graph (reference §4), on the same engine as directory roles: schedule
 * requests of both kinds (create, list, get, cancel, `filterByCurrentUser(on='principal')`),
 * schedules and instances (list, get, `filterByCurrentUser(on='principal')`), with `$filter` by
 * `groupId`, `principalId`, `accessId`, `$expand=principal,group`, paging and Graph's contexts.
 */
export function pimGroupRoutes(opts: RouteOptions): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(opts.services));

    // ---- eligibility: requests, schedules, instances
    const eligibilityRequests = scheduleRequestHandlers(opts, 'eligibility', GROUP_API);
    const eligibilitySchedules = scheduleHandlers(opts, 'eligibility', GROUP_API);
    const eligibilityInstances = instanceHandlers(opts, 'eligibility', GROUP_API);
    app.post(
      '/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests',
      createOptions,
      async (request, reply) =>
        reply
          .status(201)
          .send(await eligibilityRequests.create(request, toGroupCommand('eligibility', request.body))),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests',
      listSchema(groupRequestJson),
      (request) => eligibilityRequests.list(request),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests/:id',
      getSchema(groupRequestJson),
      (request) => eligibilityRequests.get(request, request.params.id),
    );
    await app.register(async (scope) => {
      acceptEmptyJsonBody(scope);
      scope
        .withTypeProvider<ZodTypeProvider>()
        .post(
          '/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests/:id/cancel',
          cancelSchema,
          async (request, reply) => {
            await eligibilityRequests.cancel(request, request.params.id);
            return reply.status(204).send(null);
          },
        );
    });
    app.get(
      '/identityGovernance/privilegedAccess/group/eligibilitySchedules',
      listSchema(groupEligibilityScheduleJson),
      (request) => eligibilitySchedules.list(request),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/eligibilitySchedules/:id',
      getSchema(groupEligibilityScheduleJson),
      (request) => eligibilitySchedules.get(request, request.params.id),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances',
      listSchema(groupEligibilityInstanceJson),
      (request) => eligibilityInstances.list(request),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/:id',
      getSchema(groupEligibilityInstanceJson),
      (request) => eligibilityInstances.get(request, request.params.id),
    );

    // ---- assignment: requests, schedules, instances
    const assignmentRequests = scheduleRequestHandlers(opts, 'assignment', GROUP_API);
    const assignmentSchedules = scheduleHandlers(opts, 'assignment', GROUP_API);
    const assignmentInstances = instanceHandlers(opts, 'assignment', GROUP_API);
    app.post(
      '/identityGovernance/privilegedAccess/group/assignmentScheduleRequests',
      createOptions,
      async (request, reply) =>
        reply
          .status(201)
          .send(await assignmentRequests.create(request, toGroupCommand('assignment', request.body))),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/assignmentScheduleRequests',
      listSchema(groupRequestJson),
      (request) => assignmentRequests.list(request),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/assignmentScheduleRequests/:id',
      getSchema(groupRequestJson),
      (request) => assignmentRequests.get(request, request.params.id),
    );
    await app.register(async (scope) => {
      acceptEmptyJsonBody(scope);
      scope
        .withTypeProvider<ZodTypeProvider>()
        .post(
          '/identityGovernance/privilegedAccess/group/assignmentScheduleRequests/:id/cancel',
          cancelSchema,
          async (request, reply) => {
            await assignmentRequests.cancel(request, request.params.id);
            return reply.status(204).send(null);
          },
        );
    });
    app.get(
      '/identityGovernance/privilegedAccess/group/assignmentSchedules',
      listSchema(groupAssignmentScheduleJson),
      (request) => assignmentSchedules.list(request),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/assignmentSchedules/:id',
      getSchema(groupAssignmentScheduleJson),
      (request) => assignmentSchedules.get(request, request.params.id),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/assignmentScheduleInstances',
      listSchema(groupAssignmentInstanceJson),
      (request) => assignmentInstances.list(request),
    );
    app.get(
      '/identityGovernance/privilegedAccess/group/assignmentScheduleInstances/:id',
      getSchema(groupAssignmentInstanceJson),
      (request) => assignmentInstances.get(request, request.params.id),
    );
  };
}
