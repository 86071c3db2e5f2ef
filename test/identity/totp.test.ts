import { describe, expect, it } from 'vitest';
import { base32Encode, otpauthUri, totpCode, totpStepAt, verifyTotp } from '../../src/domain/authn/totp.js';

/** RFC 6238 appendix B, SHA-1 rows: the seed is the ASCII string "12345678901234567890". */
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1_111_111_109, '07081804'],
  [1_111_111_111, '14050471'],
  [1_234_567_890, '89005924'],
  [2_000_000_000, '69279037'],
  [20_000_000_000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('at T=%i s the 8-digit code is %s', (seconds, expected) => {
    expect(totpCode(RFC_SEED, totpStepAt(seconds * 1000), 8)).toBe(expected);
  });

  it.each(RFC_VECTORS)('at T=%i s the 6-digit code is the last six digits of %s', (seconds, expected) => {
    expect(totpCode(RFC_SEED, totpStepAt(seconds * 1000))).toBe(expected.slice(2));
  });

  it('base32 encodes like RFC 4648 (no padding)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Encode(RFC_SEED)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  const now = 1_111_111_111_000;
  const step = totpStepAt(now);
  const codeAt = (s: number) => totpCode(RFC_SEED, s);

  it('accepts the current step and one step either side, and says which matched', () => {
    for (const s of [step - 1, step, step + 1]) {
      expect(verifyTotp({ seed: RFC_SEED, code: codeAt(s), nowMs: now, lastUsedStep: null })).toEqual({
        ok: true,
        step: s,
      });
    }
  });

  it('refuses a code from 2 or 3 steps ago and 2 steps ahead', () => {
    for (const s of [step - 3, step - 2, step + 2]) {
      expect(verifyTotp({ seed: RFC_SEED, code: codeAt(s), nowMs: now, lastUsedStep: null })).toEqual({
        ok: false,
      });
    }
  });

  it('accepts a code once: its step, or any older one, is refused after use', () => {
    const first = verifyTotp({ seed: RFC_SEED, code: codeAt(step), nowMs: now, lastUsedStep: null });
    expect(first).toEqual({ ok: true, step });
    expect(verifyTotp({ seed: RFC_SEED, code: codeAt(step), nowMs: now, lastUsedStep: step })).toEqual({
      ok: false,
    });
    expect(verifyTotp({ seed: RFC_SEED, code: codeAt(step - 1), nowMs: now, lastUsedStep: step })).toEqual({
      ok: false,
    });
    expect(verifyTotp({ seed: RFC_SEED, code: codeAt(step + 1), nowMs: now, lastUsedStep: step })).toEqual({
      ok: true,
      step: step + 1,
    });
  });

  it.each(['', '12345', '1234567', 'abcdef', ' 12 34 '])('refuses a malformed code %j', (code) => {
    expect(verifyTotp({ seed: RFC_SEED, code, nowMs: now, lastUsedStep: null })).toEqual({ ok: false });
  });

  it('builds an otpauth URI authenticator apps understand', () => {
    const text = otpauthUri({ issuer: 'Elevate', account: 'ada@contoso.com', seed: RFC_SEED });
    expect(text.startsWith('otpauth://totp/Elevate:ada%40contoso.com?')).toBe(true);
    const uri = new URL(text);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      issuer: 'Elevate',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
