import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORD_WORDS } from './common-passwords.js';
import { passwordProblem, passwordStems } from './password-rules.js';

const COMMON = /too common/;
const PATTERN = /keyboard pattern, a run of characters or a repetition/;

describe('passwordProblem', () => {
  it.each([
    ['password1234', COMMON],
    ['Password1234!', COMMON],
    ['PASSWORD1234!!', COMMON],
    ['P@ssw0rd2026', COMMON],
    ['p4ssw0rd!2026', COMMON],
    ['!!Password2026', COMMON],
    ['@dmin2026!!!', COMMON],
    ['Summer2026!!!', COMMON],
    ['Winter-2027-!', COMMON],
    ['Welcome#2027', COMMON],
    ['letmein12345', COMMON],
    ['iloveyou2026', COMMON],
    ['Elevate2026!!', COMMON],
    ['changeme1234', COMMON],
    ['passwordpassword', COMMON],
    ['AdminAdmin123', COMMON],
    ['Liverpool1892', COMMON],
    ['qwerty123456', COMMON],
    ['qwertyuiop12', COMMON],
    ['ertyuiopasdf', PATTERN],
    ['wertyuiop123', PATTERN],
    ['123456789012', PATTERN],
    ['098765432109', PATTERN],
    ['1q2w3e4r5t6y', PATTERN],
    ['1qaz2wsx3edc', PATTERN],
    ['zxcvbnm,./12', COMMON],
    ['xcvbnm,./123', PATTERN],
    ['abcdefghijkl', PATTERN],
    ['aaaaaaaaaaaa', PATTERN],
    ['abcabcabcabc', COMMON],
    ['pqrpqrpqrpqr', PATTERN],
    ['121212121212', PATTERN],
    ['Aa1!Aa1!Aa1!', PATTERN],
    ['short1!', /at least 12 characters/],
    ['x'.repeat(257), /at most 256 characters/],
  ])('refuses %j', (password, problem) => {
    expect(passwordProblem(password)).toMatch(problem);
  });

  it.each([
    'correct horse battery staple 42',
    'a much better passphrase',
    'xWwvJ]6NMw+bWH-d',
    'Another-Secret-Pass-1',
    'Tr0ub4dor&3-extra',
    'plum orbit velvet canyon',
    'kL9#vR2!mQ7$',
  ])('accepts %j', (password) => {
    expect(passwordProblem(password)).toBeNull();
  });

  it("refuses a password built on the user's own name, and says so", () => {
    const context = { userPrincipalName: 'ada.lovelace@contoso.com', displayName: 'Ada Lovelace' };
    expect(passwordProblem('Lovelace-1815!', context)).toBe(
      "This password contains the user's name; choose another.",
    );
    expect(passwordProblem('AdaLovelace1815', context)).toMatch(/user's name/);
    expect(passwordProblem('Lovelace-1815!')).toBeNull();
  });

  it('never repeats the password or part of it in the message', () => {
    for (const password of ['Password1234!', 'qwertyuiop12', 'Lovelace-1815!']) {
      const message = passwordProblem(password, { userPrincipalName: 'lovelace@contoso.com' }) ?? '';
      expect(message.toLowerCase()).not.toContain('password1234');
      expect(message.toLowerCase()).not.toContain('qwerty');
      expect(message.toLowerCase()).not.toContain('lovelace');
    }
  });
});

describe('passwordStems', () => {
  it.each([
    ['Password1234!', ['password']],
    ['P@ssw0rd-2026', ['password']],
    ['@dmin2026', ['dmin', 'admin']],
    ['correct horse 42', ['correcthorse']],
  ])('%j → %j', (password, stems) => {
    expect(passwordStems(password)).toEqual(stems);
  });
});

describe('the shipped list', () => {
  it('holds hundreds of lower-case words, the product and the usual suspects among them', () => {
    expect(COMMON_PASSWORD_WORDS.size).toBeGreaterThan(500);
    for (const word of ['password', 'welcome', 'letmein', 'qwerty', 'summer', 'elevate', 'admin']) {
      expect(COMMON_PASSWORD_WORDS.has(word)).toBe(true);
    }
    for (const word of COMMON_PASSWORD_WORDS) expect(word).toMatch(/^[a-z]+$/);
  });
});
