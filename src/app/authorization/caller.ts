/**
 * Who is calling, as proven by a verified access token. Roles are not taken from the token:
 * use cases compute the caller's *active* directory roles from live state (DESIGN.md invariant 8).
 */
export interface Caller {
  kind: 'app' | 'user';
  tenantId: string;
  /** Object id of the user or service principal. */
  id: string;
  /** For apps: the client (application) id. */
  appId: string | null;
  /** Application permissions from the token's `roles` claim (apps only). */
  appPermissions: string[];
  /** Authentication methods from the token's `amr` claim (users only). */
  amr: string[];
  /** When the person signed in (the token's `auth_time`), epoch ms like every time in Elevate. */
  authTimeMs: number | null;
  /** Authentication contexts (`c1`…) from the `acrs` claim of a token Elevate issued. */
  acrs?: readonly string[];
  /** A trusted external issuer's `acr` and `acrs` values, matched against a context's `externalAcrValues`. */
  externalAcrValues?: readonly string[];
  ipAddress: string | null;
  userAgent: string | null;
  /** The `x-elevate-origin` header: what the client says it is (`mcp`); a claim, not proof (ADR 0036). */
  clientOrigin?: string | null;
  /** The request id; audit entries carry it as their correlation id. */
  correlationId: string | null;
}
