import { COMMON_PASSWORD_WORDS } from './common-passwords.js';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** Who the password is for: their names are as guessable as a common word. */
export interface PasswordContext {
  userPrincipalName?: string | null;
  displayName?: string | null;
}

/** Leet spellings folded back to letters (`p@ssw0rd` → `password`). */
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '!': 'i',
  '|': 'i',
  '3': 'e',
  '4': 'a',
  '@': 'a',
  '5': 's',
  $: 's',
  '7': 't',
  '+': 't',
  '8': 'b',
  '9': 'g',
};

/**
 * Rows, columns and diagonals of a keyboard, the alphabet and the digits, each also read backwards
 * by the check: a password that is one stretch of these (`qwertyuiop`, `1qaz2wsx3edc`,
 * `987654321098`) is a walk, not a secret.
 */
const SEQUENCES = [
  'abcdefghijklmnopqrstuvwxyz',
  '012345678901234567890123456789',
  'qwertyuiopasdfghjklzxcvbnm',
  'qwertzuiopasdfghjklyxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
  '1234567890qwertyuiopasdfghjklzxcvbnm',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'qazwsxedcrfvtgbyhnujmikolp',
  '1q2w3e4r5t6y7u8i9o0p',
  'q1w2e3r4t5y6u7i8o9p0',
  'zaq1xsw2cde3vfr4bgt5nhy6mju7',
  'a1b2c3d4e5f6g7h8i9j0',
];

/** Letters only, with the leet spellings read as letters. */
const lettersOf = (text: string): string =>
  [...text]
    .map((c) => LEET[c] ?? c)
    .join('')
    .replace(/[^a-z]/g, '');

/**
 * The words a password is built on, in lower case: with digits and symbols stripped from its ends
 * (`Password1234!` → `password`), then leet spellings read as letters and what remains between
 * letters dropped (`P@ssw0rd-2026` → `password`). A leading leet letter counts (`@dmin2026` →
 * `admin`). Two readings, so neither a leading `@` nor trailing digits fool it.
 */
export function passwordStems(password: string): string[] {
  const lower = password.normalize('NFKC').toLowerCase();
  const inner = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  const trailingStripped = lower.replace(/[^a-z]+$/, '');
  return [...new Set([lettersOf(inner), lettersOf(trailingStripped)])].filter((stem) => stem !== '');
}

/** Whether the text (letters and digits only) is a stretch of a keyboard walk or a run of characters. */
function isSequence(text: string): boolean {
  if (text.length < 4) return false;
  return SEQUENCES.some((s) => s.includes(text) || [...s].reverse().join('').includes(text));
}

/** Whether the text is one short unit (1–4 characters) repeated: `aaaaaaaaaaaa`, `abcabcabcabc`. */
function isRepetition(text: string): boolean {
  for (let unit = 1; unit <= 4 && unit * 2 <= text.length; unit += 1) {
    const part = text.slice(0, unit);
    if (part.repeat(Math.ceil(text.length / unit)).slice(0, text.length) === text) return true;
  }
  return false;
}

/** A common word, alone or said two to four times (`passwordpassword`, `adminadmin`). */
function isCommon(stem: string): boolean {
  for (let times = 1; times <= 4; times += 1) {
    if (stem.length % times !== 0) continue;
    const word = stem.slice(0, stem.length / times);
    if (word.repeat(times) === stem && COMMON_PASSWORD_WORDS.has(word)) return true;
  }
  return false;
}

/** The user's own names (the UPN's local part, the display name's words), four letters or more. */
function namesOf(context: PasswordContext): string[] {
  const local = (context.userPrincipalName ?? '').split('@')[0] ?? '';
  const words = [local, ...local.split(/[^a-z]+/i), ...(context.displayName ?? '').split(/\s+/)];
  return [...new Set(words.map((w) => w.toLowerCase().replace(/[^a-z]/g, '')))].filter((w) => w.length >= 4);
}

/**
 * Why a new password is refused, or null when it is acceptable. NIST SP 800-63B's rules for
 * memorized secrets, as `docs/identity.md` promises: at least 12 and at most 256 characters, and
 * not guessable — not built on a common password (`common-passwords.ts`; case, leet spellings and
 * digits or symbols at either end ignored, so `password1234` and `Password1234!` are both refused),
 * not a keyboard walk or character run (`qwertyuiop12`, `123456789012`, `1q2w3e4r5t6y`), not one
 * short pattern repeated (`aaaaaaaaaaaa`), and not built on the user's own name. No composition
 * rules (a symbol, a capital): they add little and push people to predictable variations. The
 * messages never repeat the password or part of it (they may reach logs and audit entries).
 */
export function passwordProblem(password: string, context: PasswordContext = {}): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `The password must have at most ${MAX_PASSWORD_LENGTH} characters.`;
  }
  const stems = passwordStems(password);
  if (stems.some(isCommon)) {
    return (
      'This password is too common: it is built on a word attackers try first (case, digits and ' +
      'symbols around it do not help). Choose another, such as a phrase of several unrelated words.'
    );
  }
  const alnum = password
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  const core = alnum.replace(/^[0-9]+|[0-9]+$/g, '');
  if (
    isSequence(alnum) ||
    isSequence(core) ||
    isRepetition(alnum) ||
    (core.length >= 4 && isRepetition(core))
  ) {
    return 'This password is a keyboard pattern, a run of characters or a repetition; choose another.';
  }
  const names = namesOf(context);
  if (stems.some((stem) => names.some((name) => stem.includes(name)))) {
    return "This password contains the user's name; choose another.";
  }
  return null;
}
