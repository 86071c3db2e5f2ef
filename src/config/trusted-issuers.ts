import { z } from 'zod';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and - (≤ 40)');
const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID')
  .transform((v) => v.toLowerCase());
const claimName = z.string().regex(/^[A-Za-z0-9_:./-]{1,128}$/, 'must be a claim name');
const claimValues = z.array(z.string().min(1).max(256)).max(50);

/**
 * An issuer URL: https, or plain http only on the loopback interface (development and tests).
 * No trailing slash, so it compares exactly with the `iss` its tokens carry.
 */
const issuerUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((v) => v.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(v), {
    message: 'must be https:// (plain http only on localhost)',
  });

/** One OpenID Connect issuer whose users may sign in to Elevate and call its API. */
export const trustedIssuer = z
  .object({
    id: slug,
    displayName: z.string().min(1).max(100),
    issuer: issuerUrl,
    /** What this issuer's access tokens for Elevate carry in `aud`. */
    audience: z.string().min(1).max(2048),
    /** For portal sign-in through this issuer; without it, only its API tokens are accepted. */
    clientId: z.string().min(1).max(256).optional(),
    /** Confidential client; without it, a public client with PKCE. */
    clientSecret: z.string().min(1).max(1024).optional(),
    userClaim: claimName.default('preferred_username'),
    /** Elevate tenant the users sign into; default the first tenant. */
    tenantId: guid.optional(),
    onFirstSignIn: z.enum(['link', 'create']).default('link'),
    groupsClaim: claimName.optional(),
    /** External group id or name → Elevate group id; only these groups are synchronised. */
    groupMap: z.record(z.string().min(1).max(256), guid).default({}),
    mfaAmrValues: claimValues.default(['mfa']),
    mfaAcrValues: claimValues.default([]),
  })
  .strict()
  .refine((i) => i.clientSecret === undefined || i.clientId !== undefined, {
    message: 'clientSecret needs clientId',
  })
  .refine((i) => Object.keys(i.groupMap).length === 0 || i.groupsClaim !== undefined, {
    message: 'groupMap needs groupsClaim',
  });

export type TrustedIssuerConfig = z.infer<typeof trustedIssuer>;

/** `ELEVATE_TRUSTED_ISSUERS`: a JSON array of issuers with distinct ids and issuer URLs. */
export const trustedIssuersSetting = z
  .string()
  .max(65_536)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of issuers' });
      return z.NEVER;
    }
  })
  .pipe(z.array(trustedIssuer).max(20))
  .refine((list) => new Set(list.map((i) => i.id)).size === list.length, {
    message: 'issuer ids must be distinct',
  })
  .refine((list) => new Set(list.map((i) => i.issuer)).size === list.length, {
    message: 'issuer URLs must be distinct',
  });
