/** Graph's `accessReviewInstance.status` values Elevate uses. */
export type InstanceStatus = 'NotStarted' | 'InProgress' | 'Completed' | 'Applying' | 'Applied';
/** What a reviewer decides; `NotReviewed` until someone does. */
export type ReviewDecision = 'Approve' | 'Deny' | 'DontKnow' | 'NotReviewed';
export type Recommendation = 'Approve' | 'Deny' | 'NotAvailable';
/** `None`: non-responders' items stay `NotReviewed` (Graph's default). */
export type DefaultDecision = 'Approve' | 'Deny' | 'Recommendation' | 'None';
/** Graph's `accessReviewInstanceDecisionItem.applyResult`. */
export type ApplyResult =
  | 'New'
  | 'AppliedSuccessfully'
  | 'AppliedWithUnknownFailure'
  | 'AppliedSuccessfullyButObjectNotFound'
  | 'ApplyNotSupported';

export const REVIEWER_DECISIONS = ['Approve', 'Deny', 'DontKnow'] as const;

/** One role in a review's scope, and which of its schedules are reviewed. */
export interface RoleInScope {
  roleDefinitionId: string;
  eligible: boolean;
  active: boolean;
}

/** What a definition reviews: the roles (several is Elevate's extension) and which principals. */
export interface ReviewScope {
  roles: RoleInScope[];
  principalTypes: ('user' | 'group' | 'servicePrincipal')[];
}

/** Who reviews: specific users, group members, or the principal's manager. None = self-review. */
export type Reviewer =
  { kind: 'user'; id: string } | { kind: 'group'; id: string; transitive: boolean } | { kind: 'manager' };

export interface RecurrencePattern {
  type: 'daily' | 'weekly' | 'absoluteMonthly' | 'absoluteYearly';
  interval: number;
}

export interface RecurrenceRange {
  type: 'noEnd' | 'endDate' | 'numbered';
  /** Epoch ms of the start date (00:00 UTC). */
  startDate: number;
  /** Epoch ms of the end date (00:00 UTC), for `endDate`. */
  endDate: number | null;
  numberOfOccurrences: number;
}

export interface ReviewSettings {
  mailNotificationsEnabled: boolean;
  reminderNotificationsEnabled: boolean;
  justificationRequiredOnApproval: boolean;
  defaultDecisionEnabled: boolean;
  defaultDecision: DefaultDecision;
  instanceDurationInDays: number;
  autoApplyDecisionsEnabled: boolean;
  recommendationsEnabled: boolean;
  recommendationLookBackDurationMs: number;
  /** `null` pattern: a one-time review on the range's start date. */
  recurrence: { pattern: RecurrencePattern | null; range: RecurrenceRange };
}

/** An `accessReviewScheduleDefinition` as Elevate keeps it. */
export interface ReviewDefinition {
  id: string;
  tenantId: string;
  displayName: string;
  descriptionForAdmins: string | null;
  descriptionForReviewers: string | null;
  scope: ReviewScope;
  reviewers: Reviewer[];
  fallbackReviewers: Reviewer[];
  settings: ReviewSettings;
  createdBy: { id: string; displayName: string | null; userPrincipalName: string | null };
  createdAt: number;
  modifiedAt: number;
  version: number;
}

export interface ReviewInstance {
  id: string;
  tenantId: string;
  definitionId: string;
  periodStart: number;
  startAt: number;
  endAt: number;
  /** As stored: `NotStarted` until completion is recorded; read it through `instanceStatusAt`. */
  status: InstanceStatus;
  completedAt: number | null;
  appliedAt: number | null;
  version: number;
}

export interface DecisionItem {
  id: string;
  tenantId: string;
  instanceId: string;
  principalId: string;
  principalType: 'user' | 'group' | 'servicePrincipal';
  roleDefinitionId: string;
  directoryScopeId: string;
  scheduleKind: 'eligibility' | 'assignment';
  scheduleId: string;
  recommendation: Recommendation;
  lastActivationAt: number | null;
  decision: ReviewDecision;
  justification: string | null;
  reviewedBy: string | null;
  reviewedAt: number | null;
  applyResult: ApplyResult;
  appliedBy: string | null;
  appliedAt: number | null;
  version: number;
}

/**
 * An instance's status at `now`: what is recorded (completion, applying, applied) wins; before
 * that, the clock decides (DESIGN.md invariant 2: a read never waits for the job).
 */
export function instanceStatusAt(
  i: Pick<ReviewInstance, 'status' | 'startAt' | 'endAt'>,
  now: number,
): InstanceStatus {
  if (i.status !== 'NotStarted' && i.status !== 'InProgress') return i.status;
  if (now < i.startAt) return 'NotStarted';
  if (now < i.endAt) return 'InProgress';
  return 'Completed';
}

/** Whether the principal is the only reviewer a definition has: a self-review. */
export const isSelfReview = (d: Pick<ReviewDefinition, 'reviewers'>): boolean => d.reviewers.length === 0;
