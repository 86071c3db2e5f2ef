import type { AuthenticationContext } from '../../domain/authn/authentication-context.js';
import type { UnitOfWork } from '../ports.js';

/**
 * A tenant's authentication contexts for the authorization server: read at each user-token
 * issuance (the `acrs` claim) and when a request asks for a context. One short read unit each.
 */
export function makeAuthenticationContextDirectory(deps: { uow: UnitOfWork }) {
  return {
    forTenant: (tenantId: string): Promise<AuthenticationContext[]> =>
      deps.uow.run((tx) => tx.authenticationContexts.list(tenantId)),
  };
}
