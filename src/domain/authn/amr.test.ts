import { describe, expect, it } from 'vitest';
import { amrOf, passkeyMethod } from './amr.js';

describe('amrOf', () => {
  it.each([
    [['pwd'], ['pwd']],
    [
      ['pwd', 'otp'],
      ['pwd', 'otp', 'mfa'],
    ],
    [
      ['pwd', 'hwk'],
      ['pwd', 'hwk', 'mfa'],
    ],
    [
      ['pwd', 'swk'],
      ['pwd', 'swk', 'mfa'],
    ],
    [['hwk'], ['hwk', 'mfa']],
    [['swk'], ['swk', 'mfa']],
    [['otp'], ['otp']],
    [['pwd', 'pwd', 'mfa'], ['pwd']],
  ])('%j → %j', (methods, amr) => {
    expect(amrOf(methods)).toEqual(amr);
  });

  it('names a backed-up passkey swk and a device-bound one hwk', () => {
    expect(passkeyMethod(true)).toBe('swk');
    expect(passkeyMethod(false)).toBe('hwk');
  });
});
