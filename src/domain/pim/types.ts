// The vocabulary of PIM schedule requests, schedules and instances (reference §1), in Graph's own
// words and casing, so that the store, the use cases and the Graph mappers share one set of names
// and no layer translates enum values twice. Times are epoch milliseconds (see `time/clock.ts`).

/**
 * Which kind of schedule a request creates or changes: `eligibility` (may activate) or
 * `assignment` (holds the role). Graph splits them into two entity sets,
 * `roleEligibilityScheduleRequests` and `roleAssignmentScheduleRequests`, with the same shape.
 */
export const SCHEDULE_KINDS = ['eligibility', 'assignment'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/**
 * What PIM can make someone eligible for or active in: directory roles, and membership or
 * ownership of a group (PIM for Groups, reference §4). Resource roles on a scope hierarchy are a
 * further target of the same engine (one adapter each, `app/pim/targets.ts`). A `group` target
 * keeps its access id (`member`/`owner`) where a role keeps its role id, and the group id where a
 * role keeps its directory scope. A `resourceRole` target (ADR 0029) is a role on the resource
 * hierarchy: its role id where a directory role keeps its id, its scope path where a directory role
 * keeps its directory scope.
 */
export const RESOURCE_TYPES = ['directoryRole', 'group', 'resourceRole'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** `privilegedAccessGroupRelationships`: what a PIM for Groups schedule grants in its group. */
export const GROUP_ACCESS_IDS = ['member', 'owner'] as const;
export type GroupAccessId = (typeof GROUP_ACCESS_IDS)[number];

/**
 * `unifiedRoleScheduleRequestActions` (reference §1.4) without `unknownFutureValue`, which is an
 * OData evolvability marker that no client may send: accepting it would create a request nobody can
 * evaluate.
 */
export const REQUEST_ACTIONS = [
  'adminAssign',
  'adminUpdate',
  'adminRemove',
  'selfActivate',
  'selfDeactivate',
  'adminExtend',
  'adminRenew',
  'selfExtend',
  'selfRenew',
] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/** The actions an administrator takes on someone's behalf; the others are the principal's own. */
export const ADMIN_ACTIONS: ReadonlySet<RequestAction> = new Set<RequestAction>([
  'adminAssign',
  'adminUpdate',
  'adminRemove',
  'adminExtend',
  'adminRenew',
]);

/**
 * `request.status` (reference §1.1). PascalCase strings, not an OData enum, so Graph clients compare
 * them literally (`$filter=status eq 'PendingApproval'`); we emit them exactly like this.
 */
export const REQUEST_STATUSES = [
  'Canceled',
  'Denied',
  'Failed',
  'Granted',
  'PendingAdminDecision',
  'PendingApproval',
  'PendingProvisioning',
  'PendingScheduleCreation',
  'Provisioned',
  'Revoked',
  'ScheduleCreated',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** `expirationPattern.type` (reference §1.5). */
export const EXPIRATION_TYPES = ['notSpecified', 'noExpiration', 'afterDateTime', 'afterDuration'] as const;
export type ExpirationType = (typeof EXPIRATION_TYPES)[number];

/**
 * How a principal came to hold a schedule or instance: `Direct` (assigned to them), `Group`
 * (through a role-assignable group), `Inherited` (from a parent scope).
 */
export const MEMBER_TYPES = ['Direct', 'Group', 'Inherited'] as const;
export type MemberType = (typeof MEMBER_TYPES)[number];

/** Assignment schedules and instances only: made by an admin (`Assigned`) or by activation (`Activated`). */
export const ASSIGNMENT_TYPES = ['Assigned', 'Activated'] as const;
export type AssignmentType = (typeof ASSIGNMENT_TYPES)[number];

/**
 * `expirationPattern` as a request carries it, after parsing: `endDateTime` is epoch ms, `duration`
 * is still the ISO-8601 text (e.g. `PT8H`) so it can be echoed exactly as the client sent it.
 */
export interface RequestedExpiration {
  type: ExpirationType;
  endDateTime: number | null;
  duration: string | null;
}

/**
 * `requestSchedule` (`scheduleInfo`) after parsing. `startDateTime: null` means "now", as the
 * Entra-style client sends it. `recurrence` is absent because PIM does not support it.
 */
export interface RequestedSchedule {
  startDateTime: number | null;
  expiration: RequestedExpiration;
}

/**
 * When a schedule holds: the half-open interval `[start, end)` in epoch ms (DESIGN.md invariant 1).
 * `end: null` is permanent. Every "is this active?" question goes through `holds`.
 */
export interface Window {
  start: number;
  end: number | null;
}

/** `ticketInfo`. Graph echoes a request without a ticket as `{ticketNumber:null, ticketSystem:null}`. */
export interface TicketInfo {
  ticketNumber: string | null;
  ticketSystem: string | null;
}

/**
 * Who sends a request, as far as policy cares. The app layer derives it from the token:
 * - `kind`: a user token, or an application's client-credentials token;
 * - `isPrincipal`: the caller is the request's principal (for self actions through a group
 *   eligibility, the app decides membership and says `true`);
 * - `mfaSatisfied`: the token proves a recent MFA (`amr`/`auth_time`); ignored for apps, which
 *   cannot perform MFA;
 * - `acrs`: the authentication context claim values the token carries (e.g. `['c1']`).
 */
export interface RequestCaller {
  kind: 'user' | 'app';
  isPrincipal: boolean;
  mfaSatisfied: boolean;
  acrs: readonly string[];
}

/**
 * A schedule that already exists for the request's principal + role + scope, as policy needs to
 * see it. `assignmentType` is set for assignment schedules and absent for eligibility schedules.
 */
export interface ExistingSchedule {
  window: Window;
  assignmentType?: AssignmentType;
}
