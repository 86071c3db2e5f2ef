import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIVITIES } from './activities.js';
import { auditDraft, SYSTEM_INITIATOR } from './draft.js';
import {
  auditIndex,
  indexField,
  indexMismatch,
  indexText,
  joinIndexText,
  targetIndexText,
  type AuditIndex,
} from './index-columns.js';

const draft = auditDraft({
  id: '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
  tenantId: '11111111-1111-4111-8111-111111111111',
  now: 1_700_000_000_000,
  activity: AUDIT_ACTIVITIES.userUpdate,
  initiatedBy: SYSTEM_INITIATOR,
  targets: [
    { id: 'b', displayName: 'Bea', type: 'User', userPrincipalName: null, modifiedProperties: [] },
    { id: 'a', displayName: null, type: 'Group', userPrincipalName: null, modifiedProperties: [] },
    { id: 'b', displayName: 'again', type: 'User', userPrincipalName: null, modifiedProperties: [] },
    { id: null, displayName: 'not created', type: 'User', userPrincipalName: null, modifiedProperties: [] },
  ],
});

describe('audit query columns', () => {
  it('derives one target row per distinct non-null id, the first occurrence winning', () => {
    expect(auditIndex(draft).targets).toEqual([
      { id: 'b', type: 'User', displayName: 'Bea' },
      { id: 'a', type: 'Group', displayName: null },
    ]);
  });

  it('writes the text with targets sorted, so row order never matters', () => {
    const ix = auditIndex(draft);
    const reversed: AuditIndex = { ...ix, targets: [...ix.targets].reverse() };
    expect(indexText(reversed)).toBe(indexText(ix));
    const entryPart = indexText({ ...ix, targets: [] });
    expect(joinIndexText(entryPart, ix.targets.map(targetIndexText))).toBe(indexText(ix));
  });

  it.each<[string, (string | number | null)[], (string | number | null)[]]>([
    ['a separator moved between columns', ['a|;b', 'c'], ['a', 'b|;c']],
    ['an escape moved between columns', ['a|', ':b'], ['a|:', 'b']],
    ['null and its marker as text', [null, 'x'], ['|!', 'x']],
    ['empty and null', ['', 'x'], [null, 'x']],
  ])('never gives two column lists the same text: %s', (_name, a, b) => {
    const join = (values: (string | number | null)[]) => values.map(indexField).join('|;');
    expect(join(a)).not.toBe(join(b));
  });

  it('names the columns that differ from what the entry gives', () => {
    const ix = auditIndex(draft);
    const edited = indexText({
      ...ix,
      activityDisplayName: 'Delete | user',
      correlationId: 'x',
      targets: ix.targets.slice(1),
    });
    expect(indexMismatch(edited, ix)).toEqual(['activity_display_name', 'correlation_id', 'audit_targets']);
    expect(indexMismatch(indexText(ix), ix)).toEqual([]);
  });

  it('derives text as the database stores it (a lone surrogate becomes U+FFFD)', () => {
    const ix = auditIndex({ ...draft, correlationId: 'a\ud800b' });
    expect(ix.correlationId).toBe('a\ufffdb');
  });
});
