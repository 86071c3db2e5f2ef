import type { FastifyRequest } from 'fastify';
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
    found: (text: string) => LONE_SURROGATE.test(text),
    words: 'must not contain lone UTF-16 surrogates',
  },
] as const;

/**
 * `preValidation` hook: refuses NUL (U+0000) and lone UTF-16 surrogates anywhere in the path
 * parameters, query string or JSON body (keys and values). Such input would pass on SQLite and
 * fail deep in the store as a 500 on PostgreSQL (NUL), or be stored altered (surrogates); no Graph
 * value needs either.
 * @throws ValidationError (`invalidRequest`, 400) naming the property, never echoing the value
 */
export async function rejectNulCharacters(request: FastifyRequest): Promise<void> {
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
      throw new ValidationError(
        `Invalid ${where}${name ? ` property '${name}'` : ''}: ${problem.words}.`,
        name || undefined,
      );
    }
  }
}

/** A key as the refusal names it: NUL shown as `\0`, a lone surrogate as `\uXXXX`, cut short. */
function safeKey(key: string): string {
  return key
    .replaceAll('\u0000', '\\0')
    .replace(new RegExp(LONE_SURROGATE.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16)}`)
    .slice(0, 64);
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
