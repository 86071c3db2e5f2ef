import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

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
    transform: jsonSchemaTransform,
  };
}
