import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApprovalStepView, ApprovalView } from '../../app/pim/approvals.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { armScopePrefix, type ArmPath } from './arm-path.js';

// Approvals of resource-role activations in Azure's shape (ADR 0044): `roleAssignmentApprovals`
// (Azure REST 2021-01-01-preview), the approval's id being the request's. A stage is decided with
// `PUT …/roleAssignmentApprovals/{id}/stages/{stageId}` through the same use case as Graph's
// directory-role approvals (nobody approves their own request, applications never approve, 409 when
// decided), for resource-role requests only.

const AUTH = '/providers/Microsoft.Authorization/roleAssignmentApprovals';
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `{"properties":{"reviewResult":"Approve"|"Deny","justification"}}`, as Azure's stage PUT takes it. */
const stageBody = z.object({
  properties: z.object({
    reviewResult: z
      .string()
      .max(16)
      .refine(
        (v) => ['approve', 'deny'].includes(v.toLowerCase()),
        "reviewResult must be 'Approve' or 'Deny'",
      ),
    justification: z.string().max(500).nullable().optional(),
  }),
});

/** Azure's spelling of a stage's review result (its enum: Approve, Deny, NotReviewed). */
const REVIEW_RESULTS: Record<string, string> = { Approved: 'Approve', Denied: 'Deny' };

const stageJson = (scope: string, approvalId: string, v: ApprovalStepView) => ({
  id: `${armScopePrefix(scope)}${AUTH}/${approvalId}/stages/${v.step.id}`,
  name: v.step.id,
  type: 'Microsoft.Authorization/roleAssignmentApprovals/stages',
  properties: {
    displayName: null,
    status: v.status,
    reviewResult: REVIEW_RESULTS[v.step.reviewResult] ?? v.step.reviewResult,
    assignedToMe: v.assignedToMe,
    reviewedDateTime: iso(v.step.reviewedAt),
    reviewedBy: v.reviewedBy,
    justification: v.step.justification ?? null,
  },
});

const approvalJson = (scope: string, a: ApprovalView) => ({
  id: `${armScopePrefix(scope)}${AUTH}/${a.id}`,
  name: a.id,
  type: 'Microsoft.Authorization/roleAssignmentApprovals',
  properties: { stages: a.steps.map((v) => stageJson(scope, a.id, v)) },
});

/**
 * `GET …/roleAssignmentApprovals/{id}`, `GET …/{id}/stages[/{stageId}]` and
 * `PUT …/{id}/stages/{stageId}`. An approval the caller may not see is 404.
 * @throws NotFoundError, ValidationError, ForbiddenError, ApprovalStateError
 */
export async function armApprovalRoute(opts: BuildOptions, request: FastifyRequest, p: ArmPath) {
  const { services } = opts;
  const caller = callerOf(request);
  const shape = p.name !== null && (p.action === null || p.action.toLowerCase() === 'stages');
  if (!shape)
    throw new NotFoundError('The role assignment approval does not exist.', 'RoleAssignmentApprovalNotFound');
  const id = p.name as string;
  const stageOf = (a: ApprovalView) => {
    const stage = a.steps.find((v) => v.step.id === p.child?.toLowerCase());
    if (!stage)
      throw new NotFoundError('The approval stage does not exist.', 'RoleAssignmentApprovalStageNotFound');
    return stageJson(p.scope, a.id, stage);
  };
  if (request.method === 'PUT') {
    if (p.child === null)
      throw new ValidationError(
        'Only an approval stage is decided with PUT.',
        undefined,
        'InvalidRequestContent',
      );
    const parsed = stageBody.safeParse(request.body);
    if (!parsed.success)
      throw new ValidationError(
        `The request content is invalid: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')} ${i.message}`)
          .join('; ')}`,
        undefined,
        'InvalidRequestContent',
      );
    const { reviewResult, justification } = parsed.data.properties;
    await services.approvals.decide(
      caller,
      id,
      p.child,
      {
        reviewResult: reviewResult.toLowerCase() === 'approve' ? 'Approve' : 'Deny',
        justification: justification ?? null,
      },
      'resourceRole',
    );
    return stageOf(await services.approvals.get(caller, id, 'resourceRole'));
  }
  if (request.method !== 'GET')
    throw new ValidationError(
      'Approvals are read with GET and decided with PUT.',
      undefined,
      'InvalidRequestContent',
    );
  const approval = await services.approvals.get(caller, id, 'resourceRole');
  if (p.action === null) return approvalJson(p.scope, approval);
  if (p.child === null) return { value: approval.steps.map((v) => stageJson(p.scope, approval.id, v)) };
  return stageOf(approval);
}
