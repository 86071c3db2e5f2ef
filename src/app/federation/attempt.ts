import type { Signer } from '../../domain/sign-in/sign-in-events.js';
import type { Actor } from '../events/ports.js';
import { signerActor, type AttemptContext } from '../sign-in/sign-in-attempts.js';
import type { FederationPolicy } from './ports.js';

/** One sign-in (or first sight of an access token) through a trusted issuer, read once. */
export interface Attempt {
  issuer: FederationPolicy;
  /** The use case's single clock reading. */
  now: number;
  ctx: AttemptContext;
  /** Elevate's `amr` for this authentication (`amrFromExternal`). */
  amr: readonly string[];
  newId: () => string;
}

/** The person signing in as the actor of what the attempt records, in the issuer's tenant. */
export const attemptActor = (a: Attempt, who: Signer): Actor =>
  signerActor(a.issuer.tenantId, who, a.ctx, a.amr);
