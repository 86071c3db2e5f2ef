import type { Reply } from './http.js';
import { schemaErrors, type Schema } from './json-schema.js';
import { statedRelation } from '../../http/support/stated-relations.js';
import { documentedResponse, type Op } from './openapi.js';

/** Something a response did that the document does not say it does. */
export interface Finding {
  kind:
    | 'status' // a status the operation does not document
    | 'server-error' // any 5xx
    | 'body' // a body that does not match the documented schema (or is missing, or extra)
    | 'content-type' // documented as JSON, sent as something else
    | 'accepted-invalid' // a 2xx for a request the document calls invalid
    | 'security' // answered without a token contrary to the document (or refused one it says is open)
    | 'state' // a refused request changed state beyond its refusal entry
    | 'header' // a response without `request-id`
    | 'stricter' // a request valid by the document refused for its form (validation the document does not show)
    | 'document'; // the document contradicts itself (e.g. a 204 with a body)
  op: string;
  /** Which kind of request met it (`valid/none`, `invalid/body`, `method`, `no-token`, …). */
  label: string;
  status: number;
  detail: string;
  request: string;
}

/**
 * Statuses any operation may answer, documented once in docs/api.md rather than per operation:
 * 413 (body over 1 MiB) and 415 (not JSON), 429 with `Retry-After` once the API is rate limited,
 * and 431 (request line and headers over Node's 16 KiB: a URL of several long query options that
 * are each within their documented length). 500 and 503 are documented there too, but the fuzz
 * allows no 5xx at all.
 */
export const GENERIC_STATUSES = new Set([413, 415, 429, 431]);

/**
 * Error codes that refuse a request for its form rather than for the state it meets: a refusal
 * with one of them of a request the document calls valid shows validation the document does not
 * declare. (OData expression errors — `invalidFilter`, `invalidSelect`, `invalidOrderBy`,
 * `invalidSkipToken` — are left out: their grammar cannot be written as a JSON schema.)
 */
const FORM_CODES = new Set([
  'invalidRequest',
  'unsupportedQueryOption',
  'invalidTop',
  'invalidSkip',
  'invalidCount',
]);

/**
 * The Graph error envelope, as the document gives it for every 400 of the Graph API (`/v1.0`;
 * OpenID discovery answers an unknown tenant with an OAuth error body instead).
 */
export function errorEnvelope(ops: readonly Op[]): Schema {
  for (const op of ops) {
    if (!op.path.startsWith('/v1.0/')) continue;
    const schema = op.op.responses['400']?.content?.['application/json']?.schema;
    if (schema) return schema;
  }
  throw new Error('the document has no 400 response to take the error envelope from');
}

export interface Expectation {
  /** The statuses this request may get; by default the operation's documented ones. */
  statuses?: Set<number>;
  /** A request broken on purpose must be refused. */
  mustRefuse?: boolean;
  /** Sent without a token: `true` when the document says the operation needs one. */
  unauthenticatedSecured?: boolean;
  /** Valid by the document: a refusal for its form is a finding. */
  validByDocument?: boolean;
}

/** What is wrong with `res` as an answer of `op` (empty when it keeps the contract). */
export function checkReply(
  op: Op,
  res: Reply,
  request: string,
  label: string,
  envelope: Schema,
  expect: Expectation = {},
): Finding[] {
  const findings: Finding[] = [];
  const found = (kind: Finding['kind'], detail: string) =>
    findings.push({ kind, op: op.name, label, status: res.status, detail, request });
  const documented = new Set(Object.keys(op.op.responses).map(Number));
  if (res.status >= 500) found('server-error', res.text.slice(0, 300));
  const allowed = expect.statuses ?? documented;
  const generic = GENERIC_STATUSES.has(res.status);
  if (!allowed.has(res.status) && !generic && res.status < 500)
    found('status', `not among ${[...allowed].sort().join(', ')}: ${res.code ?? res.text.slice(0, 120)}`);
  if (expect.mustRefuse && res.status < 400) found('accepted-invalid', `answered ${res.status}`);
  if (expect.unauthenticatedSecured === true && res.status !== 401)
    found('security', `documented as needing a token, answered ${res.status} without one`);
  if (expect.unauthenticatedSecured === false && res.status === 401)
    found('security', 'documented as open, answered 401 without a token');
  if (!res.headers.get('request-id')) found('header', 'no request-id header');
  const error = (res.json as { error?: { message: string; target?: string } } | undefined)?.error;
  if (
    expect.validByDocument &&
    res.status === 400 &&
    res.code !== undefined &&
    FORM_CODES.has(res.code) &&
    error !== undefined &&
    // A relation between fields the operation's description states is documented (as the OpenAPI
    // contract test holds too): no JSON schema can state it.
    !(res.code === 'invalidRequest' && statedRelation(op.path, op.op.description, error.message))
  ) {
    found(
      'stricter',
      `${res.code}${error.target ? ` (${error.target})` : ''}: ${error.message.slice(0, 160)}`,
    );
  }

  // The body: the documented one for this status, or the error envelope for generic statuses.
  const doc = documented.has(res.status) ? documentedResponse(op.op, res.status) : undefined;
  const jsonSchema: Schema | undefined =
    doc === undefined
      ? res.status >= 400
        ? envelope
        : undefined
      : doc.content?.['application/json']?.schema;
  const declaresBody = doc === undefined ? res.status >= 400 : doc.content !== undefined;
  if (res.status >= 500) return findings;
  if (!declaresBody) {
    if (res.text !== '') found('body', `documented without a body, sent ${res.text.slice(0, 120)}`);
    return findings;
  }
  const type = res.headers.get('content-type') ?? '';
  const media = type.split(';')[0]!.trim().toLowerCase();
  const mediaTypes = Object.keys(doc?.content ?? {});
  // A documented media type other than JSON: its body is text the document cannot check further.
  if (media !== 'application/json' && mediaTypes.includes(media)) return findings;
  if (jsonSchema === undefined) {
    if (doc !== undefined && !mediaTypes.includes(media))
      found('content-type', `documented as ${mediaTypes.join(', ')}, sent ${type}`);
    return findings;
  }
  if (res.text === '') {
    found('body', 'documented with a JSON body, sent none');
    return findings;
  }
  if (!type.startsWith('application/json')) {
    found('content-type', `documented as ${mediaTypes.join(', ') || 'application/json'}, sent ${type}`);
    return findings;
  }
  if (res.json === undefined) {
    found('body', 'not JSON');
    return findings;
  }
  const errors = schemaErrors(jsonSchema, res.json);
  if (errors.length > 0) found('body', errors.slice(0, 3).join('; '));
  return findings;
}
