/**
 * Domain errors carry a stable `code` and details, never an HTTP status.
 * `src/http/errors.ts` alone maps them to a status and the Graph error envelope.
 */
export abstract class DomainError extends Error {
  abstract readonly kind:
    'validation' | 'notFound' | 'conflict' | 'forbidden' | 'unauthenticated' | 'rateLimited' | 'badRequest';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input is malformed or out of bounds. Maps to 400. */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(
    message: string,
    readonly target?: string,
    code = 'invalidRequest',
  ) {
    super(code, message);
  }
}

/** A well-formed request that the current state refuses (e.g. `RoleAssignmentExists`). Maps to 400. */
export class BadRequestError extends DomainError {
  readonly kind = 'badRequest' as const;
}

/**
 * A refusal the caller can overcome by signing in again to get a token with more claims: `claims`
 * is the JSON claims request (`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`) the
 * edge sends back in a `WWW-Authenticate: … error="insufficient_claims"` challenge. Maps to 400.
 */
export class ClaimsChallengeError extends BadRequestError {
  constructor(
    code: string,
    message: string,
    readonly claims: string,
  ) {
    super(code, message);
  }
}

/** Not found, or not visible to the caller (we never say which). Maps to 404. */
export class NotFoundError extends DomainError {
  readonly kind = 'notFound' as const;
  constructor(message = 'The requested resource does not exist.', code = 'Request_ResourceNotFound') {
    super(code, message);
  }
}

/** Stale state: a compare-and-set lost, or a unique value is taken. Maps to 409. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
  constructor(message = 'The resource was changed by another request.', code = 'conflict') {
    super(code, message);
  }
}

/** Authenticated but not allowed. Maps to 403. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor(
    message = 'Insufficient privileges to complete the operation.',
    code = 'Authorization_RequestDenied',
  ) {
    super(code, message);
  }
}

/** No valid credentials. Maps to 401. */
export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated' as const;
  constructor(message = 'Access token is missing or invalid.', code = 'InvalidAuthenticationToken') {
    super(code, message);
  }
}

/** Too many attempts. Maps to 429 with Retry-After. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rateLimited' as const;
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests.',
  ) {
    super('TooManyRequests', message);
  }
}
