import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** Paths whose operations need a bearer token; the rest (sign-in, discovery, JWKS, token) do not. */
const BEARER_PATHS = /^\/(?:v1\.0|beta|access)\//;

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;
type Schema = Record<string, unknown> & { hide?: boolean; response?: Record<string, unknown> };

/**
 * The zod → JSON Schema transform, then what the document must say that route schemas cannot:
 * operations outside the bearer-protected API (OpenID discovery, JWKS, the token and sign-in
 * endpoints) carry `security: []`, and a `204` has no content (a schema of `type: null` makes
 * `@fastify/swagger` leave the content out).
 */
export const openApiTransform: Transform = (document) => {
  const { url, schema: transformed } = jsonSchemaTransform(document);
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
