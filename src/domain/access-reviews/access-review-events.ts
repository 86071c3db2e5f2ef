import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { updatedProperties, userTarget } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { DecisionItem, ReviewDefinition, ReviewInstance } from './types.js';

const activity = (
  code: string,
  activityDisplayName: string,
  operationType: AuditActivity['operationType'],
  category = 'AccessReviews',
  loggedByService: AuditActivity['loggedByService'] = 'Access Reviews',
) =>
  ({ code, activityDisplayName, category, operationType, loggedByService }) as const satisfies AuditActivity;

/** Elevate's audit activities for access reviews and managers; codes never change once shipped. */
export const REVIEW_ACTIVITIES = {
  managerSet: activity('user.manager.set', 'Set user manager', 'Update', 'UserManagement', 'Core Directory'),
  managerRemove: activity(
    'user.manager.remove',
    'Remove user manager',
    'Update',
    'UserManagement',
    'Core Directory',
  ),
  definitionCreate: activity('accessReviews.definition.create', 'Create access review', 'Add'),
  definitionUpdate: activity('accessReviews.definition.update', 'Update access review', 'Update'),
  definitionDelete: activity('accessReviews.definition.delete', 'Delete access review', 'Delete'),
  instanceCreate: activity('accessReviews.instance.create', 'Access review started', 'Add'),
  decisionRecord: activity('accessReviews.decision.record', 'Approve or deny decision', 'Update'),
  decisionsReset: activity('accessReviews.decision.reset', 'Reset access review decisions', 'Update'),
  instanceStop: activity('accessReviews.instance.stop', 'Stop access review', 'Update'),
  instanceComplete: activity('accessReviews.instance.complete', 'Access review ended', 'Update'),
  decisionsApply: activity('accessReviews.instance.apply', 'Apply decision', 'Update'),
  reminder: activity('accessReviews.instance.remind', 'Send reminder to reviewers', 'Update'),
} as const;

const reviewTarget = (
  id: string,
  displayName: string | null,
  props: TargetResource['modifiedProperties'] = [],
) =>
  ({ id, displayName, type: 'Other', userPrincipalName: null, modifiedProperties: props }) as TargetResource;

interface Named {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
}

/** A user's manager was set, changed or removed. */
export const managerChanged = (
  tenantId: string,
  user: Named,
  before: string | null,
  after: string | null,
): DomainEvent => ({
  type: 'directory.managerChanged',
  audit: [
    {
      activity: after === null ? REVIEW_ACTIVITIES.managerRemove : REVIEW_ACTIVITIES.managerSet,
      targets: [userTarget(user, updatedProperties([['Manager', before]], [['Manager', after]]))],
    },
  ],
  payload: { tenantId, userId: user.id, managerId: after, previousManagerId: before },
});

const definitionDetails = (d: ReviewDefinition) => [
  { key: 'Roles', value: d.scope.roles.map((r) => r.roleDefinitionId).join(',') },
  { key: 'AutoApplyDecisionsEnabled', value: String(d.settings.autoApplyDecisionsEnabled) },
  { key: 'InstanceDurationInDays', value: String(d.settings.instanceDurationInDays) },
];

export const definitionCreated = (d: ReviewDefinition): DomainEvent => ({
  type: 'accessReviews.definitionCreated',
  audit: [
    {
      activity: REVIEW_ACTIVITIES.definitionCreate,
      targets: [reviewTarget(d.id, d.displayName)],
      additionalDetails: definitionDetails(d),
    },
  ],
});

export const definitionUpdated = (before: ReviewDefinition, after: ReviewDefinition): DomainEvent => ({
  type: 'accessReviews.definitionUpdated',
  audit: [
    {
      activity: REVIEW_ACTIVITIES.definitionUpdate,
      targets: [
        reviewTarget(
          after.id,
          after.displayName,
          updatedProperties(
            [
              ['DisplayName', before.displayName],
              ['Settings', before.settings],
              ['Reviewers', before.reviewers],
            ],
            [
              ['DisplayName', after.displayName],
              ['Settings', after.settings],
              ['Reviewers', after.reviewers],
            ],
          ),
        ),
      ],
      additionalDetails: definitionDetails(after),
    },
  ],
});

export const definitionDeleted = (d: ReviewDefinition): DomainEvent => ({
  type: 'accessReviews.definitionDeleted',
  audit: [{ activity: REVIEW_ACTIVITIES.definitionDelete, targets: [reviewTarget(d.id, d.displayName)] }],
});

export const instanceCreated = (d: ReviewDefinition, i: ReviewInstance, items: number): DomainEvent => ({
  type: 'accessReviews.instanceCreated',
  audit: [
    {
      activity: REVIEW_ACTIVITIES.instanceCreate,
      targets: [reviewTarget(i.id, d.displayName)],
      additionalDetails: [
        { key: 'AccessReviewDefinitionId', value: d.id },
        { key: 'DecisionItems', value: String(items) },
      ],
    },
  ],
  payload: {
    tenantId: d.tenantId,
    definitionId: d.id,
    instanceId: i.id,
    startDateTime: new Date(i.startAt).toISOString(),
    endDateTime: new Date(i.endAt).toISOString(),
    decisionItems: items,
  },
});

export const decisionRecorded = (
  d: ReviewDefinition,
  before: DecisionItem,
  after: DecisionItem,
): DomainEvent => ({
  type: 'accessReviews.decisionRecorded',
  audit: [
    {
      activity: REVIEW_ACTIVITIES.decisionRecord,
      targets: [
        reviewTarget(
          after.id,
          d.displayName,
          updatedProperties([['Decision', before.decision]], [['Decision', after.decision]]),
        ),
      ],
      additionalDetails: [
        { key: 'AccessReviewInstanceId', value: after.instanceId },
        { key: 'PrincipalId', value: after.principalId },
        { key: 'RoleDefinitionId', value: after.roleDefinitionId },
      ],
      justification: after.justification,
    },
  ],
});

export const decisionsReset = (d: ReviewDefinition, i: ReviewInstance, count: number): DomainEvent => ({
  type: 'accessReviews.decisionsReset',
  audit: [
    {
      activity: REVIEW_ACTIVITIES.decisionsReset,
      targets: [reviewTarget(i.id, d.displayName)],
      additionalDetails: [{ key: 'DecisionItems', value: String(count) }],
    },
  ],
});

/** The instance ended (at its end date or stopped); non-responders took the default decision. */
export const instanceCompleted = (
  d: ReviewDefinition,
  i: ReviewInstance,
  stopped: boolean,
  defaulted: number,
): DomainEvent => ({
  type: 'accessReviews.instanceCompleted',
  audit: [
    {
      activity: stopped ? REVIEW_ACTIVITIES.instanceStop : REVIEW_ACTIVITIES.instanceComplete,
      targets: [reviewTarget(i.id, d.displayName)],
      additionalDetails: [
        { key: 'AccessReviewDefinitionId', value: d.id },
        { key: 'DefaultDecisionsTaken', value: String(defaulted) },
      ],
    },
  ],
  payload: { tenantId: d.tenantId, definitionId: d.id, instanceId: i.id, stopped, defaulted },
});

export const decisionsApplied = (
  d: ReviewDefinition,
  i: ReviewInstance,
  results: Record<string, number>,
): DomainEvent => ({
  type: 'accessReviews.decisionsApplied',
  audit: [
    {
      activity: REVIEW_ACTIVITIES.decisionsApply,
      targets: [reviewTarget(i.id, d.displayName)],
      additionalDetails: Object.entries(results).map(([key, n]) => ({ key, value: String(n) })),
    },
  ],
  payload: { tenantId: d.tenantId, definitionId: d.id, instanceId: i.id, results },
});

/** A reminder to reviewers who have items left; the notifications feature mails them. */
export const reminderSent = (
  d: ReviewDefinition,
  i: ReviewInstance,
  reviewerIds: readonly string[],
): DomainEvent => ({
  type: 'accessReviews.reminderSent',
  audit: [
    {
      activity: REVIEW_ACTIVITIES.reminder,
      targets: [reviewTarget(i.id, d.displayName)],
      additionalDetails: [{ key: 'Reviewers', value: String(reviewerIds.length) }],
    },
  ],
  payload: {
    tenantId: d.tenantId,
    definitionId: d.id,
    instanceId: i.id,
    displayName: d.displayName,
    endDateTime: new Date(i.endAt).toISOString(),
    reviewerIds: reviewerIds.slice(0, 500),
    // Whether the reviewers are mailed (the governance mail consumer reads these).
    mailNotificationsEnabled: d.settings.mailNotificationsEnabled,
    reminderNotificationsEnabled: d.settings.reminderNotificationsEnabled,
  },
});
