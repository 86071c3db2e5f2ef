import type { SecondFactors } from '../../app/sign-in/sign-in.js';
import { SECOND_FACTOR_METHODS } from '../../domain/authn/amr.js';
import type { AuthenticationStrength } from '../../domain/authn/authentication-context.js';

export { amrOf } from '../../domain/authn/amr.js';

/** What one interaction has proven so far; kept server-side (shared storage), keyed by its uid. */
export interface Progress {
  csrf: string;
  userId?: string;
  tenantId?: string;
  username?: string;
  authTimeSeconds?: number;
  /** `amr` methods proven so far (`pwd`, `otp`, `hwk`, `swk`). */
  methods: string[];
  /** Set by a sign-in through a trusted external issuer: the `amr` to finish with, as mapped. */
  amr?: string[];
  /** The second factors the user held when the password was checked; any of them is required. */
  secondFactors?: SecondFactors;
  mustChangePassword: boolean;
  /** The user must register an authenticator app before the sign-in completes (holds none, privileged). */
  mustRegisterSecondFactor?: boolean;
  /** The completed sign-in was audited (so revisiting the finished page does not audit it again). */
  audited?: boolean;
  /** Authentication contexts the authorization request asks for (`claims` parameter, ADR 0021). */
  requestedContexts?: string[];
  /** The strengths those contexts require, once the user's tenant is known. */
  required?: AuthenticationStrength[];
}

/**
 * The second factors a sign-in may finish with when it must meet `required`: only passkeys for a
 * phishing-resistant context, only the authenticator app for password + TOTP, any otherwise.
 */
export function secondFactorsFor(
  held: SecondFactors,
  required: readonly AuthenticationStrength[],
): SecondFactors {
  if (required.includes('phishingResistant'))
    return { totp: false, recoveryCode: false, passkey: held.passkey };
  if (required.includes('passwordAndTotp')) return { totp: held.totp, recoveryCode: false, passkey: false };
  return held;
}

/** Whether the methods proven so far meet every required strength. */
function meetsRequired(p: Progress): boolean {
  const required = p.required ?? [];
  if (required.includes('phishingResistant') && !p.methods.some((m) => m === 'hwk' || m === 'swk'))
    return false;
  if (required.includes('passwordAndTotp') && !(p.methods.includes('pwd') && p.methods.includes('otp'))) {
    return false;
  }
  return true;
}

/**
 * The page the interaction shows next: `second` offers the user's second factors, `register` has a
 * user who must hold one and holds none register an authenticator app.
 */
export type SignInStage = 'password' | 'change' | 'second' | 'register' | 'done';

export function nextStep(p: Progress): SignInStage {
  if (p.userId === undefined) return 'password';
  if (p.mustChangePassword) return 'change';
  const f = p.secondFactors;
  const needsSecond = f !== undefined && (f.totp || f.passkey || f.recoveryCode);
  const hasSecond = p.methods.some((m) => SECOND_FACTOR_METHODS.has(m));
  if (needsSecond && !hasSecond) return 'second';
  if (p.mustRegisterSecondFactor === true && !hasSecond) return 'register';
  // A step-up: a second factor was used, but not the one the requested context needs.
  if (!meetsRequired(p)) return 'second';
  return 'done';
}

/** The `step` values a form of this stage may post. */
export function formStepsOf(stage: SignInStage): readonly string[] {
  if (stage === 'second') return ['totp', 'recovery'];
  return stage === 'done' ? [] : [stage];
}
