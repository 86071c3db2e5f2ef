import type {
  DecisionItem,
  ReviewDefinition,
  ReviewInstance,
  ReviewScope,
} from '../../domain/access-reviews/types.js';

/** Users' managers (`/users/{id}/manager`), one per user. */
export interface ManagerStore {
  get(tenantId: string, userId: string): Promise<string | null>;
  set(tenantId: string, userId: string, managerId: string, now: number): Promise<void>;
  remove(tenantId: string, userId: string): Promise<boolean>;
  /** The managers of these users (users without one are absent). */
  managersOf(tenantId: string, userIds: readonly string[]): Promise<Map<string, string>>;
}

export interface ReviewDefinitionStore {
  insert(d: ReviewDefinition): Promise<void>;
  get(tenantId: string, id: string): Promise<ReviewDefinition | undefined>;
  /** Every definition of the tenant, oldest first. */
  list(tenantId: string): Promise<ReviewDefinition[]>;
  /** @throws ConflictError when another transaction saved it first. */
  update(d: ReviewDefinition, expectedVersion: number): Promise<void>;
  /** Deletes the definition with its instances and decision items. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface ReviewInstanceStore {
  /** @throws ConflictError when the period's instance exists already (another replica made it). */
  insert(i: ReviewInstance): Promise<void>;
  get(tenantId: string, id: string): Promise<ReviewInstance | undefined>;
  /** The definition's instances, newest period first. */
  listByDefinition(tenantId: string, definitionId: string): Promise<ReviewInstance[]>;
  /** Period starts the definition has instances for. */
  periodsOf(definitionId: string): Promise<Set<number>>;
  /** Instances whose completion is not recorded and whose end is at or before `now`. */
  endedUnrecorded(tenantId: string, now: number): Promise<ReviewInstance[]>;
  /** @throws ConflictError */
  update(i: ReviewInstance, expectedVersion: number): Promise<void>;
}

/** A decision item with the names the Graph shape shows. */
export interface NamedDecisionItem extends DecisionItem {
  principalDisplayName: string | null;
  principalUserPrincipalName: string | null;
  roleDisplayName: string | null;
  reviewedByDisplayName: string | null;
  reviewedByUserPrincipalName: string | null;
}

export interface DecisionItemStore {
  insertMany(items: readonly DecisionItem[]): Promise<void>;
  list(tenantId: string, instanceId: string): Promise<DecisionItem[]>;
  get(tenantId: string, instanceId: string, id: string): Promise<DecisionItem | undefined>;
  /** Items with names, for reading; `ids` narrows to those items. */
  named(tenantId: string, instanceId: string, ids?: readonly string[]): Promise<NamedDecisionItem[]>;
  /** @throws ConflictError */
  update(item: DecisionItem, expectedVersion: number): Promise<void>;
  /**
   * Sets `decision` on the instance's `NotReviewed` items (only those recommended `onlyRecommended`,
   * when given), as decided by Elevate at `at`; returns how many changed.
   */
  decideUndecided(
    tenantId: string,
    instanceId: string,
    decision: 'Approve' | 'Deny',
    onlyRecommended: 'Approve' | 'Deny' | null,
    at: number,
    justification: string,
  ): Promise<number>;
  /** Puts every item of the instance back to `NotReviewed`; returns how many changed. */
  resetAll(tenantId: string, instanceId: string): Promise<number>;
  /** Marks the instance's `Approve` items applied (nothing to change for them). */
  markApprovedApplied(tenantId: string, instanceId: string, by: string, at: number): Promise<number>;
}

/** One schedule a review covers, as read when its instance is created. */
export interface ScheduleInScope {
  scheduleId: string;
  scheduleKind: 'eligibility' | 'assignment';
  principalId: string;
  principalType: 'user' | 'group' | 'servicePrincipal';
  roleDefinitionId: string;
  directoryScopeId: string;
}

/** What instance creation reads: the schedules in scope and the principals' activation history. */
export interface ReviewFacts {
  /** Eligibilities and `Assigned` assignments of the roles that hold at `at`. */
  schedulesInScope(tenantId: string, scope: ReviewScope, at: number): Promise<ScheduleInScope[]>;
  /** The last activation (start of an `Activated` assignment) before `at` per `principal|role`. */
  lastActivations(tenantId: string, roleIds: readonly string[], at: number): Promise<Map<string, number>>;
}

declare module '../ports.js' {
  interface Stores {
    managers: ManagerStore;
    reviewDefinitions: ReviewDefinitionStore;
    reviewInstances: ReviewInstanceStore;
    reviewDecisions: DecisionItemStore;
    reviewFacts: ReviewFacts;
  }
}
