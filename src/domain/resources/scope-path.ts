import { ValidationError } from '../shared/errors.js';

/** The root of every resource hierarchy: it always exists and is never stored. */
export const ROOT_SCOPE = '/';

/** Longest scope path accepted (Azure resource ids stay well below it). */
export const MAX_SCOPE_PATH_LENGTH = 1024;

/** Deepest hierarchy accepted: a subscription, a resource group, a provider, nested resources. */
export const MAX_SCOPE_DEPTH = 32;

/**
 * One segment of a scope path: letters, digits and `-._~@:+=,()'` (what Azure resource names and
 * provider namespaces use), not starting with a dot (so never `.` or `..`), at most 256 characters.
 */
const SEGMENT = /^[A-Za-z0-9\-_~@:+=,()'][A-Za-z0-9\-._~@:+=,()']{0,255}$/;

/** A regex for route schemas: a path of such segments, or the root. */
export const SCOPE_PATH_PATTERN = "^(/|(/[A-Za-z0-9\\-_~@:+=,()'][A-Za-z0-9\\-._~@:+=,()']{0,255}){1,32})$";

/**
 * Checks a scope path and returns it as stored: `/` or `/seg/seg…`, no empty segment, no trailing
 * slash, no `.`/`..`, bounded. Case is kept (Azure ids are case-insensitive; comparisons here are
 * exact, so clients should send one spelling — docs/resources.md).
 * @throws ValidationError `InvalidResourceScope`
 */
export function checkScopePath(path: string): string {
  const bad = (why: string) =>
    new ValidationError(`Invalid scope path '${path.slice(0, 80)}': ${why}.`, 'id', 'InvalidResourceScope');
  if (path === ROOT_SCOPE) return path;
  if (path.length > MAX_SCOPE_PATH_LENGTH) throw bad(`longer than ${MAX_SCOPE_PATH_LENGTH} characters`);
  if (!path.startsWith('/')) throw bad("it must start with '/'");
  if (path.endsWith('/')) throw bad('it must not end with a slash');
  const segments = path.slice(1).split('/');
  if (segments.length > MAX_SCOPE_DEPTH) throw bad(`deeper than ${MAX_SCOPE_DEPTH} segments`);
  for (const s of segments) {
    if (s === '') throw bad('empty segment');
    if (s.startsWith('.')) throw bad("a segment may not start with '.' ('.' and '..' are not segments)");
    if (!SEGMENT.test(s))
      throw bad(`segment '${s.slice(0, 40)}' has characters outside A-Z a-z 0-9 - . _ ~ @ : + = , ( ) '`);
  }
  return path;
}

/** The parent of a (checked) scope path; the root has none. */
export function parentOf(path: string): string | null {
  if (path === ROOT_SCOPE) return null;
  const i = path.lastIndexOf('/');
  return i === 0 ? ROOT_SCOPE : path.slice(0, i);
}

/**
 * The scope and every scope above it, nearest first, ending at the root:
 * `/a/b` → `['/a/b', '/a', '/']`. Matching by this list is matching on segment boundaries: `/a/b`
 * is above `/a/b/c` but not above `/a/bc`.
 */
export function scopeAndAncestors(path: string): string[] {
  const out: string[] = [];
  for (let p: string | null = path; p !== null; p = parentOf(p)) out.push(p);
  return out;
}

/** Whether `scope` is `ancestor` or below it (segment boundaries, exact case). */
export function isWithin(scope: string, ancestor: string): boolean {
  if (ancestor === ROOT_SCOPE || scope === ancestor) return true;
  return scope.startsWith(`${ancestor}/`);
}
