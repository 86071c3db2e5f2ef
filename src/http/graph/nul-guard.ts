import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/shared/errors.js';

/** Deeper structures are left to the route schemas, none of which nests this far. */
const MAX_DEPTH = 32;

/**
 * `preValidation` hook: refuses NUL (U+0000) anywhere in the path parameters, query string or JSON
 * body. PostgreSQL can neither store nor compare text containing NUL, so such input would pass on
 * SQLite and fail deep in the store as a 500 on PostgreSQL; no Graph value needs it.
 * @throws ValidationError (`invalidRequest`, 400) naming the property, never echoing the value
 */
export async function rejectNulCharacters(request: FastifyRequest): Promise<void> {
  const parts = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ] as const;
  for (const [where, value] of parts) {
    const path = nulPath(value, [], 0);
    if (path === undefined) continue;
    const name = path.join('.');
    throw new ValidationError(
      `Invalid ${where}${name ? ` property '${name}'` : ''}: must not contain NUL characters.`,
      name || undefined,
    );
  }
}

/** The path to the first string or key containing NUL, or undefined. */
function nulPath(value: unknown, path: string[], depth: number): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const safeKey = key.replaceAll('\u0000', '\\0').slice(0, 64);
    if (key.includes('\u0000')) return [...path, safeKey];
    const found = nulPath(item, [...path, safeKey], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
