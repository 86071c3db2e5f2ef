import { DomainError } from '../shared/errors.js';

/**
 * A refused sign-in step. One message for an unknown user, a wrong password and a disabled
 * account, so the page does not tell which accounts exist.
 */
export class SignInRefused extends DomainError {
  readonly kind = 'unauthenticated' as const;
  constructor(
    code: 'invalidCredentials' | 'invalidCode' | 'invalidPasskey' | 'weakPassword',
    message: string,
  ) {
    super(code, message);
  }
}

export const INVALID_CREDENTIALS = 'The user name or password is incorrect.';
export const INVALID_CODE = 'The verification code is incorrect or has already been used.';
export const INVALID_PASSKEY = 'The passkey could not be verified. Try again or use another method.';
