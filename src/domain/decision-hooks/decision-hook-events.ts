import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { addedProperties, updatedProperties, type PropertyValue } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';

const activity = (code: string, activityDisplayName: string, operationType: AuditActivity['operationType']) =>
  ({
    code,
    activityDisplayName,
    category: 'RoleManagement',
    operationType,
    loggedByService: 'Privileged Identity Management',
  }) as const satisfies AuditActivity;

/** Elevate's own activities for decision hooks; codes never change. */
export const DECISION_HOOK_ACTIVITIES = {
  create: activity('decisionHooks.hook.create', 'Add decision hook', 'Add'),
  update: activity('decisionHooks.hook.update', 'Update decision hook', 'Update'),
  delete: activity('decisionHooks.hook.delete', 'Remove decision hook', 'Delete'),
} as const;

/** A hook as its audit entries list it: never the secret, only whether it changed. */
export interface HookState {
  id: string;
  displayName: string;
  url: string;
  timeoutMs: number;
}

/** The URL without its query: a receiver may put a token there, and the audit log is kept for years. */
export const auditedHookUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search === '' ? '' : '?…'}`;
  } catch {
    return '';
  }
};

const properties = (h: HookState): PropertyValue[] => [
  ['DisplayName', h.displayName],
  ['Url', auditedHookUrl(h.url)],
  ['TimeoutInMilliseconds', h.timeoutMs],
];

const target = (h: HookState, modified: TargetResource['modifiedProperties']): TargetResource => ({
  id: h.id,
  displayName: h.displayName,
  type: 'Other',
  userPrincipalName: null,
  modifiedProperties: modified,
});

export const hookCreated = (h: HookState): DomainEvent => ({
  type: 'decisionHooks.hookCreated',
  audit: [
    { activity: DECISION_HOOK_ACTIVITIES.create, targets: [target(h, addedProperties(properties(h)))] },
  ],
});

export const hookUpdated = (before: HookState, after: HookState, secretChanged: boolean): DomainEvent => ({
  type: 'decisionHooks.hookUpdated',
  audit: [
    {
      activity: DECISION_HOOK_ACTIVITIES.update,
      targets: [
        target(
          after,
          updatedProperties(properties(before), properties(after), secretChanged ? ['Secret'] : []),
        ),
      ],
    },
  ],
});

export const hookDeleted = (h: HookState): DomainEvent => ({
  type: 'decisionHooks.hookDeleted',
  audit: [{ activity: DECISION_HOOK_ACTIVITIES.delete, targets: [target(h, [])] }],
});
