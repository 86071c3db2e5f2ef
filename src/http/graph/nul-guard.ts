import type { FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/shared/errors.js';

/** Deeper structures are left to the route schemas, none of which nests this far. */
const MAX_DEPTH = 32;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What makes a string unfit to store, with the words the refusal uses. */
const PROBLEMS = [
  {
    // PostgreSQL can neither store nor compare text containing NUL.
    found: (text: string) => text.includes('\u0000'),
    words: 'must not contain NUL characters',
  },
  {
    // JSON may escape a lone surrogate ("\ud800"); it is no character at all, and each store would
    // silently replace it (U+FFFD), so what is kept would differ from what was sent.
    found: (text: string) => !text.isWellFormed(),
    words: 'must not contain lone UTF-16 surrogates',
  },
] as const;

/**
 * Any of the problems above. Two native scans: a regular expression with look-around for lone
 * surrogates tried every position of every string and was the largest cost of a 100-question
 * AuthZEN batch (issue 16).
 */
const unfit = (text: string) => text.includes('\u0000') || !text.isWellFormed();
/** `safeKey`'s replacement pattern, compiled once. */
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * `preValidation` hook: refuses NUL (U+0000) and lone UTF-16 surrogates anywhere in the path
 * parameters, query string or JSON body (keys and values). Such input would pass on SQLite and
 * fail deep in the store as a 500 on PostgreSQL (NUL), or be stored altered (surrogates); no Graph
 * value needs either. A callback hook, not an async one: it runs on every request of the API
 * (AuthZEN's included), and a promise per request is a cost the common case need not pay.
 * Refuses with a ValidationError (`invalidRequest`, 400, passed to `done`) naming the property,
 * never echoing the value.
 */
export function rejectNulCharacters(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: (err?: Error) => void,
): void {
  // One allocation-free walk when all is well; the walks that name the property run only when
  // something was found.
  if (hasUnfit(request.params, 0) || hasUnfit(request.query, 0) || hasUnfit(request.body, 0)) {
    done(refusal(request));
    return;
  }
  done();
}

/** The refusal naming the first property with a problem, in the order of `PROBLEMS`. */
function refusal(request: FastifyRequest): ValidationError {
  const parts = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ] as const;
  for (const problem of PROBLEMS) {
    for (const [where, value] of parts) {
      const path = badPath(value, problem.found, [], 0);
      if (path === undefined) continue;
      const name = path.join('.');
      return new ValidationError(
        `Invalid ${where}${name ? ` property '${name}'` : ''}: ${problem.words}.`,
        name || undefined,
      );
    }
  }
  // hasUnfit and PROBLEMS test the same things, so one of them names it.
  return new ValidationError('Invalid request: must not contain NUL characters or lone UTF-16 surrogates.');
}

/** A key as the refusal names it: NUL shown as `\0`, a lone surrogate as `\uXXXX`, cut short. */
function safeKey(key: string): string {
  return key
    .replaceAll('\u0000', '\\0')
    .replace(LONE_SURROGATES, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
    .slice(0, 64);
}

/** Whether any string or key in `value` has a problem of `PROBLEMS`. */
function hasUnfit(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return unfit(value);
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    // Indices are no problem; only the items are walked (`for…in` would make a key string each).
    for (const item of value as unknown[]) if (hasUnfit(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (unfit(key) || hasUnfit((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/** The path to the first string or key `found` flags, or undefined. */
function badPath(
  value: unknown,
  found: (text: string) => boolean,
  path: string[],
  depth: number,
): string[] | undefined {
  if (typeof value === 'string') return found(value) ? path : undefined;
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (found(key)) return [...path, safeKey(key)];
    const inner = badPath(item, found, [...path, safeKey(key)], depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}
