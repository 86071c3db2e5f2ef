import type { AuditActivity } from '../audit/activities.js';
import { PIM_ACTIVITIES as A } from './activities.js';
import { evaluateAdminChange, evaluateAdminRemove } from './evaluate-admin.js';
import { evaluateSelfActivate, evaluateSelfDeactivate, evaluateSelfExtendOrRenew } from './evaluate-self.js';
import type { Evaluation, EvaluationInput } from './evaluation.js';
import type { RequestAction, ScheduleKind, Window } from './types.js';

/** Whether what a request asks for (or removes) has an end. */
export type Lasting = 'permanent' | 'timebound';

export const lastingOf = (window: Window | null | undefined): Lasting =>
  window === null || window === undefined || window.end === null ? 'permanent' : 'timebound';

/**
 * What a schedule request does to the slot's schedule once accepted: `create` a new one (the
 * request names it after itself), `change` the window of the one it targets, `end` the one it
 * targets at `now`, or `none` (it waits for an administrator).
 */
export type ScheduleEffect = 'create' | 'change' | 'end' | 'none';

/**
 * Which schedule of the slot an action is judged against, from what holds now or later
 * (`current`), the latest one whatever its state (`latest`), a direct (non-PIM) assignment
 * (`direct`), and whether an administrator made it (not `Activated`). For actions that create a
 * schedule it is what the new one would collide with; for the others, what they act on.
 */
export type SlotPick =
  'currentOrDirect' | 'adminMadeCurrent' | 'adminMadeCurrentOrLatest' | 'current' | 'currentOrLatest';

/** One PIM action, declared once: everything that differs between the nine lives in its row. */
export interface PimAction {
  /** The principal's own action (no admin permission needed; only the principal may take it). */
  self: boolean;
  /** Whether `scheduleInfo` asks for a window (removals and deactivations ignore it). */
  windowed: boolean;
  /** Reads the caller's usable eligibility (activations). */
  needsEligibility: boolean;
  /** What of the slot the request is judged against (see `SlotPick`). */
  pick: SlotPick;
  effect: ScheduleEffect;
  /** Judges the request against policy and state (pure; `isValidationOnly` runs exactly this). */
  evaluate(input: EvaluationInput): Evaluation;
  /** The audit activity of the ask (also of a refused one). */
  requested(kind: ScheduleKind, lasting: Lasting): AuditActivity;
  /** The entries of an accepted request, in order. */
  accepted(kind: ScheduleKind, status: string, lasting: Lasting): AuditActivity[];
  /** The entry for canceling it while granted or waiting. */
  canceled(kind: ScheduleKind, lasting: Lasting): AuditActivity;
}

const byKind = (eligibility: AuditActivity, assignment: AuditActivity) => (kind: ScheduleKind) =>
  kind === 'eligibility' ? eligibility : assignment;

const lastingByKind =
  (eligibility: Record<Lasting, AuditActivity>, assignment: Record<Lasting, AuditActivity>) =>
  (kind: ScheduleKind, lasting: Lasting) =>
    (kind === 'eligibility' ? eligibility : assignment)[lasting];

const assignRequested = lastingByKind(
  { permanent: A.eligibleRequestedPermanent, timebound: A.eligibleRequestedTimebound },
  { permanent: A.assignRequestedPermanent, timebound: A.assignRequestedTimebound },
);
const assignCompleted = lastingByKind(
  { permanent: A.eligibleCompletedPermanent, timebound: A.eligibleCompletedTimebound },
  { permanent: A.assignCompletedPermanent, timebound: A.assignCompletedTimebound },
);
const removeRequested = lastingByKind(
  { permanent: A.eligibleRemoveRequestedPermanent, timebound: A.eligibleRemoveRequestedTimebound },
  { permanent: A.removeRequestedPermanent, timebound: A.removeRequestedTimebound },
);
const removeCompleted = lastingByKind(
  { permanent: A.eligibleRemoveCompletedPermanent, timebound: A.eligibleRemoveCompletedTimebound },
  { permanent: A.removeCompletedPermanent, timebound: A.removeCompletedTimebound },
);
/** Canceling anything an administrator asked for. */
const adminCanceled = (kind: ScheduleKind, lasting: Lasting) =>
  kind === 'eligibility'
    ? lasting === 'permanent'
      ? A.eligibleCanceledPermanent
      : A.eligibleCanceledTimebound
    : A.assignCanceled;

/** An administrator's change to an existing schedule's window (update, extend, renew). */
const adminChange = (pick: SlotPick, requested: AuditActivity): PimAction => ({
  self: false,
  windowed: true,
  needsEligibility: false,
  pick,
  effect: 'change',
  evaluate: evaluateAdminChange,
  requested: () => requested,
  accepted: () => [requested],
  canceled: adminCanceled,
});

/** A principal's ask to extend or renew its schedule; an administrator settles it. */
const selfExtendOrRenew = (
  requested: (kind: ScheduleKind) => AuditActivity,
  canceled: (kind: ScheduleKind) => AuditActivity,
): PimAction => ({
  self: true,
  windowed: true,
  needsEligibility: false,
  pick: 'currentOrLatest',
  effect: 'none',
  evaluate: evaluateSelfExtendOrRenew,
  requested,
  accepted: (kind) => [requested(kind)],
  canceled,
});

/**
 * The nine actions of Graph's schedule requests. Display names are Entra's (`activityDisplayName
 * eq '…'` queries written for Entra work unchanged). The compiler rejects a missing action.
 */
export const PIM_ACTIONS: { readonly [A in RequestAction]: PimAction } = {
  adminAssign: {
    self: false,
    windowed: true,
    needsEligibility: false,
    pick: 'currentOrDirect',
    effect: 'create',
    evaluate: evaluateAdminChange,
    requested: assignRequested,
    accepted: (kind, _status, lasting) => [assignCompleted(kind, lasting)],
    canceled: adminCanceled,
  },
  adminUpdate: adminChange('adminMadeCurrent', A.updateRequested),
  adminExtend: adminChange('adminMadeCurrent', A.extendedOrRenewedByAdmin),
  adminRenew: adminChange('adminMadeCurrentOrLatest', A.extendedOrRenewedByAdmin),
  adminRemove: {
    self: false,
    windowed: false,
    needsEligibility: false,
    pick: 'currentOrDirect',
    effect: 'end',
    evaluate: evaluateAdminRemove,
    requested: removeRequested,
    accepted: (kind, _status, lasting) => [removeCompleted(kind, lasting)],
    canceled: adminCanceled,
  },
  selfActivate: {
    self: true,
    windowed: true,
    needsEligibility: true,
    pick: 'currentOrDirect',
    effect: 'create',
    evaluate: evaluateSelfActivate,
    requested: () => A.activationRequested,
    // As Entra logs activations: the ask, then its outcome.
    accepted: (_kind, status) =>
      status === 'PendingApproval'
        ? [A.activationRequested, A.activationApprovalRequested]
        : [A.activationRequested, A.activationCompleted],
    canceled: () => A.activationCanceled,
  },
  selfDeactivate: {
    self: true,
    windowed: false,
    needsEligibility: false,
    pick: 'current',
    effect: 'end',
    evaluate: evaluateSelfDeactivate,
    requested: () => A.deactivationRequested,
    accepted: () => [A.deactivationCompleted],
    canceled: adminCanceled,
  },
  selfExtend: selfExtendOrRenew(
    byKind(A.eligibleExtendRequested, A.extendRequested),
    byKind(A.eligibleExtendCanceled, A.extendCanceled),
  ),
  selfRenew: selfExtendOrRenew(
    byKind(A.eligibleRenewRequested, A.renewRequested),
    byKind(A.eligibleRenewCanceled, A.renewCanceled),
  ),
};

/** The row of an action; `undefined` for a value that is not one (bad input from JavaScript). */
export const pimAction = (action: RequestAction): PimAction | undefined =>
  Object.hasOwn(PIM_ACTIONS, action) ? PIM_ACTIONS[action] : undefined;

/**
 * `targetScheduleId` of a schedule request. A request that creates a schedule names the schedule
 * it creates (`newScheduleId`: the request id for directory roles, as Graph's examples show;
 * `{groupId}_{accessId}_{requestId}` for groups); one that changes an
 * existing schedule (update, extend, renew) names that schedule, since one schedule per principal,
 * role and scope is kept; a removal or deactivation has none (`null`, as Graph's adminRemove
 * example shows).
 */
export function targetScheduleIdFor(
  action: RequestAction,
  newScheduleId: string,
  existingScheduleId: string | null,
): string | null {
  switch (PIM_ACTIONS[action].effect) {
    case 'end':
      return null;
    case 'create':
      return newScheduleId;
    case 'change':
    case 'none':
      return existingScheduleId ?? newScheduleId;
  }
}
