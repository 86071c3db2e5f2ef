import { ClientError, EXIT, type ExitCode } from './exit-codes.js';

/** How long one HTTP exchange may take before the CLI gives up on the server. */
const TIMEOUT_MS = 30_000;

/** The answer of one exchange: status and parsed JSON (undefined for an empty body). */
export interface JsonAnswer {
  status: number;
  json: unknown;
}

/**
 * One HTTP exchange with Node's fetch, JSON or form body, JSON answer.
 * @throws ClientError (unreachable) when no answer comes: refused, reset, DNS, timeout.
 */
export async function exchange(
  url: string,
  init: { method?: string; headers?: Record<string, string>; json?: unknown; form?: Record<string, string> },
): Promise<JsonAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  let body: string | undefined;
  if (init.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new ClientError(`cannot reach ${new URL(url).origin}: ${networkReason(error)}`, EXIT.unreachable);
  }
  const text = await response.text();
  let json: unknown;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, json };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'unknown host';
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  return oneLine(cause?.message ?? (error instanceof Error ? error.message : String(error)));
}

/** Collapses a message to one line (server messages may carry Entra's `\r\n` trailers). */
export function oneLine(text: string): string {
  return text.split(/\r?\n/)[0]?.trim() ?? '';
}

/** Graph error codes that mean "the rules do not allow this", not "something broke". */
const REFUSAL_CODES =
  /PolicyValidationFailed|ActiveDurationTooShort|RoleAssignmentExists|Authorization_RequestDenied|Forbidden|Unauthorized/i;

/**
 * The ClientError for a Graph error answer: the envelope's code and message on one line, the exit
 * code from the status (401 authentication, 403 and policy refusals refused, 404 not found).
 */
export function graphError(answer: JsonAnswer, what: string): ClientError {
  return apiError(answer, what, () => false);
}

/**
 * ARM error codes that mean "no such thing" although ARM answers them with 400: the role, or the
 * assignment a removal or deactivation names, does not exist.
 */
const ARM_NOT_FOUND = /^(RoleDefinitionDoesNotExist|RoleAssignmentDoesNotExist|ResourceScopeNotFound)$/i;

/**
 * The ClientError for an Azure Resource Manager error answer (`{"error":{"code","message"}}`, the
 * same envelope as Graph's without `innerError`): the exit codes of Graph's, and ARM's own codes
 * for an unknown role or scope are "not found".
 */
export function armError(answer: JsonAnswer, what: string): ClientError {
  return apiError(answer, what, (code) => ARM_NOT_FOUND.test(code));
}

function apiError(answer: JsonAnswer, what: string, notFound: (code: string) => boolean): ClientError {
  const error = (answer.json as { error?: { code?: string; message?: string } } | undefined)?.error;
  const code = error?.code ?? `HTTP ${answer.status}`;
  const message = oneLine(error?.message ?? 'the server gave no details');
  let exitCode: ExitCode = EXIT.general;
  if (answer.status === 401) {
    return new ClientError(
      `${what}: not signed in or the sign-in expired (${code}); run \`elevate login\``,
      EXIT.authentication,
    );
  }
  if (answer.status === 404 || code === 'RoleAssignmentDoesNotExist' || notFound(code))
    exitCode = EXIT.notFound;
  else if (answer.status === 403 || REFUSAL_CODES.test(code)) exitCode = EXIT.refused;
  else if (answer.status === 429 || answer.status >= 500) exitCode = EXIT.general;
  return new ClientError(`${what}: ${code}: ${message}`, exitCode);
}
