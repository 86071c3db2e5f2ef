import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { graphErrorSchema } from './graph/json.js';

/** Paths whose operations need a bearer token; the rest (sign-in, discovery, JWKS, token) do not. */
const BEARER_PATHS = /^\/(?:v1\.0|beta|access)\//;

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;

/**
 * The OpenID Provider metadata (OpenID Connect Discovery 1.0, RFC 8414): the members every client
 * reads are listed; the provider adds others (grant types, claims, PKCE methods, …).
 */
const providerMetadata = z
  .looseObject({
    issuer: z.string(),
    authorization_endpoint: z.string(),
    token_endpoint: z.string(),
    jwks_uri: z.string(),
    response_types_supported: z.array(z.string()),
    subject_types_supported: z.array(z.string()),
    id_token_signing_alg_values_supported: z.array(z.string()),
  })
  .describe('OpenID Provider metadata: the endpoints and what the provider supports.');

/** A JSON Web Key Set (RFC 7517): the public keys that verify Elevate's tokens. */
const keySet = z
  .object({
    keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), use: z.string(), alg: z.string() })),
  })
  .describe('JSON Web Key Set: the public keys tokens are signed with.');

/** The key set is served as `application/jwk-set+json` (RFC 7517, section 8.5.1). */
const keySetResponse = {
  description: 'JSON Web Key Set: the public keys tokens are signed with.',
  content: { 'application/jwk-set+json': { schema: keySet } },
};

/** Entra's OAuth error body (as the token endpoint answers), for a tenant it does not know. */
const oauthError = z
  .object({
    error: z.string(),
    error_description: z.string(),
    error_codes: z.array(z.number().int()),
    timestamp: z.string(),
    trace_id: z.string(),
    correlation_id: z.string(),
  })
  .describe('`invalid_tenant` (AADSTS90002 or AADSTS900023): no such tenant, as Entra answers it.');

/** A tenant path segment: its id or a domain name (the server refuses anything else with 400). */
const tenantParams = z.object({ tenant: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/) });

/**
 * What discovery and the key set answer, documented here: their routes hand the request to the
 * OpenID provider and carry no schema. 404 is the answer for a tenant segment the router cannot
 * take (e.g. `.`, which a URL parser removes).
 */
const OPEN_ROUTES: Record<string, Record<string, unknown>> = {
  '/.well-known/openid-configuration': { response: { 200: providerMetadata } },
  '/.well-known/oauth-authorization-server': { response: { 200: providerMetadata } },
  '/:tenant/v2.0/.well-known/openid-configuration': {
    params: tenantParams,
    response: { 200: providerMetadata, 400: oauthError, 404: graphErrorSchema },
  },
  '/discovery/v2.0/keys': { response: { 200: keySetResponse } },
  '/:tenant/discovery/v2.0/keys': {
    params: z.object({ tenant: z.string() }),
    response: { 200: keySetResponse },
  },
};
type Schema = Record<string, unknown> & { hide?: boolean; response?: Record<string, unknown> };

/**
 * The zod → JSON Schema transform, then what the document must say that route schemas cannot:
 * operations outside the bearer-protected API (OpenID discovery, JWKS, the token and sign-in
 * endpoints) carry `security: []`, discovery and the key set their bodies ({@link OPEN_ROUTES}),
 * and a `204` has no content (a schema of `type: null` makes
 * `@fastify/swagger` leave the content out).
 */
export const openApiTransform: Transform = (document) => {
  const open = OPEN_ROUTES[document.url];
  const { url, schema: transformed } = jsonSchemaTransform(
    open === undefined ? document : { ...document, schema: { ...document.schema, ...open } },
  );
  const schema = (transformed ?? {}) as Schema;
  if (schema.hide) return { url, schema };
  const response = schema.response && {
    ...schema.response,
    ...('204' in schema.response ? { 204: { type: 'null', description: 'No Content' } } : {}),
  };
  return {
    url,
    schema: {
      ...schema,
      ...(response ? { response } : {}),
      ...(BEARER_PATHS.test(url) ? {} : { security: [] }),
    },
  };
};

/** The OpenAPI document of `/openapi.json`: Graph's surface, bearer tokens by default. */
export function openApiOptions(publicUrl: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Elevate',
        version: '0.1.0',
        description:
          'Privileged Identity Management with a Microsoft Graph-compatible API. Every `/v1.0` path ' +
          'below is also served under `/beta` (same behaviour, `@odata.context` under `/beta`), as ' +
          'Graph serves both; the copies are not listed twice.',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
    transform: openApiTransform,
  };
}
