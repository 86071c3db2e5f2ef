import type { PrincipalType } from '../directory/types.js';
import type {
  AssignmentType,
  ExpirationType,
  MemberType,
  RequestAction,
  RequestStatus,
  ScheduleKind,
  ResourceType,
  TicketInfo,
  Window,
} from './types.js';

/** `scheduleInfo` as a stored request keeps it: the resolved start and the expiration as asked. */
export interface StoredScheduleInfo {
  startDateTime: number;
  expiration: { type: ExpirationType; endDateTime: number | null; duration: string | null };
}

/** Who created a request: Graph's `createdBy` identity set, and what `cancel` compares against. */
export interface RequestCreator {
  kind: 'user' | 'app';
  /** The user's or service principal's object id. */
  id: string;
  /** For apps: the client id, which Graph shows as `createdBy.application.id`. */
  appId: string | null;
}

/**
 * A `unifiedRoleEligibilityScheduleRequest` / `unifiedRoleAssignmentScheduleRequest`: the record of
 * one ask, kept as history. Its `status` is what was decided when it was made (plus `Canceled`);
 * readers derive `Provisioned` from a `Granted` one whose start has passed (see `requestStatusAt`).
 */
export interface ScheduleRequest {
  id: string;
  tenantId: string;
  kind: ScheduleKind;
  /** What it grants; for `group` the role id is the access id and the scope the group id. */
  resourceType: ResourceType;
  action: RequestAction;
  status: RequestStatus;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  appScopeId: string | null;
  targetScheduleId: string | null;
  /** Activations: the eligibility schedule that allowed it. */
  activatedUsing: string | null;
  justification: string | null;
  ticketInfo: TicketInfo;
  /** `null` for removals and deactivations, as Graph answers them. */
  scheduleInfo: StoredScheduleInfo | null;
  createdAt: number;
  completedAt: number | null;
  createdBy: RequestCreator;
  approvalId: string | null;
  /**
   * While `PendingApproval`: when the current approval stage times out. From then on the request
   * reads `Denied` (see `requestStatusAt`), whether or not the sweeper recorded it.
   */
  approvalDeadline: number | null;
  customData: string | null;
  /** Never stored as true: a validation-only request is answered and forgotten. */
  isValidationOnly: boolean;
  version: number;
}

/**
 * Where a schedule comes from: made through PIM (`pim`), or a direct `unifiedRoleAssignment` of the
 * foundation (`direct`), which PIM shows as a permanent `Assigned`/`Direct` assignment.
 */
export type ScheduleOrigin = 'pim' | 'direct';

/**
 * A `unifiedRoleEligibilitySchedule` / `unifiedRoleAssignmentSchedule`: principal P is eligible for
 * (or holds) role R at scope S over `window`. One current-or-future schedule per principal, role,
 * scope and kind (the slot); ended ones stay as history for renewal, reviews and audit.
 */
export interface Schedule {
  id: string;
  tenantId: string;
  kind: ScheduleKind;
  /** What it grants; for `group` the role id is the access id and the scope the group id. */
  resourceType: ResourceType;
  origin: ScheduleOrigin;
  principalId: string;
  principalType: PrincipalType;
  roleDefinitionId: string;
  directoryScopeId: string;
  appScopeId: string | null;
  window: Window;
  /** As recorded (`Provisioned`, `Granted`, `Revoked`, `Canceled`, `Expired`); see `scheduleStatusAt`. */
  status: string;
  memberType: MemberType;
  /** Assignment schedules only. */
  assignmentType: AssignmentType | null;
  /** The request that created it. */
  createdUsing: string;
  /** Activations: the eligibility schedule used. */
  activatedUsing: string | null;
  /** The id its instance has while it holds (Entra's `…-1` / `…-1-e` at tenant scope). */
  instanceId: string;
  createdAt: number;
  modifiedAt: number;
  /** When the end was recorded (by the sweeper, or by a removal); `null` until then. */
  expiryRecordedAt: number | null;
  version: number;
}

/**
 * A `unifiedRoleAssignmentScheduleInstance` / `unifiedRoleEligibilityScheduleInstance`: a schedule
 * as it holds at the reader's `now`. Never stored; computed from schedules (invariant 2).
 */
export interface ScheduleInstance {
  id: string;
  tenantId: string;
  kind: ScheduleKind;
  resourceType: ResourceType;
  origin: ScheduleOrigin;
  principalId: string;
  principalType: PrincipalType;
  roleDefinitionId: string;
  directoryScopeId: string;
  appScopeId: string | null;
  /** `null` for direct assignments, as Graph shows them. */
  startDateTime: number | null;
  endDateTime: number | null;
  memberType: MemberType;
  assignmentType: AssignmentType | null;
  scheduleId: string;
  activatedUsing: string | null;
}

/** One slot: the key under which at most one current-or-future schedule exists. */
export interface SlotKey {
  tenantId: string;
  kind: ScheduleKind;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}

/**
 * A schedule as the instance it makes while it holds (invariant 2: instances are computed, never
 * stored). A direct assignment has no start, as Graph shows it.
 */
export const scheduleToInstance = (s: Schedule): ScheduleInstance => ({
  id: s.instanceId,
  tenantId: s.tenantId,
  kind: s.kind,
  resourceType: s.resourceType,
  origin: s.origin,
  principalId: s.principalId,
  principalType: s.principalType,
  roleDefinitionId: s.roleDefinitionId,
  directoryScopeId: s.directoryScopeId,
  appScopeId: s.appScopeId,
  startDateTime: s.origin === 'direct' ? null : s.window.start,
  endDateTime: s.window.end,
  memberType: s.memberType,
  assignmentType: s.assignmentType,
  scheduleId: s.id,
  activatedUsing: s.activatedUsing,
});
