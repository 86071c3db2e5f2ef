import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApprovalStepView, ApprovalView } from '../../app/pim/approvals.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { entityKey, keyParams } from '../graph/ids.js';
import { context, documentedEnum, DURATION_PATTERN, dtOrNull, errors, str } from '../graph/json.js';
import { collectionQuerystring, readCollectionQuery } from '../graph/query.js';
import { nextLink } from '../../odata/index.js';
import { scheduleRequestToJson } from '../graph/pim-json.js';
import { scheduleRequestJson } from '../graph/pim-schemas.js';
import { MAX_JUSTIFICATION } from './pim-body.js';
import { boundFunctionOn, GROUP_SPECS } from './pim-query.js';

const stepJson = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  reviewedDateTime: z.string().nullable(),
  reviewResult: z.string(),
  status: z.string(),
  assignedToMe: z.boolean(),
  justification: z.string(),
  reviewedBy: z.object({ id: z.string(), displayName: z.string().nullable() }).nullable(),
  '@elevate.approvalsRequired': z
    .number()
    .optional()
    .meta({ description: 'Elevate: approvals the stage needs (N of M); written only when more than 1.' }),
  '@elevate.approvalsReceived': z
    .number()
    .optional()
    .meta({ description: 'Elevate: distinct approvers who approved so far; with approvalsRequired.' }),
});

const approvalJson = z.object({
  '@odata.context': z.string(),
  id: z.string(),
  steps: z.array(stepJson),
});

const stepsJson = z.object({ '@odata.context': z.string(), value: z.array(stepJson) });

const requesterActivationsJson = z.object({
  '@odata.context': z.string(),
  value: z.array(scheduleRequestJson),
});

/**
 * `PATCH …/steps/{id}`: `reviewResult` is `Approve` or `Deny` (any casing), `justification` up to
 * {@link MAX_JUSTIFICATION} characters. Unknown properties are refused, except `@odata.type`.
 */
const decisionBody = z
  .object({
    '@odata.type': str(200).optional(),
    reviewResult: z
      .string()
      .max(16)
      .transform((v, ctx) => {
        const canonical =
          v.toLowerCase() === 'approve' ? 'Approve' : v.toLowerCase() === 'deny' ? 'Deny' : null;
        if (canonical === null) {
          ctx.addIssue({ code: 'custom', message: "reviewResult must be 'Approve' or 'Deny'" });
          return z.NEVER;
        }
        return canonical;
      })
      .meta(documentedEnum(['Approve', 'Deny'])),
    justification: str(MAX_JUSTIFICATION).nullable().optional(),
    '@elevate.approvedDuration': str(64)
      .meta({
        pattern: DURATION_PATTERN,
        description:
          'Elevate: approve a shorter activation than requested (ISO-8601, at least PT5M, at most the requested duration); Approve only. Recorded in the audit entry.',
      })
      .nullable()
      .optional(),
  })
  .strict();

const stepToJson = (v: ApprovalStepView) => ({
  id: v.step.id,
  displayName: null,
  reviewedDateTime: dtOrNull(v.step.reviewedAt),
  reviewResult: v.step.reviewResult,
  status: v.status,
  assignedToMe: v.assignedToMe,
  justification: v.step.justification ?? '',
  reviewedBy: v.reviewedBy,
  ...(v.step.quorum > 1
    ? {
        '@elevate.approvalsRequired': v.step.quorum,
        '@elevate.approvalsReceived': new Set(
          v.step.decisions.filter((d) => d.reviewResult === 'Approved').map((d) => d.approverId),
        ).size,
      }
    : {}),
});

/**
 * Approvals of directory-role activations, as Graph has them in **beta** only (reference §3):
 * `GET …/roleAssignmentApprovals/{id}` (id = the request id), `GET …/{id}/steps`, and
 * `PATCH …/{id}/steps/{stepId}` (204). Registered under `/beta`; the rest of PIM is `/v1.0`.
 */
export function approvalRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, serviceRoot } = opts;

  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['privileged identity management'];
    const set = 'roleManagement/directory/roleAssignmentApprovals';

    // Approvals the caller may not see are 404, never 403 (invariant 8).
    app.get(
      '/roleManagement/directory/roleAssignmentApprovals/:id',
      { schema: { tags, params: keyParams, response: { 200: approvalJson, ...errors(400, 401, 404) } } },
      async (request) => {
        const a = await services.approvals.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(serviceRoot, `${set}/$entity`),
          id: a.id,
          steps: a.steps.map(stepToJson),
        };
      },
    );

    app.get(
      '/roleManagement/directory/roleAssignmentApprovals/:id/steps',
      { schema: { tags, params: keyParams, response: { 200: stepsJson, ...errors(400, 401, 404) } } },
      async (request) => {
        const a = await services.approvals.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(serviceRoot, `${set}('${a.id}')/steps`),
          value: a.steps.map(stepToJson),
        };
      },
    );

    // Elevate (ADR 0043): the requester's recent activations of the role, lent to an approver the
    // request waits for; 404 for everyone else, as for an approval one may not see.
    app.get(
      '/roleManagement/directory/roleAssignmentApprovals/:id/requesterActivations',
      {
        schema: {
          tags,
          description:
            "Elevate extension: the requester's recent `selfActivate` requests of the same role (newest first, at most 20, this request left out), " +
            'for a user who approves the stage the request is waiting at now. Anyone else gets 404 — the requester, readers of every request, ' +
            'the approver of a stage not yet started or already decided, and everyone once the request is no longer pending.',
          params: keyParams,
          response: { 200: requesterActivationsJson, ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const { items, now } = await services.approvals.requesterActivations(
          callerOf(request),
          request.params.id,
        );
        return {
          '@odata.context': context(serviceRoot, 'roleManagement/directory/roleAssignmentScheduleRequests'),
          value: items.map((r) => scheduleRequestToJson(r, now)),
        };
      },
    );

    app.patch(
      '/roleManagement/directory/roleAssignmentApprovals/:id/steps/:stepId',
      {
        schema: {
          tags,
          description: 'Approve or deny the current stage; 409 when it was already decided.',
          params: z.object({ id: entityKey, stepId: entityKey }),
          body: decisionBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { id, stepId } = request.params;
        await services.approvals.decide(callerOf(request), id, stepId, {
          reviewResult: request.body.reviewResult,
          justification: request.body.justification ?? null,
          approvedDuration: request.body['@elevate.approvedDuration'] ?? null,
        });
        return reply.status(204).send(null);
      },
    );
  };
}

const GROUP_APPROVALS = 'identityGovernance/privilegedAccess/group/assignmentApprovals';

/** Graph v1.0 `approval`: the approval of one group activation, its `stages` (`approvalStage`). */
const groupApprovalJson = z.object({
  '@odata.context': z.string().optional(),
  '@odata.type': z.string().optional(),
  id: z.string(),
  stages: z.array(stepJson),
});

const groupApprovalsJson = z.object({
  '@odata.context': z.string(),
  value: z.array(groupApprovalJson),
  '@odata.nextLink': z.string().optional(),
});

/**
 * Approvals of PIM for Groups activations (reference §4), Graph v1.0: `GET …/assignmentApprovals/{id}`
 * (id = the request id) with its `stages`, `GET …/{id}/stages`, `PATCH …/{id}/stages/{stageId}`
 * (204), and the approver's inbox `…/assignmentApprovals/filterByCurrentUser(on='approver')`
 * (pending approvals whose current stage the caller may decide). The same use cases as directory
 * roles; a directory-role approval id is 404 here and a group's 404 there.
 */
export function groupApprovalRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, serviceRoot, publicUrl } = opts;
  const view = (a: ApprovalView) => ({ id: a.id, stages: a.steps.map(stepToJson) });

  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['privileged identity management'];

    app.get(
      '/identityGovernance/privilegedAccess/group/assignmentApprovals/:id',
      {
        schema: {
          tags,
          description:
            "One approval by id (the request id). With `filterByCurrentUser(on='approver')` in place of the id, " +
            'the approvals waiting for the caller, as a collection (`$top`, `$skiptoken`).',
          params: keyParams,
          querystring: collectionQuerystring,
          response: { 200: z.union([groupApprovalsJson, groupApprovalJson]), ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const on = boundFunctionOn(request.params.id);
        if (on === undefined) {
          const a = await services.approvals.get(caller, request.params.id, 'group');
          return { '@odata.context': context(serviceRoot, `${GROUP_APPROVALS}/$entity`), ...view(a) };
        }
        if (on.toLowerCase() !== 'approver') {
          throw new ValidationError(
            `filterByCurrentUser(on='${on.slice(0, 40)}') is not supported here; use 'approver'.`,
            'on',
          );
        }
        const query = request.query as Record<string, string | undefined>;
        const other = Object.keys(query).find((k) => k !== '$top' && k !== '$skiptoken');
        if (other !== undefined) {
          throw new ValidationError(
            `${other.slice(0, 40)} is not supported on approvals; use $top and $skiptoken.`,
            other.slice(0, 40),
          );
        }
        const q = readCollectionQuery(query, GROUP_SPECS.request.assignment);
        const { page } = await services.scheduleRequests.filterByCurrentUser(
          caller,
          'assignment',
          'approver',
          q,
          'group',
        );
        const views = new Map<string, ApprovalView>();
        for (const r of page.items) views.set(r.id, await services.approvals.get(caller, r.id, 'group'));
        return {
          '@odata.context': context(serviceRoot, 'Collection(microsoft.graph.approval)'),
          value: page.items.map((r) => ({
            '@odata.type': '#microsoft.graph.approval',
            ...view(views.get(r.id)!),
          })),
          ...(page.hasMore
            ? { '@odata.nextLink': nextLink(request.url, publicUrl, q.skip + page.items.length) }
            : {}),
        };
      },
    );

    app.get(
      '/identityGovernance/privilegedAccess/group/assignmentApprovals/:id/stages',
      { schema: { tags, params: keyParams, response: { 200: stepsJson, ...errors(400, 401, 404) } } },
      async (request) => {
        const a = await services.approvals.get(callerOf(request), request.params.id, 'group');
        return {
          '@odata.context': context(serviceRoot, `${GROUP_APPROVALS}('${a.id}')/stages`),
          value: a.steps.map(stepToJson),
        };
      },
    );

    app.patch(
      '/identityGovernance/privilegedAccess/group/assignmentApprovals/:id/stages/:stageId',
      {
        schema: {
          tags,
          description: 'Approve or deny the current stage; 409 when it was already decided.',
          params: z.object({ id: entityKey, stageId: entityKey }),
          body: decisionBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { id, stageId } = request.params;
        await services.approvals.decide(
          callerOf(request),
          id,
          stageId,
          {
            reviewResult: request.body.reviewResult,
            justification: request.body.justification ?? null,
            approvedDuration: request.body['@elevate.approvedDuration'] ?? null,
          },
          'group',
        );
        return reply.status(204).send(null);
      },
    );
  };
}
