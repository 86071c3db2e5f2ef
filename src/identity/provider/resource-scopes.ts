/**
 * Entra-style clients ask for an application token with `scope=<resource>/.default` (v2 endpoint)
 * instead of an RFC 8707 `resource` parameter. These helpers map that scope onto the one resource
 * server Elevate issues tokens for, and reject everything else.
 */

const DEFAULT_SUFFIX = '/.default';
const MAX_SCOPE_LENGTH = 2048;

/**
 * Canonical form of a resource URI: scheme and host lower-cased (URL parsing does that), no
 * trailing slash, no query, fragment or credentials. `undefined` when it is not such a URI, so
 * `https://graph.microsoft.com`, `https://graph.microsoft.com/` and `HTTPS://Graph.Microsoft.com`
 * are one resource.
 */
export function canonicalResource(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return undefined;
  }
  if (uri.includes('?') || uri.includes('#')) return undefined;
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** Why a requested scope cannot be served, in OAuth terms. */
export interface ScopeRejection {
  error: 'invalid_request' | 'invalid_scope';
  description: string;
}

/**
 * Resolves `scope` to the canonical allowed resource it names. Exactly one `<resource>/.default`
 * value is accepted, as Entra does for the client-credentials grant; a missing scope is
 * `invalid_request` (Entra: "must contain the 'scope' parameter"), anything else `invalid_scope`.
 */
export function resolveDefaultScope(
  scope: string | undefined,
  allowedResources: ReadonlySet<string>,
): { resource: string } | ScopeRejection {
  const values = (scope ?? '').split(' ').filter((value) => value.length > 0);
  if (values.length === 0) {
    return { error: 'invalid_request', description: "The request body must contain the 'scope' parameter." };
  }
  if ((scope ?? '').length > MAX_SCOPE_LENGTH) {
    return { error: 'invalid_scope', description: 'The provided scope is too long.' };
  }
  const [only, ...rest] = values;
  if (only === undefined || rest.length > 0 || !only.endsWith(DEFAULT_SUFFIX)) {
    return {
      error: 'invalid_scope',
      description: "The scope must be a single '<resource>/.default' value for the client_credentials flow.",
    };
  }
  const resource = canonicalResource(only.slice(0, -DEFAULT_SUFFIX.length));
  if (resource === undefined || !allowedResources.has(resource)) {
    return { error: 'invalid_scope', description: 'The provided resource is not recognized.' };
  }
  return { resource };
}
