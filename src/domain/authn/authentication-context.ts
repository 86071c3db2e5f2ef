/**
 * Authentication contexts (Graph's `authenticationContextClassReference`, ids `c1`…`c99`) and the
 * requirement Elevate binds each one to, so that it can decide by itself whether a sign-in
 * satisfies a context: which methods (an authentication strength), how recently, and which values
 * of a trusted external issuer's `acr`/`acrs` also count (docs/adr/0021-authentication-contexts.md).
 */

/**
 * - `mfa`: any multi-factor sign-in (`amr` includes `mfa`);
 * - `phishingResistant`: a passkey or security key, always with user verification in Elevate
 *   (`amr` includes `hwk` or `swk`);
 * - `passwordAndTotp`: a password and a one-time code (`amr` includes `pwd` and `otp`).
 */
export const AUTHENTICATION_STRENGTHS = ['mfa', 'phishingResistant', 'passwordAndTotp'] as const;
export type AuthenticationStrength = (typeof AUTHENTICATION_STRENGTHS)[number];

/** What satisfies a context: Elevate's extension of Graph's shape (`elevateRequirement`). */
export interface ContextRequirement {
  authenticationStrength: AuthenticationStrength;
  /** The sign-in must be at most this old when the token is issued and when it is used; null: any age. */
  maxAgeMinutes: number | null;
  /** A trusted external issuer's `acr` (or one of its `acrs`) values that satisfy it too. */
  externalAcrValues: readonly string[];
}

export interface AuthenticationContext {
  tenantId: string;
  /** `c1` … `c99`. */
  id: string;
  displayName: string;
  description: string | null;
  /** Graph's switch: an unavailable context is never put in a token and satisfies nothing. */
  isAvailable: boolean;
  requirement: ContextRequirement;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

/** Graph's ids: `c` and a number from 1 to 99, without a leading zero. */
export const CONTEXT_ID = /^c([1-9]|[1-9][0-9])$/;
export const isContextId = (id: string): boolean => CONTEXT_ID.test(id);

/** The largest `maxAgeMinutes` accepted: one day, beyond which "fresh" means nothing. */
export const MAX_AGE_MINUTES_LIMIT = 24 * 60;

/**
 * The context every tenant has from the start, for Global Administrator and Privileged Role
 * Administrator: a passkey sign-in (phishing-resistant) of at most ten minutes. Being defined
 * changes nothing until a role's `AuthenticationContext_EndUser_Assignment` names it.
 */
export const BUILT_IN_PHISHING_RESISTANT = {
  id: 'c1',
  displayName: 'Phishing-resistant MFA',
  description: 'A passkey or FIDO2 security key with user verification, within the last 10 minutes.',
  isAvailable: true,
  requirement: { authenticationStrength: 'phishingResistant', maxAgeMinutes: 10, externalAcrValues: [] },
} as const satisfies Omit<AuthenticationContext, 'tenantId' | 'createdAt' | 'modifiedAt' | 'version'>;

/** Whether the methods of a sign-in (`amr`, RFC 8176 as Elevate issues it) meet a strength. */
export function strengthMet(strength: AuthenticationStrength, amr: readonly string[]): boolean {
  switch (strength) {
    case 'mfa':
      return amr.includes('mfa');
    case 'phishingResistant':
      return amr.includes('hwk') || amr.includes('swk');
    case 'passwordAndTotp':
      return amr.includes('pwd') && amr.includes('otp');
  }
}

/** Clock skew tolerated for an `auth_time` slightly in the future, as for step-up MFA. */
const MAX_SKEW_MS = 5 * 60_000;

/** Whether a sign-in at `authTimeMs` is recent enough for the requirement at `now`. */
export function freshEnough(
  requirement: ContextRequirement,
  authTimeMs: number | null,
  now: number,
): boolean {
  if (requirement.maxAgeMinutes === null) return true;
  if (authTimeMs === null || authTimeMs > now + MAX_SKEW_MS) return false;
  return now - authTimeMs <= requirement.maxAgeMinutes * 60_000;
}

/**
 * The `acrs` claim of a token Elevate issues for a sign-in: every available context whose
 * strength the sign-in's methods meet and that is still fresh at issuance. Sorted by number.
 */
export function acrsForSignIn(
  contexts: readonly AuthenticationContext[],
  amr: readonly string[],
  authTimeMs: number | null,
  now: number,
): string[] {
  return contexts
    .filter(
      (c) =>
        c.isAvailable &&
        strengthMet(c.requirement.authenticationStrength, amr) &&
        freshEnough(c.requirement, authTimeMs, now),
    )
    .map((c) => c.id)
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/** What a caller's token says about its sign-in, as far as contexts are concerned. */
export interface ContextEvidence {
  /** The `acrs` claim of a token Elevate issued (never read from another issuer's token). */
  acrs: readonly string[];
  /** A trusted external issuer's `acr` and `acrs` values, when the token is theirs. */
  externalAcrValues: readonly string[];
  authTimeMs: number | null;
}

/**
 * Whether the caller satisfies a context at `now`: the context is available, the token names it
 * (Elevate's `acrs`, or an external value the requirement lists) and the sign-in is still within
 * the requirement's maximum age, checked again at use because a token outlives its issuance.
 */
export function contextSatisfied(
  context: AuthenticationContext | undefined,
  evidence: ContextEvidence,
  now: number,
): boolean {
  if (context === undefined || !context.isAvailable) return false;
  const named =
    evidence.acrs.includes(context.id) ||
    evidence.externalAcrValues.some((v) => context.requirement.externalAcrValues.includes(v));
  return named && freshEnough(context.requirement, evidence.authTimeMs, now);
}

/**
 * The context ids a `claims` request parameter asks for in the access token
 * (`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`, or `values: [...]`), as Entra's
 * claims challenges spell it. Anything else (other claims, bad JSON, ids out of range) asks for
 * nothing here.
 */
export function requestedContexts(claimsParameter: unknown): string[] {
  if (typeof claimsParameter !== 'string' || claimsParameter.length > 4096) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(claimsParameter);
  } catch {
    return [];
  }
  const acrs = (parsed as { access_token?: { acrs?: { value?: unknown; values?: unknown } } } | null)
    ?.access_token?.acrs;
  if (typeof acrs !== 'object' || acrs === null) return [];
  const values = [
    ...(typeof acrs.value === 'string' ? [acrs.value] : []),
    ...(Array.isArray(acrs.values) ? acrs.values.filter((v): v is string => typeof v === 'string') : []),
  ];
  return [...new Set(values.filter(isContextId))].slice(0, 10);
}
