// Every skipped test says why: `describe(name, skipFor(reason), fn)` or `it(name, skipFor(reason), fn)`
// skips with the reason when there is one and runs when it is undefined; skip-reporter.ts (added to
// the default reporter in vitest.config.ts) lists the reasons in the run's summary.

declare module 'vitest' {
  interface TaskMeta {
    /** Why this test did not run in this run; listed in the summary by skip-reporter.ts. */
    skipReason?: string;
  }
}

/** Test options for `describe`/`it`: skip, saying why, when `reason` is a string; run when undefined. */
export function skipFor(reason: string | undefined): { skip: boolean; meta: { skipReason?: string } } {
  return reason === undefined ? { skip: false, meta: {} } : { skip: true, meta: { skipReason: reason } };
}
