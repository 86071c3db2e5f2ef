// The refusal windows' bookkeeping: counts are exact whichever transactions commit or roll back,
// and in whichever order.
import { describe, expect, it } from 'vitest';
import { makeRefusalWindows, type Candidate } from '../../src/app/events/refusal-windows.js';
import { AUDIT_ACTIVITIES } from '../../src/domain/audit/activities.js';
import { auditDraft } from '../../src/domain/audit/draft.js';
import type { AuditDraft } from '../../src/domain/audit/entry.js';
import { ManualClock } from '../../src/domain/time/clock.js';

const T0 = 1_800_000_000_000;
const WINDOW = 60_000;

let ids = 0;
/** A refusal of `spId` (or its success, `refusal: false`) on user `target`, made at `now`. */
function attempt(
  now: number,
  o: { spId?: string; target?: string; refusal?: boolean; reason?: string } = {},
) {
  const draft = auditDraft({
    id: `id-${(ids += 1)}`,
    tenantId: 'tenant',
    now,
    activity: AUDIT_ACTIVITIES.userCreate,
    initiatedBy: {
      user: null,
      app: {
        appId: 'app',
        displayName: 'Loop',
        servicePrincipalId: o.spId ?? 'sp-1',
        servicePrincipalName: null,
        ipAddress: '10.0.0.7',
      },
    },
    targets: [
      {
        id: o.target ?? 'u-1',
        displayName: null,
        type: 'User',
        userPrincipalName: null,
        modifiedProperties: [],
      },
    ],
    ...(o.refusal === false ? {} : { result: 'failure' as const, resultReason: o.reason ?? 'not allowed' }),
  });
  return { draft, refusal: o.refusal !== false } satisfies Candidate;
}
const repeated = (drafts: AuditDraft[]) =>
  drafts.map((d) => Number(d.additionalDetails.find((x) => x.key === 'RepeatedRefusals')?.value ?? 0));

describe('refusal windows', () => {
  const setup = () => {
    const clock = new ManualClock(T0);
    return {
      clock,
      windows: makeRefusalWindows({ windowMs: WINDOW, clock, newId: () => `s-${(ids += 1)}` }),
    };
  };

  it('counts a left-out refusal only when its transaction committed', () => {
    const { clock, windows } = setup();
    const first = windows.admit([attempt(T0)]);
    expect(first.drafts).toHaveLength(1);
    first.settle(true);
    const rolledBack = windows.admit([attempt(T0 + 1)]);
    expect(rolledBack.drafts).toEqual([]);
    rolledBack.settle(false);
    windows.admit([attempt(T0 + 2)]).settle(true);
    clock.advance(WINDOW);
    const due = windows.due();
    expect(repeated(due.drafts)).toEqual([1]);
    due.settle(true);
    expect(windows.size()).toBe(0);
  });

  it('gives a summary whose transaction rolled back its count again, and writes it next time', () => {
    const { clock, windows } = setup();
    windows.admit([attempt(T0)]).settle(true);
    for (let i = 1; i <= 3; i += 1) windows.admit([attempt(T0 + i)]).settle(true);
    clock.advance(WINDOW);
    const failed = windows.due();
    expect(repeated(failed.drafts)).toEqual([3]);
    failed.settle(false);
    // Meanwhile another identical refusal: a new window (the old one ended), written in full.
    const next = windows.admit([attempt(clock.now())]);
    expect(next.drafts.map((d) => d.result)).toEqual(['failure']);
    next.settle(true);
    const again = windows.due();
    expect(repeated(again.drafts)).toEqual([3]);
    again.settle(true);
  });

  it('counts a refusal that commits after its window was closed, in the next summary', () => {
    const { clock, windows } = setup();
    windows.admit([attempt(T0)]).settle(true);
    windows.admit([attempt(T0 + 1)]).settle(true);
    const slow = windows.admit([attempt(T0 + 2)]); // left out, not yet committed
    // A different event closes the window meanwhile: its summary has the 1 committed so far.
    const different = windows.admit([attempt(T0 + 3, { refusal: false })]);
    expect(repeated(different.drafts)).toEqual([1, 0]);
    different.settle(true);
    slow.settle(true);
    clock.advance(1);
    const late = windows.due();
    expect(repeated(late.drafts)).toEqual([1]);
    late.settle(true);
    expect(windows.size()).toBe(0);
  });

  it('drops a window whose first entry rolled back, unless others were counted in it', () => {
    const { windows } = setup();
    const opener = windows.admit([attempt(T0)]);
    opener.settle(false);
    // Written in full again: the failed opener left no window behind.
    expect(windows.admit([attempt(T0 + 1)]).drafts).toHaveLength(1);

    const other = setup().windows;
    const opening = other.admit([attempt(T0, { spId: 'sp-2' })]);
    other.admit([attempt(T0 + 1, { spId: 'sp-2' })]).settle(true);
    opening.settle(false);
    const all = other.due(true);
    expect(repeated(all.drafts)).toEqual([1]);
  });

  it('keeps principals, targets and reasons apart', () => {
    const { windows } = setup();
    const out = [
      attempt(T0),
      attempt(T0, { spId: 'sp-2' }),
      attempt(T0, { target: 'u-2' }),
      attempt(T0, { target: 'u-2', reason: 'another reason' }),
      attempt(T0, { target: 'u-2', reason: 'another reason' }),
    ].map((a) => {
      const admitted = windows.admit([a]);
      admitted.settle(true);
      return admitted.drafts.map((d) => d.resultReason);
    });
    expect(out).toEqual([
      ['not allowed'],
      ['not allowed'],
      ['not allowed'], // sp-1's first window had nothing repeated: no summary
      ['another reason'],
      [],
    ]);
  });
});
