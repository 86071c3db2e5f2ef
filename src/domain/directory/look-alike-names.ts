/**
 * Names people read and trust (a userPrincipalName, a mailNickname) must not be able to pass for
 * another: `admin@contoso.com` with a zero-width space, or with a Cyrillic `а` in place of the Latin
 * `a`, looks the same on screen and in an approval e-mail. The rule follows Unicode's "highly
 * restrictive" profile (UTS #39, section 5.2) label by label: no invisible character, and the
 * letters of each label come from one script, or from one of the combinations a language writes
 * with (Latin with Han and Japanese kana, Latin with Han and Bopomofo, Latin with Han and Hangul).
 * Plain ASCII and a single non-Latin script pass.
 */

/**
 * Invisible characters: every Unicode format (Cf) and control (Cc) character, which includes the
 * zero-width ones (U+200B..U+200F), the word joiner and invisible operators (U+2060..U+2064), the
 * byte-order mark (U+FEFF), the bidirectional controls (U+202A..U+202E, U+2066..U+2069, U+061C) and
 * the soft hyphen; and the combining grapheme joiner and Hangul fillers, which show nothing either.
 */
const INVISIBLE = /[\p{Cf}\p{Cc}\u034F\u115F\u1160\u3164\uFFA0]/u;

/** Scripts told apart; a letter of a script not listed counts as `Other` (its own script). */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Hangul',
  'Ethiopic',
  'Cherokee',
  'Khmer',
  'Mongolian',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
] as const;
const SCRIPT_TESTS = SCRIPTS.map((name) => ({ name, re: new RegExp(`^\\p{Script=${name}}$`, 'u') }));

/** Script sets a language writes a single word with (besides any single script). */
const ALLOWED_MIXES: readonly (readonly string[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

/** The script of one letter, by its Unicode Script property. */
function scriptOf(letter: string): string {
  return SCRIPT_TESTS.find((s) => s.re.test(letter))?.name ?? 'Other';
}

/** The scripts the letters of `label` are written in (digits, marks and punctuation have none). */
export function scriptsOf(label: string): Set<string> {
  const scripts = new Set<string>();
  for (const char of label) if (/^\p{L}$/u.test(char)) scripts.add(scriptOf(char));
  return scripts;
}

/** Whether one label's scripts are a single script or a combination a language writes with. */
function singleWritingSystem(scripts: Set<string>): boolean {
  if (scripts.size <= 1) return true;
  return ALLOWED_MIXES.some((mix) => [...scripts].every((s) => mix.includes(s)));
}

/**
 * Why `name` could pass for another name, or null when it cannot. Labels are the parts between
 * `@` and `.` (a UPN's local part and each domain label; a mailNickname's dot-separated parts).
 * The message reads after the value's name (`userPrincipalName must not contain …`).
 */
export function lookAlikeProblem(name: string): string | null {
  const invisible = INVISIBLE.exec(name);
  if (invisible) {
    const code = invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `must not contain invisible characters (found U+${code}).`;
  }
  for (const label of name.split(/[@.]/)) {
    const scripts = scriptsOf(label);
    if (!singleWritingSystem(scripts))
      return (
        `mixes scripts (${[...scripts].sort().join(', ')}) in one part; ` +
        'letters that look alike across scripts could make it pass for another name.'
      );
  }
  return null;
}
