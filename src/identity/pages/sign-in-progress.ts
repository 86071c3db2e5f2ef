import type { SecondFactors } from '../../app/sign-in/sign-in.js';
import { SECOND_FACTOR_METHODS } from '../../domain/authn/amr.js';

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
  return 'done';
}

/** The `step` values a form of this stage may post. */
export function formStepsOf(stage: SignInStage): readonly string[] {
  if (stage === 'second') return ['totp', 'recovery'];
  return stage === 'done' ? [] : [stage];
}
