/**
 * Pure rules for identities proven by a trusted external OpenID Connect issuer: how its `amr`/`acr`
 * become Elevate's `amr`, which claim names the user, and which group memberships a sign-in
 * changes. No I/O; the app layer applies the results in one transaction.
 */

/** How one trusted issuer's claims are read (from configuration). */
export interface ClaimRules {
  /** Claim that identifies the user (`upn`, `email`, `preferred_username`, `oid`, `sub`…). */
  userClaim: string;
  /** `amr` values that mean multi-factor authentication. */
  mfaAmrValues: readonly string[];
  /** `acr` values that mean multi-factor authentication. */
  mfaAcrValues: readonly string[];
}

const METHOD = /^[A-Za-z0-9_.:/-]{1,64}$/;
const MAX_METHODS = 20;

/**
 * Elevate's `amr` for an external authentication: the issuer's own method names (bounded, and
 * never its literal `mfa`), plus `mfa` exactly when one of its `amr` values or its `acr` is listed
 * as meaning MFA. So an issuer that spells MFA differently (`urn:okta:loa:2fa:any`, Keycloak's
 * `acr` levels) is mapped, and one whose `mfa` an operator chose not to trust is not.
 */
export function amrFromExternal(amr: unknown, acr: unknown, rules: ClaimRules): string[] {
  const methods = Array.isArray(amr)
    ? amr.filter((m): m is string => typeof m === 'string' && METHOD.test(m)).slice(0, MAX_METHODS)
    : [];
  const mfa =
    methods.some((m) => rules.mfaAmrValues.includes(m)) ||
    (typeof acr === 'string' && rules.mfaAcrValues.includes(acr));
  const out = [...new Set(methods.filter((m) => m !== 'mfa'))];
  if (out.length === 0) out.push('fed');
  if (mfa) out.push('mfa');
  return out;
}

/** Claims whose value is a directory object id rather than a user principal name. */
const ID_CLAIMS = new Set(['oid', 'sub']);

/** How the configured claim finds a directory user: by object id or by user principal name. */
export type UserKey = { kind: 'id'; value: string } | { kind: 'upn'; value: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UPN = /^[^@\s]{1,64}@[^@\s]{1,189}$/;

/**
 * The directory key the configured `userClaim` gives, or `undefined` when the claim is missing
 * or cannot name a user (an `oid` that is not a GUID, an `email` that is not an address).
 */
export function userKeyOf(claims: Record<string, unknown>, userClaim: string): UserKey | undefined {
  const raw = claims[userClaim];
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim().toLowerCase();
  if (ID_CLAIMS.has(userClaim)) return GUID.test(value) ? { kind: 'id', value } : undefined;
  return UPN.test(value) ? { kind: 'upn', value } : undefined;
}

/** A user principal name for a user created at first sign-in: the claim if it is one, else the usual ones. */
export function upnForNewUser(claims: Record<string, unknown>, key: UserKey | undefined): string | undefined {
  if (key?.kind === 'upn') return key.value;
  for (const name of ['upn', 'preferred_username', 'email']) {
    const value = claims[name];
    if (typeof value === 'string' && UPN.test(value.trim())) return value.trim().toLowerCase();
  }
  return undefined;
}

/** A display name for a user created at first sign-in. */
export function displayNameOf(claims: Record<string, unknown>, fallback: string): string {
  const name = claims.name;
  return typeof name === 'string' && name.trim().length > 0 ? name.trim().slice(0, 256) : fallback;
}

/** What a sign-in changes in mapped groups. */
export interface GroupChanges {
  add: string[];
  remove: string[];
}

/**
 * Membership changes for the Elevate groups in `groupMap` (external id or name → Elevate group
 * id): the user should be in exactly the mapped groups their `groups` claim names. Groups not in
 * the map are never touched. A missing claim means "member of none of them".
 */
export function groupChanges(
  externalGroups: unknown,
  groupMap: Readonly<Record<string, string>>,
  currentGroupIds: readonly string[],
): GroupChanges {
  const named = new Set(
    Array.isArray(externalGroups) ? externalGroups.filter((g): g is string => typeof g === 'string') : [],
  );
  const mapped = new Set(Object.values(groupMap).map((g) => g.toLowerCase()));
  const wanted = new Set(
    Object.entries(groupMap)
      .filter(([external]) => named.has(external))
      .map(([, id]) => id.toLowerCase()),
  );
  const current = new Set(currentGroupIds.map((g) => g.toLowerCase()));
  return {
    add: [...wanted].filter((id) => !current.has(id)).sort(),
    remove: [...mapped].filter((id) => current.has(id) && !wanted.has(id)).sort(),
  };
}
