import type { FederationPolicy } from '../../app/federation/ports.js';
import type { TrustedIssuerConfig } from '../../config/trusted-issuers.js';
import type { Clock } from '../../domain/time/clock.js';
import { ExternalKeySet } from './external-key-set.js';
import type { PortalIssuer } from './federation-routes.js';
import type { TrustedTokenIssuer } from './federated-token-verifier.js';

/** The trusted issuers, each in the shape its consumer needs. */
export interface TrustedIssuers {
  /** By issuer id, for the federation use cases. */
  policies: ReadonlyMap<string, FederationPolicy>;
  /** For the bearer-token check. */
  tokenIssuers: TrustedTokenIssuer[];
  /** Those with a client id: offered on the sign-in page. */
  portalIssuers: PortalIssuer[];
}

/**
 * Resolves the configured issuers: each signs into its configured tenant, or `defaultTenantId`
 * (the first tenant). @throws Error naming the issuer when its tenant does not exist.
 */
export function setUpTrustedIssuers(
  configs: readonly TrustedIssuerConfig[],
  opts: {
    defaultTenantId: string | undefined;
    /** Elevate's own issuer: no external issuer may claim it. */
    ownIssuer: string;
    tenantExists: (id: string) => boolean;
    clock: Clock;
    keyCacheMaxAgeSeconds?: number;
    unknownKidCooldownSeconds?: number;
  },
): TrustedIssuers {
  const policies = new Map<string, FederationPolicy>();
  const tokenIssuers: TrustedTokenIssuer[] = [];
  const portalIssuers: PortalIssuer[] = [];
  for (const c of configs) {
    if (c.issuer.replace(/\/+$/, '') === opts.ownIssuer) {
      throw new Error(`ELEVATE_TRUSTED_ISSUERS: ${c.id}: the issuer is Elevate itself`);
    }
    const tenantId = c.tenantId ?? opts.defaultTenantId;
    if (tenantId === undefined || !opts.tenantExists(tenantId)) {
      throw new Error(`ELEVATE_TRUSTED_ISSUERS: ${c.id}: tenant ${tenantId ?? '(none)'} does not exist`);
    }
    const policy: FederationPolicy = {
      id: c.id,
      displayName: c.displayName,
      tenantId,
      userClaim: c.userClaim,
      onFirstSignIn: c.onFirstSignIn,
      groupsClaim: c.groupsClaim,
      groupMap: c.groupMap,
      mfaAmrValues: c.mfaAmrValues,
      mfaAcrValues: c.mfaAcrValues,
    };
    policies.set(c.id, policy);
    tokenIssuers.push({
      ...policy,
      issuer: c.issuer,
      audience: c.audience,
      keys: new ExternalKeySet(
        c.issuer,
        opts.clock,
        (opts.keyCacheMaxAgeSeconds ?? 300) * 1000,
        (opts.unknownKidCooldownSeconds ?? 10) * 1000,
      ),
    });
    if (c.clientId !== undefined) {
      portalIssuers.push({ policy, issuer: c.issuer, clientId: c.clientId, clientSecret: c.clientSecret });
    }
  }
  return { policies, tokenIssuers, portalIssuers };
}
