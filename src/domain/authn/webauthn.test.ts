import { describe, expect, it } from 'vitest';
import { normalizeRecoveryCode, recoveryCodeHash, newRecoveryCode } from './recovery-codes.js';
import { challengeOf, singletonMethodId, userHandleOf } from './webauthn.js';

const clientData = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('challengeOf', () => {
  const challenge = 'q'.repeat(43);
  it.each([
    ['a webauthn.get client data', clientData({ type: 'webauthn.get', challenge }), challenge],
    ['no challenge', clientData({ type: 'webauthn.get' }), undefined],
    ['a non-string challenge', clientData({ challenge: 7 }), undefined],
    ['a challenge with foreign characters', clientData({ challenge: `${challenge}/+` }), undefined],
    ['a too short challenge', clientData({ challenge: 'abc' }), undefined],
    ['not JSON', Buffer.from('nope').toString('base64url'), undefined],
    ['null', clientData(null), undefined],
    ['too long', 'a'.repeat(5000), undefined],
  ])('%s', (_name, input, expected) => {
    expect(challengeOf(input)).toBe(expected);
  });
});

describe('recovery codes', () => {
  it('are four groups of four base32 characters, and differ', () => {
    const codes = Array.from({ length: 50 }, () => newRecoveryCode());
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    expect(new Set(codes).size).toBe(50);
  });

  it('hash the canonical form per user: case, spaces and dashes do not matter', () => {
    expect(normalizeRecoveryCode(' abcd-efgh ijkl-mnop ')).toBe('ABCDEFGHIJKLMNOP');
    const hash = recoveryCodeHash('u1', 'ABCD-EFGH-IJKL-MNOP');
    expect(recoveryCodeHash('u1', 'abcd efgh ijkl mnop')).toBe(hash);
    expect(recoveryCodeHash('u2', 'ABCD-EFGH-IJKL-MNOP')).not.toBe(hash);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('method ids', () => {
  it('are stable GUIDs per kind and user', () => {
    const id = singletonMethodId('softwareOath', 'u1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(singletonMethodId('softwareOath', 'u1')).toBe(id);
    expect(singletonMethodId('recoveryCodes', 'u1')).not.toBe(id);
    expect(userHandleOf('abc')).toBe('YWJj');
  });
});
