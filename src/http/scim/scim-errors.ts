import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { SCIM } from '../../domain/scim/scim-schema.js';
import { DomainError, RateLimitedError } from '../../domain/shared/errors.js';
import { statusOfDomainError } from '../errors.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

const SCIM_TYPES = new Set([
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
]);

/** An RFC 7644 §3.12 error body. */
export const scimErrorBody = (status: number, detail: string, scimType?: string) => ({
  schemas: [SCIM.error],
  ...(scimType === undefined ? {} : { scimType }),
  detail,
  status: String(status),
});

/**
 * The SCIM edge's one error mapper: domain errors keep their status (a SCIM `scimType` travels as
 * the error's code), Fastify's refusals of a request become 4xx, anything else a 500 that says
 * nothing of its cause (logged). Always `application/scim+json`.
 */
export function scimErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  void reply.type(SCIM_CONTENT_TYPE);
  if (err instanceof DomainError) {
    const status = statusOfDomainError(err);
    if (err instanceof RateLimitedError) void reply.header('retry-after', String(err.retryAfterSeconds));
    if (err.kind === 'unauthenticated') void reply.header('www-authenticate', 'Bearer realm="scim"');
    const scimType = SCIM_TYPES.has(err.code) ? err.code : status === 400 ? 'invalidValue' : undefined;
    return reply.status(status).send(scimErrorBody(status, err.message, scimType));
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const first = err.validation[0];
    const where = first?.instancePath.replace(/^\//, '') || err.validationContext || 'request';
    const scimType = where === 'filter' ? 'invalidFilter' : 'invalidValue';
    return reply
      .status(400)
      .send(scimErrorBody(400, `'${where}' is not valid: ${first?.message ?? ''}`.trim(), scimType));
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    const detail =
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
        ? 'The request body is not valid JSON.'
        : status === 415
          ? 'Content-Type must be application/scim+json or application/json.'
          : status === 413
            ? 'The request body is too large.'
            : 'The request is malformed.';
    return reply
      .status(status)
      .send(scimErrorBody(status, detail, status === 400 ? 'invalidSyntax' : undefined));
  }
  request.log.error({ err }, 'unhandled error');
  return reply.status(500).send(scimErrorBody(500, 'An internal error occurred.'));
}
