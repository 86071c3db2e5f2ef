import type { AuditDraft } from '../../domain/audit/entry.js';
import {
  principalKey,
  refusalKey,
  repeatedRefusalsDraft,
  type RepeatedRefusals,
} from '../../domain/audit/repeated-refusals.js';
import type { Clock } from '../../domain/time/clock.js';

/** One entry a transaction is about to append, and whether it is a refusal that may be summarised. */
export interface Candidate {
  draft: AuditDraft;
  refusal: boolean;
}

/**
 * What to append in one transaction, and what to do once it is over: `settle(true)` after commit
 * (the left-out refusals are counted, the summaries are done), `settle(false)` after a rollback
 * (nothing is counted; the summaries' counts go back to be written later).
 */
export interface Admitted {
  drafts: AuditDraft[];
  settle: (committed: boolean) => void;
}

/** A principal's last refusal written in full, and the identical ones left out since. */
interface Window {
  principal: string;
  key: string;
  endsAt: number;
  /** The last identical refusal left out: what its summary names. */
  template: AuditDraft | undefined;
  repeated: RepeatedRefusals;
}

const NONE: RepeatedRefusals = { count: 0, firstAt: 0, lastAt: 0 };
const NOTHING = () => undefined;

function merge(a: RepeatedRefusals, b: RepeatedRefusals): RepeatedRefusals {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  return {
    count: a.count + b.count,
    firstAt: Math.min(a.firstAt, b.firstAt),
    lastAt: Math.max(a.lastAt, b.lastAt),
  };
}

/**
 * Repeated identical refusals, recorded once and then summarised (docs/adr/0017-aggregated-refusals.md).
 *
 * A refusal opens a window of `windowMs` for its principal. Identical refusals (same principal,
 * address, activity, targets, reason) inside it are left out of the log and counted; the window
 * closes — and one entry says "refused N more times between T1 and T2" — when the same principal
 * records anything else (the summary is appended just before it, in its transaction), or when
 * `due` finds it ended (the flush timer and shutdown). A principal has at most one open window.
 *
 * Counts are exact: a left-out refusal is counted only once its transaction committed; a summary
 * takes the count it writes out of its window and gives it back if its transaction rolls back; a
 * refusal that commits after its window closed is summarised by the next `due`. The state is this
 * process's memory: a crash loses the counts not yet summarised (at most one window's worth per
 * principal; the first refusal of each window is always in the log).
 */
export function makeRefusalWindows(deps: { windowMs: number; clock: Clock; newId: () => string }) {
  const open = new Map<string, Window>();
  /** Closed windows whose count is not yet written out. */
  const pending = new Set<Window>();

  /** Takes the window's count out for a summary written in this transaction (given back on rollback). */
  function summarise(w: Window, now: number, drafts: AuditDraft[], rollback: (() => void)[]) {
    pending.delete(w);
    if (w.repeated.count === 0 || w.template === undefined) return;
    const taken = w.repeated;
    w.repeated = NONE;
    drafts.push(repeatedRefusalsDraft(w.template, taken, deps.newId(), now));
    rollback.push(() => {
      w.repeated = merge(taken, w.repeated);
      if (open.get(w.principal) !== w) pending.add(w);
    });
  }

  function close(w: Window, now: number, drafts: AuditDraft[], rollback: (() => void)[]) {
    if (open.get(w.principal) === w) open.delete(w.principal);
    summarise(w, now, drafts, rollback);
  }

  /** Counts a left-out refusal whose transaction committed. */
  function count(w: Window, draft: AuditDraft, at: number) {
    w.repeated = merge(w.repeated, { count: 1, firstAt: at, lastAt: at });
    w.template = draft;
    if (open.get(w.principal) !== w) pending.add(w);
  }

  function settled(commit: (() => void)[], rollback: (() => void)[]) {
    return (committed: boolean) => {
      for (const f of committed ? commit : rollback) f();
    };
  }

  return {
    /** Decides which of one transaction's entries to append (the `now` is the entries' own). */
    admit(candidates: readonly Candidate[]): Admitted {
      // The usual transaction: no refusal in it, and no window open anywhere to close.
      if (open.size === 0 && !candidates.some((c) => c.refusal))
        return { drafts: candidates.map((c) => c.draft), settle: NOTHING };
      const drafts: AuditDraft[] = [];
      const commit: (() => void)[] = [];
      const rollback: (() => void)[] = [];
      for (const { draft, refusal } of candidates) {
        const now = draft.activityDateTime;
        const principal = principalKey(draft);
        const current = open.get(principal);
        const key = refusal ? refusalKey(draft) : undefined;
        if (current !== undefined && key === current.key && now < current.endsAt) {
          commit.push(() => count(current, draft, now));
          continue;
        }
        if (current !== undefined) close(current, now, drafts, rollback);
        drafts.push(draft);
        if (key === undefined) continue;
        const opened: Window = {
          principal,
          key,
          endsAt: now + deps.windowMs,
          template: undefined,
          repeated: NONE,
        };
        open.set(principal, opened);
        // Its first entry was not written after all: the window goes, unless others counted in it.
        rollback.push(() => {
          if (open.get(principal) === opened && opened.repeated.count === 0) open.delete(principal);
        });
      }
      return { drafts, settle: settled(commit, rollback) };
    },

    /** Closes the windows that ended by now (every window with `all`, at shutdown): their summaries. */
    due(all = false): Admitted {
      const now = deps.clock.now();
      const drafts: AuditDraft[] = [];
      const rollback: (() => void)[] = [];
      for (const w of [...open.values()]) if (all || w.endsAt <= now) close(w, now, drafts, rollback);
      for (const w of [...pending]) summarise(w, now, drafts, rollback);
      return { drafts, settle: settled([], rollback) };
    },

    /** Open windows and closed ones still owing a summary (for tests and metrics). */
    size(): number {
      return open.size + pending.size;
    },
  };
}

export type RefusalWindows = ReturnType<typeof makeRefusalWindows>;
