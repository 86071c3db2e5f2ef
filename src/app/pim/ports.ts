import type { ApprovalDecision, ApprovalStep } from '../../domain/pim/approval.js';
import type { RequestStatus, ResourceType, ScheduleKind } from '../../domain/pim/types.js';
import type { Schedule, ScheduleInstance, ScheduleRequest, SlotKey } from '../../domain/pim/schedule.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Page } from '../ports.js';

/** Which requests a reader sees, on top of the OData query. All given conditions apply. */
export interface RequestView {
  /** `principalId = id`, or with `orCreatedBy` also the requests this id created. */
  principalId?: string;
  orCreatedBy?: boolean;
  status?: RequestStatus;
  roleDefinitionIds?: readonly string[];
  /** Excludes the requests of this principal (nobody approves their own). */
  notPrincipalId?: string;
  /**
   * Only requests pending approval whose current stage, not timed out at `now`, names this user
   * or one of these groups, or names nobody while `isDefaultApprover` (see `approvers.ts`).
   */
  approver?: { userId: string; groupIds: readonly string[]; isDefaultApprover: boolean };
}

/** Which schedules or instances a reader sees: all of the tenant's, or only these principals'. */
export interface ScheduleView {
  principalIds?: readonly string[];
}

export interface ScheduleRequestStore {
  insert(r: ScheduleRequest): Promise<void>;
  /** A request by id; of the resource type only, when one is given (the routes of each type do). */
  get(
    tenantId: string,
    kind: ScheduleKind,
    id: string,
    resourceType?: ResourceType,
  ): Promise<ScheduleRequest | undefined>;
  /**
   * Requests of the resource type (directory roles unless given) in the view; `now` decides which
   * `Granted` ones `status` filters see as `Provisioned`.
   */
  list(
    tenantId: string,
    kind: ScheduleKind,
    q: CollectionQuery,
    view: RequestView,
    now: number,
    resourceType?: ResourceType,
  ): Promise<Page<ScheduleRequest>>;
  /**
   * Sets the status (and `completedAt`) with compare-and-set on `version`.
   * @throws ConflictError when the stored version is no longer `expectedVersion`.
   */
  setStatus(r: ScheduleRequest, expectedVersion: number): Promise<void>;
  /**
   * Status, `completedAt`, `scheduleInfo` and `approvalDeadline`, with compare-and-set on `version`.
   * @throws ConflictError when the stored version is no longer `expectedVersion`.
   */
  update(r: ScheduleRequest, expectedVersion: number): Promise<void>;
  /** The slot's activation request still pending approval at `now`, if any. */
  pendingApproval(key: SlotKey, now: number): Promise<ScheduleRequest | undefined>;
  /**
   * Claims up to `limit` requests whose approval timed out by `now` and is not recorded yet: sets
   * status `Denied` and `completedAt` to the deadline where the status is still `PendingApproval`,
   * so of two sweepers each request goes to exactly one. Returns them as they were.
   */
  claimTimedOutApprovals(now: number, limit: number): Promise<ScheduleRequest[]>;
}

/** The stages of approvals (`approvalStep`), one row per stage plus its named approvers. */
export interface ApprovalStepStore {
  insert(steps: readonly ApprovalStep[]): Promise<void>;
  /** The approval's stages in order; empty when there is no such approval. */
  list(tenantId: string, approvalId: string): Promise<ApprovalStep[]>;
  /**
   * Status, decision and timing, with compare-and-set on `version` (two approvers deciding one
   * stage: one wins).
   * @throws ConflictError when the stored version is no longer `expectedVersion`.
   */
  update(step: ApprovalStep, expectedVersion: number): Promise<void>;
  /**
   * Records one approver's decision on a stage (each approver counts once).
   * @throws ConflictError when this approver already decided the stage (also under a race).
   */
  addDecision(stepId: string, decision: ApprovalDecision): Promise<void>;
  /**
   * Stages of pending requests whose escalation (or reminder) is due at `now` and not yet recorded,
   * oldest first.
   */
  dueNotices(kind: ApprovalNotice['kind'], now: number, limit: number): Promise<ApprovalNotice[]>;
  /**
   * Marks the notice recorded by compare-and-set on its unrecorded state: true for the one caller
   * that did, so two sweepers record each escalation and reminder once.
   */
  claimNotice(notice: ApprovalNotice, now: number): Promise<boolean>;
}

/** An escalation or reminder due on one stage. */
export interface ApprovalNotice {
  kind: 'escalation' | 'reminder';
  stepId: string;
  tenantId: string;
  approvalId: string;
}

export interface ScheduleStore {
  insert(s: Schedule): Promise<void>;
  /**
   * Window, status, `modifiedAt`, `expiryRecordedAt`; sets `version` to `expectedVersion + 1`.
   * @throws ConflictError when the stored version is no longer `expectedVersion`.
   */
  update(s: Schedule, expectedVersion: number): Promise<void>;
  /**
   * A PIM schedule by id (of the resource type only, when one is given; the routes of each type
   * give theirs), or for directory-role assignments a direct role assignment by its id.
   */
  get(
    tenantId: string,
    kind: ScheduleKind,
    id: string,
    resourceType?: ResourceType,
  ): Promise<Schedule | undefined>;
  /**
   * The slot's schedule that matters now: the current or future one if any, else the one that
   * ended last (for renewal). PIM schedules only.
   */
  latestInSlot(key: SlotKey, now: number): Promise<Schedule | undefined>;
  /** The direct (non-PIM) role assignment of the slot, as a schedule. Assignment kind only. */
  directAssignment(key: SlotKey): Promise<Schedule | undefined>;
  /**
   * Eligibility schedules of any of the principals for the role, at any of the scopes (the
   * request's scope, and for resource roles every scope above it: `TargetAdapter.coveringScopes`),
   * that hold now or later.
   */
  eligibilities(
    tenantId: string,
    principalIds: readonly string[],
    roleDefinitionId: string,
    scopeIds: readonly string[],
    now: number,
  ): Promise<Schedule[]>;
  /**
   * Current and future PIM schedules (both kinds) of the resource type at exactly this scope: what
   * ends when the resource is removed.
   */
  atScope(tenantId: string, resourceType: ResourceType, scopeId: string, now: number): Promise<Schedule[]>;
  /** Whether any current or future PIM schedule of the resource type grants this role. */
  anyForRole(
    tenantId: string,
    resourceType: ResourceType,
    roleDefinitionId: string,
    now: number,
  ): Promise<boolean>;
  /**
   * Assignment schedules of the resource type holding at `now` (`start <= now < end`) for any of
   * the principals at any of the scopes, any role: what a permission-level evaluation resolves.
   */
  holdingAtScopes(
    tenantId: string,
    principalIds: readonly string[],
    resourceType: ResourceType,
    scopeIds: readonly string[],
    now: number,
  ): Promise<Schedule[]>;
  /**
   * The directory-role assignment instance that holds at `now` for any of the principals (a user and the groups
   * it is a member of), role and scope: PIM assignments (`Assigned` or `Activated`) and direct
   * role assignments. One indexed lookup; the answer to "is P active in R at S now?" (AuthZEN,
   * `authorize`). Direct holdings come first, then the one ending last.
   */
  activeAssignment(
    tenantId: string,
    principalIds: readonly string[],
    roleDefinitionId: string,
    directoryScopeId: string,
    now: number,
  ): Promise<ScheduleInstance | undefined>;
  /**
   * Activations (`Activated` assignment schedules) made with this eligibility that hold now or
   * later: what must end when the eligibility is removed (an activation never outlives it).
   */
  activatedWith(tenantId: string, eligibilityId: string, now: number): Promise<Schedule[]>;
  /**
   * PIM for Groups: the groups in which the principal holds `accessId` (`member` or `owner`)
   * through a PIM assignment at `now` (`start <= now < end`).
   */
  activeGroupIds(tenantId: string, principalId: string, accessId: string, now: number): Promise<string[]>;
  /**
   * PIM for Groups: the groups whose membership the principal holds or may activate (any kind)
   * now or later: what "holds or may activate a privileged role" must look through.
   */
  heldOrEligibleGroupIds(tenantId: string, principalId: string, now: number): Promise<string[]>;
  /** Role ids the principals hold through PIM assignments at the tenant scope `/` at `now`. */
  activeRoleIds(tenantId: string, principalIds: readonly string[], now: number): Promise<string[]>;
  /**
   * Ends every current or future schedule of the principal at `now` (deleting the principal):
   * status `Revoked`, slots bumped so concurrent activations re-check. Returns how many ended.
   */
  endAllForPrincipal(tenantId: string, principalId: string, now: number): Promise<number>;
  /** Role ids the principals hold or may activate (any kind, any scope) now or later. */
  heldOrEligibleRoleIds(tenantId: string, principalIds: readonly string[], now: number): Promise<string[]>;
  /**
   * Current and future schedules of the resource type (directory roles unless given; for them
   * direct assignments too, for the assignment kind).
   */
  list(
    tenantId: string,
    kind: ScheduleKind,
    q: CollectionQuery,
    view: ScheduleView,
    now: number,
    resourceType?: ResourceType,
  ): Promise<Page<Schedule>>;
  /** Instances of the resource type (directory roles unless given) holding at `now`. */
  instances(
    tenantId: string,
    kind: ScheduleKind,
    q: CollectionQuery,
    view: ScheduleView,
    now: number,
    resourceType?: ResourceType,
  ): Promise<Page<ScheduleInstance>>;
  instance(
    tenantId: string,
    kind: ScheduleKind,
    id: string,
    now: number,
    resourceType?: ResourceType,
  ): Promise<ScheduleInstance | undefined>;
  /** The slot's version, or `null` when no schedule was ever written for it. */
  slotVersion(key: SlotKey): Promise<number | null>;
  /**
   * Compare-and-set on the slot: every write to a slot's schedules bumps it, so of two writers
   * that read the same version only one commits.
   * @throws ConflictError when the version moved (or the slot was created) since `expected`.
   */
  bumpSlot(key: SlotKey, expected: number | null): Promise<void>;
  /**
   * Claims up to `limit` PIM schedules whose window ended by `now` and whose end is not recorded:
   * sets `expiryRecordedAt = now` and status `Expired` where it is still unrecorded, so of two
   * sweepers each schedule goes to exactly one. Returns the claimed schedules as they were.
   */
  claimExpired(now: number, limit: number): Promise<Schedule[]>;
  /**
   * Claims up to `limit` running schedules whose end falls within their lead time from `now`
   * (`activationMs` for activations, `otherMs` for eligibilities and assignments an administrator
   * made; 0 turns a kind off) and whose current end was not announced yet: sets
   * `ending_soon_for_end_at = end` where it still differs, so of two sweepers each end is
   * announced once, and an extended end is announced again. Returns the claimed schedules.
   */
  claimEndingSoon(
    now: number,
    leads: { activationMs: number; otherMs: number },
    limit: number,
  ): Promise<Schedule[]>;
}

declare module '../ports.js' {
  interface Stores {
    /** PIM schedule requests (both kinds). */
    scheduleRequests: ScheduleRequestStore;
    /** PIM eligibility and assignment schedules, and the instances they make at a given time. */
    schedules: ScheduleStore;
    /** Stages of approvals of PIM activation requests. */
    approvalSteps: ApprovalStepStore;
  }
}
