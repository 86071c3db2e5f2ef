import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIVITIES } from './activities.js';
import { auditDraft, SYSTEM_INITIATOR } from './draft.js';
import { chainHash, entryFromPayload, entryPayload, GENESIS_HASH, hashedText, sealEntry } from './hash.js';
import { auditIndex, indexText } from './index-columns.js';

const draft = auditDraft({
  id: '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
  tenantId: '11111111-1111-4111-8111-111111111111',
  now: 1_700_000_000_000,
  activity: AUDIT_ACTIVITIES.userCreate,
  initiatedBy: SYSTEM_INITIATOR,
  targets: [],
});

describe('audit hashing', () => {
  it('starts the chain at 64 zeros', () => {
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
  });

  it('hashes SHA-256(prevHash ‖ canonical JSON) as lower-case hex', () => {
    const payload = '{"a":1}';
    const expected = createHash('sha256').update(`${GENESIS_HASH}${payload}`).digest('hex');
    expect(chainHash(GENESIS_HASH, payload)).toBe(expected);
  });

  it('puts seq in the hashed text and leaves prevHash and hash out', () => {
    const payload = entryPayload(draft, 7);
    const body = JSON.parse(payload) as Record<string, unknown>;
    expect(body.seq).toBe(7);
    expect(body).not.toHaveProperty('prevHash');
    expect(body).not.toHaveProperty('hash');
    expect(Object.keys(body)).toEqual([...Object.keys(body)].sort());
  });

  it('seals a draft after a previous hash, and reads the stored payload back to the same entry', () => {
    const first = sealEntry(draft, 1, GENESIS_HASH);
    const second = sealEntry({ ...draft, id: 'other' }, 2, first.entry.hash);
    expect(second.entry.prevHash).toBe(first.entry.hash);
    expect(second.entry.hash).toBe(chainHash(first.entry.hash, `${second.payload}\n${second.indexText}`));
    expect(entryFromPayload(first.payload, first.entry.prevHash, first.entry.hash)).toEqual(first.entry);
  });

  it('changes the hash when anything in the entry or its place changes', () => {
    const base = sealEntry(draft, 1, GENESIS_HASH).entry.hash;
    expect(sealEntry(draft, 2, GENESIS_HASH).entry.hash).not.toBe(base);
    expect(sealEntry(draft, 1, 'f'.repeat(64)).entry.hash).not.toBe(base);
    expect(sealEntry({ ...draft, resultReason: 'x' }, 1, GENESIS_HASH).entry.hash).not.toBe(base);
  });

  it('writes format 2: the payload says so, and the hash covers the query columns after a line feed', () => {
    const sealed = sealEntry(draft, 1, GENESIS_HASH);
    expect(JSON.parse(sealed.payload)).toMatchObject({ chainFormat: 2, seq: 1 });
    expect(sealed.entry.chainFormat).toBe(2);
    expect(sealed.indexText).toBe(indexText(auditIndex(draft)));
    expect(sealed.payload).not.toContain('\n');
    expect(hashedText(sealed.payload, sealed.indexText, 2)).toBe(`${sealed.payload}\n${sealed.indexText}`);
    // Format 1 (entries written before) hashes the payload alone, as it always did.
    expect(hashedText(sealed.payload, sealed.indexText, 1)).toBe(sealed.payload);
  });

  it.each([0, -1, 1.5])('refuses seq %s', (seq) => {
    expect(() => sealEntry(draft, seq, GENESIS_HASH)).toThrow(RangeError);
  });
});
