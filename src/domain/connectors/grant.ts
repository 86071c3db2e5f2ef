/**
 * A grant Elevate made (or is making) in a target: the record of ownership. Elevate revokes only
 * what it has such a record of (ADR 0030), and the record carries the times the effective-time
 * metrics are computed from.
 */
export interface TargetGrantRecord {
  id: string;
  tenantId: string;
  connectorId: string;
  mappingId: string;
  principalId: string;
  login: string;
  target: string;
  /**
   * `granting`: written before the target is asked (so a crash in between leaves an owned record
   * that the next reconcile finishes or takes back); `granted`: the target confirmed;
   * `revoked`: the target confirmed it is gone (history).
   */
  state: 'granting' | 'granted' | 'revoked';
  /**
   * The target already had this membership when Elevate first granted it (given by hand before):
   * Elevate then ends only its record at the end, never the membership it did not make.
   */
  adopted: boolean;
  /** The schedule that gave the access, when one did (null for standing group membership). */
  scheduleId: string | null;
  /** When the principal asked (the request's creation), if known. */
  requestedAt: number | null;
  /** When Elevate granted it: the schedule's start, or when it was created if later. */
  approvedAt: number | null;
  /** When the target confirmed the grant. */
  effectiveAt: number | null;
  /** When Elevate stopped holding it (the schedule's end, or when the reconciler saw it gone). */
  endedAt: number | null;
  /** When the target confirmed the revoke. */
  revokedAt: number | null;
  createdAt: number;
  version: number;
}

/** One holding Elevate wants in the target now: a principal's login in a mapping's target. */
export interface DesiredGrant {
  mappingId: string;
  principalId: string;
  login: string;
  target: string;
  scheduleId: string | null;
  /** The request that created the schedule, if any: `requestedAt` is read from it for new grants only. */
  requestId?: string | null;
  requestedAt: number | null;
  approvedAt: number | null;
}

/** A member of a target grant as the target lists it. */
export interface ActualGrant {
  target: string;
  login: string;
}

/** What a reconcile does, decided from desired, owned and actual (no I/O). */
export interface ReconcilePlan {
  /** Desired grants to make (new, unfinished, or repaired after drift). */
  grant: {
    desired: DesiredGrant;
    record: TargetGrantRecord | undefined;
    /** Confirmed before, missing now: removed outside Elevate. */
    drifted: boolean;
    /** No record yet and the target has it already: adopted, never revoked in the target. */
    adopt: boolean;
  }[];
  /**
   * Owned grants Elevate no longer holds. `inTarget` is false when another desired grant needs
   * the same target membership (two mappings to one role): only the record ends then.
   */
  revoke: { record: TargetGrantRecord; inTarget: boolean }[];
  /** Members of mapped targets that Elevate has no record of: access given outside Elevate. */
  unmanaged: ActualGrant[];
}

const pair = (target: string, login: string) => `${target}\u0000${login}`;
const keyOf = (g: { mappingId: string; principalId: string; target: string; login: string }) =>
  `${g.mappingId}\u0000${g.principalId}\u0000${pair(g.target, g.login)}`;

/**
 * Decides a reconcile. A desired grant without an owned record, with an unfinished one, or whose
 * confirmed membership is missing from the target (`drifted`: removed outside Elevate) is granted;
 * an owned record no longer desired is revoked; a membership of a mapped target that no record owns
 * is reported, never revoked.
 */
export function planReconcile(
  desired: readonly DesiredGrant[],
  owned: readonly TargetGrantRecord[],
  actual: readonly ActualGrant[],
  mappedTargets: readonly string[],
): ReconcilePlan {
  const present = new Set(actual.map((a) => pair(a.target, a.login)));
  const ownedByKey = new Map(owned.filter((r) => r.state !== 'revoked').map((r) => [keyOf(r), r]));
  const desiredKeys = new Set(desired.map(keyOf));
  const desiredPairs = new Set(desired.map((d) => pair(d.target, d.login)));
  const plan: ReconcilePlan = { grant: [], revoke: [], unmanaged: [] };
  for (const d of desired) {
    const record = ownedByKey.get(keyOf(d));
    const there = present.has(pair(d.target, d.login));
    if (record === undefined || record.state === 'granting' || !there)
      plan.grant.push({
        desired: d,
        record,
        drifted: record?.state === 'granted' && !there,
        adopt: record === undefined && there,
      });
  }
  for (const r of ownedByKey.values()) {
    if (desiredKeys.has(keyOf(r))) continue;
    plan.revoke.push({ record: r, inTarget: !r.adopted && !desiredPairs.has(pair(r.target, r.login)) });
  }
  const ownedPairs = new Set([...ownedByKey.values()].map((r) => pair(r.target, r.login)));
  const mapped = new Set(mappedTargets);
  for (const a of actual) {
    const p = pair(a.target, a.login);
    if (mapped.has(a.target) && !ownedPairs.has(p) && !desiredPairs.has(p)) plan.unmanaged.push(a);
  }
  return plan;
}

/**
 * The delay before the next attempt after `failures` failed reconciles in a row: doubling from
 * `baseMs`, capped at `maxMs`, so a target that is down is asked a bounded number of times.
 */
export function backoffMs(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
}
