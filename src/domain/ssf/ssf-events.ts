import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { addedProperties, updatedProperties, type PropertyValue } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import { eventsDelivered, type Stream } from './stream.js';

const activity = (code: string, activityDisplayName: string, operationType: AuditActivity['operationType']) =>
  ({
    code,
    activityDisplayName,
    category: 'RoleManagement',
    operationType,
    loggedByService: 'Privileged Identity Management',
  }) as const satisfies AuditActivity;

/** Elevate's own activities for Shared Signals streams (ADR 0040); codes never change. */
export const SSF_ACTIVITIES = {
  create: activity('ssf.stream.create', 'Add shared signals stream', 'Add'),
  update: activity('ssf.stream.update', 'Update shared signals stream', 'Update'),
  delete: activity('ssf.stream.delete', 'Remove shared signals stream', 'Delete'),
  verify: activity('ssf.stream.verify', 'Request shared signals stream verification', 'Update'),
} as const;

/** What the audit records of a stream: never the authorization header, only whether there is one. */
const properties = (s: Stream): PropertyValue[] => [
  ['Audience', s.audience],
  ['EndpointUrl', s.endpointUrl],
  ['EventsDelivered', eventsDelivered(s.eventsRequested)],
  ['Description', s.description],
  ['Status', s.status],
  ['StatusReason', s.statusReason],
  ['HasAuthorizationHeader', s.sealedAuthorization !== null],
];

const streamTarget = (s: Pick<Stream, 'id' | 'audience'>, modified: TargetResource['modifiedProperties']) =>
  ({
    id: s.id,
    displayName: s.audience.slice(0, 200),
    type: 'Other',
    userPrincipalName: null,
    modifiedProperties: modified,
  }) satisfies TargetResource;

export const streamCreated = (s: Stream): DomainEvent => ({
  type: 'ssf.streamCreated',
  audit: [{ activity: SSF_ACTIVITIES.create, targets: [streamTarget(s, addedProperties(properties(s)))] }],
});

export const streamUpdated = (before: Stream, after: Stream, authorizationChanged: boolean): DomainEvent => ({
  type: 'ssf.streamUpdated',
  audit: [
    {
      activity: SSF_ACTIVITIES.update,
      targets: [
        streamTarget(
          after,
          updatedProperties(
            properties(before),
            properties(after),
            authorizationChanged ? ['AuthorizationHeader'] : [],
          ),
        ),
      ],
    },
  ],
});

export const streamDeleted = (s: Stream): DomainEvent => ({
  type: 'ssf.streamDeleted',
  audit: [{ activity: SSF_ACTIVITIES.delete, targets: [streamTarget(s, [])] }],
});

/** A verification event was asked for (SSF §8.1.4): it is queued for the receiver, `state` echoed. */
export const streamVerificationRequested = (s: Stream, state: string | null): DomainEvent => ({
  type: 'ssf.streamVerificationRequested',
  audit: [
    {
      activity: SSF_ACTIVITIES.verify,
      targets: [streamTarget(s, state === null ? [] : addedProperties([['State', state]]))],
    },
  ],
});
