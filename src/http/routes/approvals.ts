import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApprovalStepView } from '../../app/pim/approvals.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { entityKey, keyParams } from '../graph/ids.js';
import { context, documentedEnum, DURATION_PATTERN, dtOrNull, errors, str } from '../graph/json.js';
import { MAX_JUSTIFICATION } from './pim-body.js';

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
