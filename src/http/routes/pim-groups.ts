import type { FastifyPluginAsync } from 'fastify';
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
import {
  canonicalizeGroupRequestBody,
  groupRequestBody,
  toGroupCommand,
  type GroupRequestBody,
} from './pim-group-body.js';
import { GROUP_API } from './pim-handlers.js';
import { CREATE_DESCRIPTION, registerScheduleKind, tags, type KindCreate } from './pim.js';

/** `POST` a group schedule request: as for directory roles (400 bad input or policy, 409 racing). */
const groupCreate: KindCreate<GroupRequestBody> = {
  options: {
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
  },
  toCommand: toGroupCommand,
};

/**
 * PIM for Groups over Graph (reference §4), on the same engine and routes as directory roles:
 * schedule requests of both kinds (create, list, get, cancel, `filterByCurrentUser(on='principal')`),
 * schedules and instances (list, get, `filterByCurrentUser(on='principal')`), with `$filter` by
 * `groupId`, `principalId`, `accessId`, `$expand=principal,group`, paging and Graph's contexts.
 */
export function pimGroupRoutes(opts: RouteOptions): FastifyPluginAsync {
  return async (root) => {
    root.addHook('onRequest', authenticateHook(opts.services));
    await registerScheduleKind(root, opts, 'eligibility', {
      api: GROUP_API,
      paths: {
        requests: '/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests',
        request: '/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests/:id',
        cancel: '/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests/:id/cancel',
        schedules: '/identityGovernance/privilegedAccess/group/eligibilitySchedules',
        schedule: '/identityGovernance/privilegedAccess/group/eligibilitySchedules/:id',
        instances: '/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances',
        instance: '/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/:id',
      },
      json: {
        request: groupRequestJson,
        schedule: groupEligibilityScheduleJson,
        instance: groupEligibilityInstanceJson,
      },
      create: groupCreate,
    });
    await registerScheduleKind(root, opts, 'assignment', {
      api: GROUP_API,
      paths: {
        requests: '/identityGovernance/privilegedAccess/group/assignmentScheduleRequests',
        request: '/identityGovernance/privilegedAccess/group/assignmentScheduleRequests/:id',
        cancel: '/identityGovernance/privilegedAccess/group/assignmentScheduleRequests/:id/cancel',
        schedules: '/identityGovernance/privilegedAccess/group/assignmentSchedules',
        schedule: '/identityGovernance/privilegedAccess/group/assignmentSchedules/:id',
        instances: '/identityGovernance/privilegedAccess/group/assignmentScheduleInstances',
        instance: '/identityGovernance/privilegedAccess/group/assignmentScheduleInstances/:id',
      },
      json: {
        request: groupRequestJson,
        schedule: groupAssignmentScheduleJson,
        instance: groupAssignmentInstanceJson,
      },
      create: groupCreate,
    });
  };
}
