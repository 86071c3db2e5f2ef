import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApprovalStepView, ApprovalView } from '../../app/pim/approvals.js';
import { isWithin } from '../../domain/resources/scope-path.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { scheduleRequestFields } from '../../odata/collections.js';
import { nextLink } from '../../odata/next-link.js';
import { callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { readCollectionQuery } from '../graph/query.js';
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

/** A list's `$filter` must be Azure's `asApprover()` (the only filter of approval lists). @throws ValidationError */
function requireAsApprover(raw: unknown): void {
  if (typeof raw === 'string' && /^\s*asApprover\(\)\s*$/i.test(raw)) return;
  throw new ValidationError(
    `The filter '${(typeof raw === 'string' ? raw : '').slice(0, 80)}' is not supported: list approvals with $filter=asApprover().`,
    '$filter',
    'InvalidFilterParameter',
  );
}

/**
 * `GET {scope}/…/roleAssignmentApprovals?$filter=asApprover()`: the approvals of resource-role
 * requests at the scope or below it that wait for the caller's decision now (the approvals use
 * case's approver inbox: a pending request whose current stage names the caller or one of its
 * groups, never the caller's own; empty for applications). ARM's `{value, nextLink}` paging with
 * `$top` (default 100) and `$skiptoken`.
 * @throws ValidationError `InvalidFilterParameter` without `asApprover()`
 */
async function listForApprover(opts: BuildOptions, request: FastifyRequest, p: ArmPath) {
  const { services, publicUrl } = opts;
  const caller = callerOf(request);
  const query = request.query as Record<string, unknown>;
  requireAsApprover(query['$filter']);
  const q = readCollectionQuery(
    {
      $top: typeof query['$top'] === 'string' ? query['$top'] : '100',
      ...(typeof query['$skiptoken'] === 'string' ? { $skiptoken: query['$skiptoken'] } : {}),
    },
    { fields: scheduleRequestFields },
  );
  const { page } = await services.scheduleRequests.filterByCurrentUser(
    caller,
    'assignment',
    'approver',
    q,
    'resourceRole',
  );
  const value = [];
  for (const r of page.items.filter((x) => isWithin(x.directoryScopeId, p.scope))) {
    value.push(approvalJson(p.scope, await services.approvals.get(caller, r.id, 'resourceRole')));
  }
  return {
    value,
    ...(page.hasMore ? { nextLink: nextLink(request.url, publicUrl, q.skip + page.items.length) } : {}),
  };
}

/**
 * `GET …/roleAssignmentApprovals?$filter=asApprover()` (the caller's pending approvals),
 * `GET …/roleAssignmentApprovals/{id}`, `GET …/{id}/stages[/{stageId}]` and
 * `PUT …/{id}/stages/{stageId}`. An approval the caller may not see is 404.
 * @throws NotFoundError, ValidationError, ForbiddenError, ApprovalStateError
 */
export async function armApprovalRoute(opts: BuildOptions, request: FastifyRequest, p: ArmPath) {
  const { services } = opts;
  const caller = callerOf(request);
  if (p.name === null && p.action === null && request.method === 'GET')
    return listForApprover(opts, request, p);
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
