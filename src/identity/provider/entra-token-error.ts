import type { ClientRejection } from './token-request-context.js';

/**
 * An OAuth error response as Microsoft Entra ID writes it, which MSAL and azure-identity read
 * (`error_codes`, `correlation_id` and `trace_id` end up in their exceptions and logs):
 * `error` and its status stay what RFC 6749 says; `error_description` starts with the AADSTS code.
 */
export interface EntraTokenError {
  error: string;
  error_description: string;
  error_codes: number[];
  /** `YYYY-MM-DD HH:MM:SSZ`, as Entra writes it. */
  timestamp: string;
  trace_id: string;
  correlation_id: string;
}

/** What is known about a refused request when its error body is written. */
export interface TokenErrorFacts {
  /** oidc-provider's (or our) RFC 6749 error code and description. */
  error: string;
  description: string | undefined;
  /** oidc-provider's internal reason (`error_detail`), e.g. `client not found`. */
  detail: string | undefined;
  rejection: ClientRejection | undefined;
  /** The `{tenant}` path segment, when it is one we may repeat. */
  tenant: string | undefined;
  /** The presented `client_id`, when it is one we may repeat. */
  clientId: string | undefined;
  /** The presented `grant_type`, when it is one we may repeat. */
  grantType: string | undefined;
  /** The `{tenant}` in the path names no tenant of this server. */
  tenantProblem?: boolean;
}

/** Values we repeat back in a description: short, and from a safe alphabet. */
const REPEATABLE = /^[A-Za-z0-9][A-Za-z0-9._:~-]{0,127}$/;

/** `value` if it is safe to repeat in a description, else undefined. */
export function repeatable(value: unknown): string | undefined {
  return typeof value === 'string' && REPEATABLE.test(value) ? value : undefined;
}

interface Described {
  code: number;
  message: string;
  /** Append oidc-provider's description (it is ours or generic, never a secret). */
  withDescription?: boolean;
}

const quoted = (value: string | undefined, fallback: string) =>
  value === undefined ? fallback : `'${value}'`;

/** The AADSTS code and message for a client-authentication failure. */
function invalidClient(f: TokenErrorFacts): Described {
  const app = quoted(f.clientId, 'the application');
  switch (f.rejection) {
    case 'notFound':
      return {
        code: 700016,
        message:
          `Application with identifier ${app} was not found in the directory` +
          `${f.tenant === undefined ? '' : ` '${f.tenant}'`}. Check the client id, and that the request is sent to the application's tenant.`,
      };
    case 'disabled':
      return { code: 7000112, message: `Application ${app} is disabled.` };
    case 'expiredSecret':
      return {
        code: 7000222,
        message: `The provided client secret keys for app ${app} are expired. Add a new secret to the application (addPassword) and use it.`,
      };
    case 'wrongSecret':
      return {
        code: 7000215,
        message: `Invalid client secret provided. Send the secret's value (secretText, shown once when it was added), not its keyId, for a secret of app ${app}.`,
      };
    case undefined:
      break;
  }
  if (f.detail?.includes('authentication mechanism does not match') === true) {
    return {
      code: 7000218,
      message:
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    };
  }
  return { code: 50012, message: 'Client authentication failed.', withDescription: false };
}

function invalidRequest(f: TokenErrorFacts): Described {
  const reason = f.detail ?? f.description ?? '';
  const missing = /^missing required parameters? (.+)$/.exec(reason);
  if (missing !== null) {
    return {
      code: 900144,
      message: `The request body must contain the following parameter: ${missing[1] ?? ''}.`,
    };
  }
  if (reason === 'no client authentication mechanism provided') {
    return { code: 900144, message: "The request body must contain the following parameter: 'client_id'." };
  }
  if (f.description === "The request body must contain the 'scope' parameter.") {
    return { code: 900144, message: "The request body must contain the following parameter: 'scope'." };
  }
  return {
    code: 9002313,
    message: 'Invalid request. Request is malformed or invalid.',
    withDescription: true,
  };
}

function invalidGrant(f: TokenErrorFacts): Described {
  const detail = f.detail ?? '';
  if (detail === 'authorization code already consumed') {
    return { code: 54005, message: 'The authorization code was already redeemed; request a new one.' };
  }
  if (detail.includes('code_verifier')) {
    return {
      code: 501481,
      message: 'The code_verifier does not match the code_challenge supplied in the authorization request.',
    };
  }
  if (/expired/.test(detail)) {
    return {
      code: 70008,
      message: 'The provided authorization code or refresh token has expired. Sign in again.',
    };
  }
  return { code: 70000, message: 'The provided grant is invalid, expired or revoked.' };
}

/**
 * Entra's AADSTS code and message for each refusal. Unknown tenant, unknown application, disabled
 * application, expired and wrong secrets are told apart, as Entra does (ADR 0016); the OAuth
 * `error` (and with it the HTTP status) is never changed here.
 */
export function describeTokenError(f: TokenErrorFacts): Described {
  if (f.tenantProblem === true) {
    return f.tenant === undefined
      ? {
          code: 900023,
          message: 'Specified tenant identifier is neither a valid directory id nor a valid domain name.',
        }
      : { code: 90002, message: `Tenant '${f.tenant}' not found. Check the tenant id in the URL.` };
  }
  switch (f.error) {
    case 'invalid_client':
      return invalidClient(f);
    case 'invalid_request':
      return invalidRequest(f);
    case 'invalid_grant':
      return invalidGrant(f);
    case 'unauthorized_client':
      return { code: 70001, message: 'The application is not allowed to use this grant type.' };
    case 'unsupported_grant_type':
      return {
        code: 70003,
        message: `The app requested an unsupported grant type${f.grantType === undefined ? '' : ` '${f.grantType}'`}.`,
      };
    case 'invalid_scope':
      return {
        code: 70011,
        message: "The provided value for the input parameter 'scope' is not valid.",
        withDescription: true,
      };
    case 'invalid_target':
      return { code: 500011, message: 'The resource principal was not found.', withDescription: true };
    case 'authorization_pending':
      return {
        code: 70016,
        message:
          'The request has not yet been authorized by the user. The user must enter their code. Keep polling.',
      };
    case 'slow_down':
      return { code: 70016, message: 'Polling too fast: wait longer between requests, then keep polling.' };
    case 'expired_token':
      return { code: 70019, message: 'The device code expired. Start the sign-in again.' };
    case 'access_denied':
      return { code: 65004, message: 'The user declined the sign-in request.' };
    case 'server_error':
    case 'temporarily_unavailable':
      return { code: 90033, message: 'A transient error has occurred. Try again.' };
    default:
      return {
        code: 9002313,
        message: 'Invalid request. Request is malformed or invalid.',
        withDescription: true,
      };
  }
}

/** `2026-12-06 09:30:07Z` */
export function entraTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** The whole Entra-shaped body: description with the code in front and the ids at the end, as Entra's. */
export function entraTokenError(
  f: TokenErrorFacts,
  ids: { traceId: string; correlationId: string; nowMs: number },
): EntraTokenError {
  const { code, message, withDescription } = describeTokenError(f);
  const extra =
    withDescription === true && f.description !== undefined && f.description !== message
      ? ` ${f.description}`
      : '';
  const timestamp = entraTimestamp(ids.nowMs);
  return {
    error: f.error,
    error_description:
      `AADSTS${code}: ${message}${extra}` +
      `\r\nTrace ID: ${ids.traceId}\r\nCorrelation ID: ${ids.correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: ids.traceId,
    correlation_id: ids.correlationId,
  };
}
