/** Passwords people pick first; refused whatever their length (a short list shipped with Elevate). */
const COMMON = new Set([
  'password',
  'password1',
  'password123',
  'passw0rd',
  '123456789012',
  'qwertyuiop',
  'letmein123',
  'welcome123',
  'iloveyou123',
  'administrator',
  'changeme123',
  'p@ssw0rd1234',
  'summer2026!',
  'winter2026!',
  'qwerty123456',
  '1q2w3e4r5t6y',
  'elevate12345',
]);

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** Why a new password is refused, or null when it is acceptable (length and a common-password list). */
export function validateNewPassword(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `The password must have at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (COMMON.has(password.toLowerCase())) return 'This password is too common; choose another.';
  return null;
}
