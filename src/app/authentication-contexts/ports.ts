import type { AuthenticationContext } from '../../domain/authn/authentication-context.js';

/** A tenant's authentication contexts (`c1`…`c99`, at most 99 per tenant by construction). */
export interface AuthenticationContextStore {
  /** Every context of the tenant, by number. */
  list(tenantId: string): Promise<AuthenticationContext[]>;
  get(tenantId: string, id: string): Promise<AuthenticationContext | undefined>;
  /** Inserts a new one; false when the id is taken (a concurrent create won). */
  insert(context: AuthenticationContext): Promise<boolean>;
  /** Compare-and-set on `version`; false when it moved. */
  update(context: AuthenticationContext, expectedVersion: number): Promise<boolean>;
  /** Compare-and-set on `version`; false when it moved or is gone. */
  delete(tenantId: string, id: string, expectedVersion: number): Promise<boolean>;
}

declare module '../ports.js' {
  interface Stores {
    /** Authentication contexts and the requirement each is bound to. */
    authenticationContexts: AuthenticationContextStore;
  }
}
