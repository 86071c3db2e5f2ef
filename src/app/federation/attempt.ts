import type { AuditActivity } from '../../domain/audit/activities.js';
import { auditDraft } from '../../domain/audit/draft.js';
import type { AuditDraft, Initiator, TargetResource } from '../../domain/audit/entry.js';
import type { User } from '../../domain/directory/types.js';
import type { AttemptContext } from '../sign-in/sign-in.js';
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

/** The person signing in, as audit entries name them (the user, once known). */
export const signerOf = (a: Attempt, user: User | undefined, upn: string | null = null): Initiator => ({
  user: {
    id: user?.id ?? '',
    displayName: user?.displayName ?? null,
    userPrincipalName: user?.userPrincipalName ?? upn,
    ipAddress: a.ctx.ip,
  },
  app: null,
});

/** An audit entry for something the attempt did, naming the issuer in `additionalDetails`. */
export const attemptEntry = (
  a: Attempt,
  by: Initiator,
  activity: AuditActivity,
  targets: TargetResource[],
  result: { result?: 'failure'; resultReason?: string } = {},
): AuditDraft =>
  auditDraft({
    id: a.newId(),
    tenantId: a.issuer.tenantId,
    now: a.now,
    activity,
    initiatedBy: by,
    context: { userAgent: a.ctx.userAgent, amr: a.amr, correlationId: null },
    targets,
    additionalDetails: [{ key: 'identityProvider', value: a.issuer.id }],
    ...result,
  });
