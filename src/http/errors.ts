import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { insufficientClaimsChallenge } from '../app/authorization/step-up.js';
import { PolicyViolationError } from '../domain/pim/policy-failure.js';
import { ClaimsChallengeError, DomainError, RateLimitedError } from '../domain/shared/errors.js';
import type { Clock } from '../domain/time/clock.js';
import { describeValidationIssues } from './validation-messages.js';

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    target?: string;
    details?: { code: string; message: string; target?: string }[];
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

const STATUS: Record<DomainError['kind'], number> = {
  validation: 400,
  badRequest: 400,
  notFound: 404,
  conflict: 409,
  forbidden: 403,
  unauthenticated: 401,
  rateLimited: 429,
};

/** The HTTP status of a domain error (every envelope maps kinds alike). */
export const statusOfDomainError = (err: DomainError): number => STATUS[err.kind];

/** Graph's innerError date: UTC without fraction or zone, e.g. `2023-02-28T10:00:00`. */
const innerDate = (ms: number) => new Date(ms).toISOString().slice(0, 19);

export function graphError(
  request: FastifyRequest,
  now: number,
  code: string,
  message: string,
  extra: Partial<Pick<GraphErrorBody['error'], 'target' | 'details'>> = {},
): GraphErrorBody {
  return {
    error: {
      code,
      message,
      ...extra,
      innerError: {
        date: innerDate(now),
        'request-id': request.id,
        'client-request-id': clientRequestId(request),
      },
    },
  };
}

/**
 * The `client-request-id` of the response header and `innerError`: the client's own, echoed when it
 * is a short printable token (it lands in logs and headers); otherwise one generated for it — the
 * request's id, a UUID — as Graph answers a request that sent none, so every response carries an
 * id the client can quote.
 */
export function clientRequestId(request: FastifyRequest): string {
  const v = request.headers['client-request-id'];
  return typeof v === 'string' && /^[\w.:-]{1,128}$/.test(v) ? v : request.id;
}

/** Problems listed in `details` at most; the message names the first. */
const MAX_VALIDATION_DETAILS = 10;

/**
 * Zod's refusal of a request, for people: the first problem as the message ("`principalId` must be
 * a GUID such as …", see `validation-messages.ts`) with its field as `target`, and every problem
 * (up to ten) in `details` when there are several, so one round trip shows all that is wrong.
 */
function validationRefusal(err: FastifyError, request: FastifyRequest) {
  const part = err.validationContext ?? 'body';
  const input =
    part === 'querystring'
      ? request.query
      : part === 'params'
        ? request.params
        : part === 'headers'
          ? request.headers
          : request.body;
  const issues = (err.validation ?? []).map((issue) => ({
    keyword: issue.keyword,
    instancePath: issue.instancePath,
    message: issue.message ?? '',
    params: issue.params,
  }));
  const problems = describeValidationIssues(issues, part, input);
  const first = problems[0] ?? { message: `The request ${part} is not valid.` };
  const details = problems
    .slice(0, MAX_VALIDATION_DETAILS)
    .map((p) => ({ code: 'invalidRequest', message: p.message, ...(p.target ? { target: p.target } : {}) }));
  return { message: first.message, target: first.target, details };
}

/**
 * `WWW-Authenticate` for a claims challenge as Entra writes it: `realm`, the `authorization_uri` a
 * client sends the user to, `error="insufficient_claims"` and the claims request, base64-encoded.
 */
export function claimsChallengeHeader(claims: string, authorizationUri = ''): string {
  const encoded = Buffer.from(claims).toString('base64');
  return `Bearer realm="", authorization_uri="${authorizationUri}", error="insufficient_claims", claims="${encoded}"`;
}

/**
 * The one error mapper: domain errors → status + Graph envelope; Fastify/zod errors → 4xx;
 * anything else → 500 with a generic message (the cause is logged, never sent).
 */
export function makeErrorHandler(clock: Clock, authorizationUri?: string) {
  return function handleError(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const now = clock.now();
    if (err instanceof DomainError) {
      if (err instanceof RateLimitedError) void reply.header('retry-after', String(err.retryAfterSeconds));
      if (err.kind === 'unauthenticated') {
        // RFC 6750 §3: name the error only when a token was presented.
        const presented = typeof request.headers.authorization === 'string';
        void reply.header('www-authenticate', presented ? 'Bearer error="invalid_token"' : 'Bearer');
      }
      // Step-up: Elevate's clients re-run sign-in with MFA and retry (docs/identity.md).
      if (err instanceof PolicyViolationError && err.failedRules.includes('MfaRule')) {
        void reply.header('www-authenticate', insufficientClaimsChallenge());
      }
      // An authentication context is missing: Entra's claims challenge (ADR 0021).
      if (err instanceof ClaimsChallengeError) {
        void reply.header('www-authenticate', claimsChallengeHeader(err.claims, authorizationUri));
      }
      const target = 'target' in err && typeof err.target === 'string' ? { target: err.target } : {};
      // Why each policy rule failed, beside Graph's fixed code and message (docs/pim.md).
      const details =
        err instanceof PolicyViolationError && err.details.length > 0 ? { details: err.details } : {};
      return reply
        .status(STATUS[err.kind])
        .send(graphError(request, now, err.code, err.message, { ...target, ...details }));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const { message, target, details } = validationRefusal(err, request);
      return reply.status(400).send(
        graphError(request, now, 'invalidRequest', message, {
          ...(target === undefined ? {} : { target }),
          ...(details.length > 1 ? { details } : {}),
        }),
      );
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err }, 'response failed its schema');
      return reply
        .status(500)
        .send(graphError(request, now, 'generalException', 'An internal error occurred.'));
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code =
        status === 413 ? 'RequestBodyTooLarge' : status === 415 ? 'UnsupportedMediaType' : 'BadRequest';
      const message =
        err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
          ? 'The request body is not valid JSON.'
          : status === 415
            ? 'Content-Type must be application/json.'
            : status === 413
              ? 'The request body is too large.'
              : 'The request is malformed.';
      return reply.status(status).send(graphError(request, now, code, message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .send(graphError(request, now, 'generalException', 'An internal error occurred.'));
  };
}
