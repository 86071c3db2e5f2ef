/**
 * What one reconcile of a connector covers (ADR 0045). `full` compares every holder, owned record
 * and target member: at start, on the drift poll, after a configuration change, and whenever a
 * narrower run cannot vouch for its answer. `principals` compares only the named users, plus the
 * users whose schedules of the mapped sources started or ended after `changesSince` (the exact-time
 * starts and ends the reconciler's timer wakes it for).
 */
export type ReconcileScope =
  { kind: 'full' } | { kind: 'principals'; principalIds: readonly string[]; changesSince: number };

export const FULL_RECONCILE: ReconcileScope = { kind: 'full' };

/**
 * Above this many named users a run compares everything: one full read is cheaper than a query
 * listing that many ids, and it keeps every statement's parameters far below the databases' limits.
 */
export const MAX_SCOPED_PRINCIPALS = 500;

/** Longest id taken from an event's payload (ids are UUIDs; anything longer is not one). */
const MAX_ID_LENGTH = 64;

const idIn = (payload: Record<string, unknown>, key: string): string | null => {
  const v = payload[key];
  // Ids are stored lower-case (UUIDs); the stores compare them as they are.
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH ? v.toLowerCase() : null;
};

/** A user's id from the payload, when the payload says the principal is a user. */
const userNamed = (payload: Record<string, unknown>, idKey: string, typeKey: string): string[] | null => {
  const id = idIn(payload, idKey);
  return id !== null && payload[typeKey] === 'user' ? [id] : null;
};

/**
 * Whose holdings an event may have changed, by event type: the users an incremental reconcile
 * looks at. Null when the event cannot say (a group as the principal passes a role to all its
 * members; an unknown shape): the reconcile then compares everything.
 */
const READERS: readonly { prefix: string; users: (payload: Record<string, unknown>) => string[] | null }[] = [
  { prefix: 'pim.', users: (p) => userNamed(p, 'principalId', 'principalType') },
  { prefix: 'roles.assignment', users: (p) => userNamed(p, 'principalId', 'principalType') },
  { prefix: 'directory.groupMember', users: (p) => userNamed(p, 'memberId', 'memberType') },
  {
    prefix: 'directory.user',
    users: (p) => {
      const id = idIn(p, 'userId');
      return id === null ? null : [id];
    },
  },
];

/** The users whose holdings the event may have changed, or null: compare every holder. */
export function usersChangedBy(type: string, payload: Record<string, unknown>): string[] | null {
  const reader = READERS.find((r) => type.startsWith(r.prefix));
  return reader === undefined ? null : reader.users(payload);
}
