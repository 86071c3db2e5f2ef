import type { Caller } from '../app/authorization/caller.js';

/**
 * What the HTTP layer needs from the rest of Elevate. Here are the kernel's two; each feature
 * module adds its use cases by augmenting this interface (`src/modules/<feature>.ts`), and the
 * composition root builds it from the module list.
 */
export interface Services {
  /** Verifies the bearer token and resolves the live caller. @throws UnauthenticatedError */
  authenticate(
    authorization: string | undefined,
    ctx: { ip: string | null; userAgent: string | null; requestId: string; clientOrigin?: string | null },
  ): Promise<Caller>;
  /** Database reachable and migrations current. */
  ready(): Promise<{ ready: boolean; reason?: string }>;
}
