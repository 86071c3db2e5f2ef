import type { AuditActivity } from '../audit/activities.js';
import type { AuditResult, KeyValue, TargetResource } from '../audit/entry.js';

/**
 * What the audit log says about an event: one entry each. Who made it, when, with which token and
 * request id are added by the recorder, so no use case assembles those by hand.
 */
export interface AuditRecord {
  activity: AuditActivity;
  targets: TargetResource[];
  additionalDetails?: KeyValue[];
  justification?: string | null;
  ticket?: string | null;
  result?: AuditResult;
  resultReason?: string;
}

/** A JSON object with no secrets: what consumers of a published event read. */
export type EventPayload = Record<string, unknown>;

/**
 * Something that happened, recorded by a use case in its own transaction (DESIGN.md invariant 3).
 * One place, the unit of work's event log, turns it into audit entries (`audit`, appended with one
 * `appendMany` per transaction) and, when `payload` is set, into an outbox message of `type` that
 * notifications and connectors consume after commit. Events are values: building one does no I/O.
 */
export interface DomainEvent {
  /** Stable name consumers subscribe to, `<feature>.<fact>`; never renamed once shipped. */
  type: EventType;
  audit: readonly AuditRecord[];
  /** Facts for consumers; `undefined` keeps the event in the audit log only. */
  payload?: EventPayload;
}

/**
 * Every event type, declared once. Consumers (notifications, connectors, reviews) subscribe by
 * these names, so a new one is added here, next to its siblings.
 */
export const EVENT_TYPES = [
  // directory
  'directory.userCreated',
  'directory.userUpdated',
  'directory.userDeleted',
  'directory.groupCreated',
  'directory.groupUpdated',
  'directory.groupDeleted',
  'directory.groupMemberAdded',
  'directory.groupMemberRemoved',
  // administrative units (ADR 0042)
  'directory.administrativeUnitCreated',
  'directory.administrativeUnitUpdated',
  'directory.administrativeUnitDeleted',
  'directory.administrativeUnitMemberAdded',
  'directory.administrativeUnitMemberRemoved',
  'directory.servicePrincipalCreated',
  'directory.servicePrincipalUpdated',
  'directory.servicePrincipalDeleted',
  'directory.credentialAdded',
  'directory.credentialRemoved',
  // roles and role settings
  'roles.definitionCreated',
  'roles.definitionUpdated',
  'roles.definitionDeleted',
  'roles.assignmentCreated',
  'roles.assignmentDeleted',
  'policies.policyUpdated',
  'policies.authenticationContextSaved',
  'policies.authenticationContextDeleted',
  // PIM
  'pim.requestAccepted',
  'pim.requestRefused',
  'pim.requestCanceled',
  'pim.approvalStepDecided',
  'pim.approvalCompleted',
  'pim.approvalTimedOut',
  'pim.approvalEscalated',
  'pim.approvalReminder',
  'pim.approvalHookDeferred',
  'pim.scheduleExpired',
  'pim.scheduleEndingSoon',
  'pim.activationEnded',
  // resource scopes and resource role definitions (ADR 0029)
  'resources.scopeCreated',
  'resources.scopeUpdated',
  'resources.scopeDeleted',
  'resources.roleDefinitionCreated',
  'resources.roleDefinitionUpdated',
  'resources.roleDefinitionDeleted',
  // notification channels (audit only) and the delivery log
  'notifications.emailChannelChanged',
  'notifications.emailChannelRemoved',
  'notifications.webhookCreated',
  'notifications.webhookUpdated',
  'notifications.webhookDeleted',
  'notifications.webhookSecretRotated',
  'notifications.deliveryRetried',
  // decision hooks (audit only)
  'decisionHooks.hookCreated',
  'decisionHooks.hookUpdated',
  'decisionHooks.hookDeleted',
  'notifications.chatChannelCreated',
  'notifications.chatChannelUpdated',
  'notifications.chatChannelDeleted',
  // PIM security alerts
  'alerts.configurationUpdated',
  'alerts.dismissed',
  'alerts.incidentsChanged',
  // break-glass accounts (ADR 0033)
  'breakGlass.accountMarked',
  'breakGlass.accountUnmarked',
  'breakGlass.accountUsed',
  'breakGlass.useJustified',
  // access reviews and users' managers
  'directory.managerChanged',
  'accessReviews.definitionCreated',
  'accessReviews.definitionUpdated',
  'accessReviews.definitionDeleted',
  'accessReviews.instanceCreated',
  'accessReviews.decisionRecorded',
  'accessReviews.decisionsReset',
  'accessReviews.instanceCompleted',
  'accessReviews.decisionsApplied',
  'accessReviews.reminderSent',
  // connectors (ADR 0030): configuration (audit only), grants and revokes in target systems, drift
  'connectors.connectorCreated',
  'connectors.connectorUpdated',
  'connectors.connectorDeleted',
  'connectors.mappingCreated',
  'connectors.mappingDeleted',
  'connectors.loginSet',
  'connectors.loginRemoved',
  'connectors.grantApplied',
  'connectors.grantRevoked',
  'connectors.driftRepaired',
  'connectors.unmanagedGrantFound',
  'connectors.targetUnreachable',
  'scim.clientCreated',
  'scim.clientDeleted',
  // Shared Signals streams (ADR 0040): configuration (audit only)
  'ssf.streamCreated',
  'ssf.streamUpdated',
  'ssf.streamDeleted',
  'ssf.streamVerificationRequested',
  // sign-in and authentication methods
  'signIn.succeeded',
  'signIn.failed',
  'signIn.recoveryCodeUsed',
  'signIn.methodChanged',
  'federation.linked',
  'federation.groupMembershipSynced',
  // the audit log itself, the system
  'audit.pruned',
  'system.tenantProvisioned',
  'authorization.denied',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
