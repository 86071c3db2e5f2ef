import { describe, expect, it } from 'vitest';
import { lookAlikeProblem, scriptsOf } from './look-alike-names.js';

describe('lookAlikeProblem', () => {
  it.each([
    ['plain ASCII', 'adele.vance@contoso.test'],
    ['digits, dash and underscore', 'a_b-9@sub-1.contoso.test'],
    ['a Cyrillic local part on a Latin domain', 'иван.петров@contoso.test'],
    ['Greek alone', 'αλέξης@contoso.test'],
    ['Latin with accents and combining marks', 'zoe\u0301.muller@müller.test'],
    ['Japanese (Han, Hiragana, Katakana and Latin)', '山田たろうタロウtaro@contoso.test'],
    ['Korean with Latin', '김민준kim@contoso.test'],
    ['an emoji pair (no letters)', 'x🔥@contoso.test'],
  ])('allows %s', (_name, upn) => {
    expect(lookAlikeProblem(upn)).toBeNull();
  });

  it.each([
    ['a zero-width space', 'ad\u200bmin@contoso.test', 'U+200B'],
    ['a zero-width joiner', 'admin\u200d@contoso.test', 'U+200D'],
    ['a left-to-right mark', 'admin@contoso\u200e.test', 'U+200E'],
    ['a right-to-left mark', '\u200fadmin@contoso.test', 'U+200F'],
    ['a word joiner', 'adm\u2060in@contoso.test', 'U+2060'],
    ['a byte-order mark', '\ufeffadmin@contoso.test', 'U+FEFF'],
    ['a right-to-left override', 'admin\u202e@contoso.test', 'U+202E'],
    ['a first-strong isolate', 'admin\u2068@contoso.test', 'U+2068'],
    ['a soft hyphen', 'ad\u00adm@contoso.test', 'U+00AD'],
    ['a control character', 'ad\u0007m@contoso.test', 'U+0007'],
  ])('refuses %s', (_name, upn, code) => {
    expect(lookAlikeProblem(upn)).toBe(`must not contain invisible characters (found ${code}).`);
  });

  it.each([
    ['a Cyrillic а in a Latin local part', '\u0430dmin@contoso.test', 'Cyrillic, Latin'],
    ['a Cyrillic о in a Latin domain label', 'admin@c\u043entoso.test', 'Cyrillic, Latin'],
    ['a Greek ο in a Latin local part', 'r\u03bfot@contoso.test', 'Greek, Latin'],
    ['Greek with Cyrillic', '\u03b1\u0431@contoso.test', 'Cyrillic, Greek'],
    ['Latin with Hangul and Hiragana (no one writes that)', 'a김た@contoso.test', 'Hangul, Hiragana, Latin'],
  ])('refuses %s', (_name, upn, scripts) => {
    expect(lookAlikeProblem(upn)).toBe(
      `mixes scripts (${scripts}) in one part; ` +
        'letters that look alike across scripts could make it pass for another name.',
    );
  });

  it('judges each label on its own: scripts may differ from one part to the next', () => {
    expect(lookAlikeProblem('иван@contoso.рф')).toBeNull();
    expect(lookAlikeProblem('ivan.иван@contoso.test')).toBeNull();
    expect(lookAlikeProblem('ivanиван@contoso.test')).not.toBeNull();
  });

  it('gives no script to digits, marks and punctuation', () => {
    expect([...scriptsOf('a1-\u0301_')]).toEqual(['Latin']);
    expect([...scriptsOf('12-_')]).toEqual([]);
  });
});
