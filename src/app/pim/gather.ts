import type { PolicyRule } from '../../domain/policy/types.js';
import { PIM_ACTIONS, type SlotPick } from '../../domain/pim/actions.js';
import type {
  ExistingSchedule,
  MemberType,
  RequestAction,
  RequestedSchedule,
  ResourceType,
  ScheduleKind,
  TicketInfo,
  Window,
} from '../../domain/pim/types.js';
import { holds, isCurrentOrFuture } from '../../domain/pim/window.js';
import { BadRequestError } from '../../domain/shared/errors.js';
import type { Caller } from '../authorization/caller.js';
import type { PrincipalType } from '../../domain/directory/types.js';
import type { Stores } from '../ports.js';
import { TARGETS, type PimTarget } from './targets.js';
import { loadPrincipal, type PrincipalRef } from './principals.js';
import { memberGroupsAt } from '../directory/member-groups.js';
import type { Schedule, SlotKey } from '../../domain/pim/schedule.js';

/** The schedule request a use case evaluates: parsed and validated at the edge. */
export interface CreateScheduleRequest {
  kind: ScheduleKind;
  /**
   * What it grants, directory roles unless given. For `group`: `roleDefinitionId` is the access
   * id, `directoryScopeId` the group id.
   */
  resourceType?: ResourceType;
  action: RequestAction;
  /** Lower-case GUIDs (for groups the access id is `member` or `owner`). */
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  justification: string | null;
  ticketInfo: TicketInfo | null;
  scheduleInfo: RequestedSchedule | null;
  isValidationOnly: boolean;
  customData: string | null;
  /**
   * The request's id when the client names it (ARM's `PUT …/roleEligibilityScheduleRequests/{name}`
   * with a client-generated GUID); a new id otherwise. Two requests under one name collide on the
   * primary key, so an ARM retry can never make a second request (ADR 0029).
   */
  requestId?: string;
}

/** An eligibility that lets the caller activate: its own, or one of a group it is a member of. */
export interface UsableEligibility {
  schedule: Schedule;
  memberType: MemberType;
  /**
   * The version of the eligibility's slot when read: an activation takes that slot too, by
   * compare-and-set, so it cannot commit beside a concurrent removal of its eligibility.
   */
  slotVersion: number | null;
}

/** The slot of a schedule (its principal, role, scope and kind). */
export const slotOf = (s: Schedule): SlotKey => ({
  tenantId: s.tenantId,
  kind: s.kind,
  principalId: s.principalId,
  roleDefinitionId: s.roleDefinitionId,
  directoryScopeId: s.directoryScopeId,
});

/** The state a request is judged against, read in its transaction at `now`. */
export interface Gathered {
  /** What the request grants (the directory role), from its resource type's adapter. */
  role: PimTarget;
  principal: PrincipalRef;
  rules: PolicyRule[];
  slot: SlotKey;
  slotVersion: number | null;
  isPrincipal: boolean;
  eligibility: UsableEligibility | null;
  /** adminAssign/selfActivate: the slot's current or future holding (PIM or direct). */
  existing: Schedule | null;
  /** What update, extend, renew, remove, deactivate act on. */
  target: Schedule | null;
}

export const asExisting = (s: Schedule | null): ExistingSchedule | null =>
  s === null
    ? null
    : { window: s.window, ...(s.assignmentType === null ? {} : { assignmentType: s.assignmentType }) };

/** The slot's schedules an action may act on (see `SlotPick`). */
interface SlotState {
  current: Schedule | null;
  latest: Schedule | null;
  direct: Schedule | null;
}

/** The directory object a verified caller is: a user, or an application's service principal. */
const typeOf = (caller: Caller): PrincipalType => (caller.kind === 'app' ? 'servicePrincipal' : 'user');

const adminMade = (s: Schedule | null) => (s !== null && s.assignmentType !== 'Activated' ? s : null);

const PICKS: Record<SlotPick, (s: SlotState) => Schedule | null> = {
  currentOrDirect: (s) => s.current ?? s.direct,
  adminMadeCurrent: (s) => adminMade(s.current),
  adminMadeCurrentOrLatest: (s) => adminMade(s.current ?? s.latest),
  current: (s) => s.current,
  currentOrLatest: (s) => s.current ?? s.latest,
};

/**
 * Reads what the request needs: the target through its resource type's adapter (for a directory
 * role `RoleNotFound` if missing or disabled; a group principal must be role-assignable; for a
 * group `GroupNotFound`, `InvalidAccessId`), the
 * principal (`SubjectNotFound`), the target's policy rules, the slot and its
 * version, and what the action's row asks for (the eligibility, the existing holding or the target
 * schedule). For self actions by someone other than the principal nothing about the principal is
 * read: policy refuses them as `CallerIsNotPrincipal`, which reveals nothing about other people's
 * roles.
 * @throws BadRequestError RoleNotFound / GroupNotFound / InvalidAccessId / SubjectNotFound /
 *   Request_BadRequest
 */
export async function gather(
  tx: Stores,
  caller: Caller,
  cmd: CreateScheduleRequest,
  window: Window | null,
  now: number,
): Promise<Gathered> {
  const { tenantId } = caller;
  const action = PIM_ACTIONS[cmd.action];
  const adapter = TARGETS[cmd.resourceType ?? 'directoryRole'];
  const role = await adapter.lookup(tx, tenantId, cmd.roleDefinitionId, cmd.directoryScopeId);
  const isPrincipal = caller.id === cmd.principalId;
  // A caller acting on themself is of a known type: one lookup instead of up to three.
  const principal = await loadPrincipal(
    tx,
    tenantId,
    cmd.principalId,
    isPrincipal ? typeOf(caller) : undefined,
  );
  if (!principal) {
    if (!action.self) throw new BadRequestError('SubjectNotFound', 'The principal does not exist.');
  } else if (!action.self) {
    adapter.checkPrincipal(principal, cmd.directoryScopeId);
  }
  const slot: SlotKey = {
    tenantId,
    kind: cmd.kind,
    principalId: cmd.principalId,
    roleDefinitionId: role.id,
    directoryScopeId: cmd.directoryScopeId,
  };
  const known: PrincipalRef = principal ?? {
    id: cmd.principalId,
    type: typeOf(caller),
    displayName: null,
    userPrincipalName: null,
    isAssignableToRole: false,
  };
  const base: Gathered = {
    role,
    principal: known,
    rules: await adapter.rules(tx, tenantId, role, cmd.directoryScopeId),
    slot,
    slotVersion: await tx.schedules.slotVersion(slot),
    isPrincipal,
    eligibility: null,
    existing: null,
    target: null,
  };
  if (action.self && !isPrincipal) return base;

  const latest = (await tx.schedules.latestInSlot(slot, now)) ?? null;
  const state: SlotState = {
    latest,
    current: latest !== null && isCurrentOrFuture(latest.window, now) ? latest : null,
    direct: (await tx.schedules.directAssignment(slot)) ?? null,
  };
  const picked = PICKS[action.pick](state);
  return {
    ...base,
    ...(action.effect === 'create' ? { existing: picked } : { target: picked }),
    eligibility: action.needsEligibility
      ? await usableEligibility(
          tx,
          caller,
          role.id,
          adapter.coveringScopes(cmd.directoryScopeId),
          window?.start ?? now,
          now,
        )
      : null,
  };
}

/**
 * The eligibility the caller may activate with at `start`: its own or a group's it is a member of
 * (then the activation's `memberType` is `Group`), at the request's scope or — for resource roles
 * — at any scope above it (`coveringScopes`: segment boundaries, so `/a/b` covers `/a/b/c`, never
 * `/a/bc`). Among those holding at `start` the one ending
 * last wins, a direct one on a tie; if none holds then, the latest-ending current or future one is
 * returned so that policy can say why it does not cover the activation.
 */
async function usableEligibility(
  tx: Stores,
  caller: Caller,
  roleId: string,
  scopes: readonly string[],
  start: number,
  now: number,
): Promise<UsableEligibility | null> {
  const groups = await memberGroupsAt(tx, caller.tenantId, caller.id, now);
  const found = await tx.schedules.eligibilities(
    caller.tenantId,
    [caller.id, ...groups],
    roleId,
    scopes,
    now,
  );
  if (found.length === 0) return null;
  const rank = (s: Schedule): [number, number, number] => [
    holds(s.window, start) ? 1 : 0,
    s.window.end === null ? Number.MAX_SAFE_INTEGER : s.window.end,
    s.principalId === caller.id ? 1 : 0,
  ];
  const best = [...found].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
  })[0];
  if (best === undefined) return null;
  return {
    schedule: best,
    memberType: best.principalId === caller.id ? 'Direct' : 'Group',
    slotVersion: await tx.schedules.slotVersion(slotOf(best)),
  };
}
