import type { JWK } from 'jose';
import type { AuthenticationContext } from '../domain/authn/authentication-context.js';

/**
 * What the authorization server needs to know about an application (service principal) to
 * authenticate it at the token endpoint and to fill its access token. The directory owns this
 * data; identity only reads it, once per token request, so disabling a principal, removing a
 * secret or changing app permissions takes effect on the next token request.
 */
export interface ServicePrincipalCredentials {
  servicePrincipalId: string;
  tenantId: string;
  /** The `client_id` the application presents (Entra's `appId`). */
  appId: string;
  displayName: string;
  accountEnabled: boolean;
  /** App permissions granted to the application, e.g. `RoleManagement.ReadWrite.Directory`; become `roles`. */
  appPermissions: string[];
  /**
   * Client secrets, stored only as SHA-256 hex hashes (see `hashClientSecret`). A secret is usable on
   * `[created, endDateTimeMs)`; `null` means it does not expire.
   */
  secrets: { keyId: string; secretHash: string; endDateTimeMs: number | null }[];
}

/** Looks applications up by the `client_id` they present. Implemented over the database by the store. */
export interface ClientDirectory {
  findByAppId(appId: string): Promise<ServicePrincipalCredentials | undefined>;
}

/**
 * Which tenants exist. The token endpoint answers a tenant that does not exist (Entra's
 * AADSTS90002) differently from an application that is not in the tenant (AADSTS700016).
 */
export interface TenantDirectory {
  /** Whether a tenant with this id exists; any other string (a domain name, `common`) does not. */
  exists(tenantId: string): Promise<boolean>;
}

/**
 * One token-signing key. The store encrypts `privateJwk` at rest (DESIGN.md invariant 9); identity
 * sees plain JWKs. `active` keys sign (the newest one wins); `retired` keys no longer sign but stay
 * published in the JWKS so tokens they signed keep verifying until the key is removed.
 */
export interface SigningKeyRecord {
  kid: string;
  alg: 'ES256';
  privateJwk: JWK;
  publicJwk: JWK;
  status: 'active' | 'retired';
  createdAtMs: number;
}

/** Persistence for signing keys, shared by every replica. */
export interface SigningKeyStore {
  list(): Promise<SigningKeyRecord[]>;
  insert(key: SigningKeyRecord): Promise<void>;
  /** Marks the key retired; it keeps verifying but no longer signs. */
  retire(kid: string): Promise<void>;
}

/**
 * The directory roles active for a principal at an instant, as template ids (Entra's `wids`).
 * Computed from live state on every token issuance: direct assignments and PIM `Assigned` /
 * `Activated` schedules whose window holds at `nowMs`, each held directly or through a group.
 */
export interface ActiveDirectoryRoles {
  templateIdsAt(tenantId: string, principalId: string, nowMs: number): Promise<string[]>;
  /**
   * Ids of the groups the principal is a member of at `nowMs` (transitively, standing or through
   * an active PIM membership), for the `groups` claim; sorted.
   */
  groupIdsAt(tenantId: string, principalId: string, nowMs: number): Promise<string[]>;
}

/** A person who can sign in, as the authorization server needs them for `findAccount` and claims. */
export interface Account {
  userId: string;
  tenantId: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
}

/** Users looked up by object id (the `accountId` oidc-provider keeps in sessions and grants). */
export interface AccountDirectory {
  findById(userId: string): Promise<Account | undefined>;
}

/**
 * A tenant's authentication contexts, read at each user-token issuance (the `acrs` claim) and when
 * an authorization request asks for a context (`claims` parameter) the session may not satisfy.
 */
export interface AuthenticationContextDirectory {
  forTenant(tenantId: string): Promise<AuthenticationContext[]>;
}
