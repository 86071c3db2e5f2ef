import {
  verifyApprovalLink,
  type ApprovalLinkClaims,
  type LinkRefusal,
} from '../../domain/notifications/approval-link.js';
import { contextSatisfied } from '../../domain/authn/authentication-context.js';
import { requestedDurationMs } from '../../domain/pim/approval.js';
import { ruleFor } from '../../domain/pim/policy-checks.js';
import { lengthOf } from '../../domain/notifications/templates.js';
import type { Clock } from '../../domain/time/clock.js';
import type { Caller } from '../authorization/caller.js';
import type { UnitOfWork } from '../ports.js';
import type { makeApprovals } from '../pim/approvals.js';
import type { Sealer } from './ports.js';

/** Why a link page refuses: the link itself, the person signed in, or the state of the approval. */
export type LinkProblem =
  LinkRefusal | 'used' | 'decided' | 'otherApprover' | 'mfaRequired' | 'contextRequired';

export class ApprovalLinkRefused extends Error {
  override name = 'ApprovalLinkRefused';
  constructor(readonly problem: LinkProblem) {
    super(problem);
  }
}

/** What the link page shows of the request it decides. */
export interface LinkRequestView {
  claims: ApprovalLinkClaims;
  requester: string;
  role: string;
  justification: string | null;
  ticket: string | null;
  duration: string | null;
  deadline: number | null;
  isJustificationRequired: boolean;
}

/**
 * Approval links (chat buttons): checks a link and the person who follows it, shows the request,
 * and records the decision through the approvals use case (`decide`, the same as
 * `PATCH …/steps/{id}`), with the link's id so it decides once.
 */
export function makeApprovalLinks(deps: {
  uow: UnitOfWork;
  clock: Clock;
  linkKey: Buffer;
  approvals: ReturnType<typeof makeApprovals>;
  /** Seals the link pages' cookies (sign-in state, session) with the data key. */
  sealer: Sealer;
}) {
  /** The link's claims if it is genuine, unexpired and unused. @throws ApprovalLinkRefused */
  async function check(token: string): Promise<ApprovalLinkClaims> {
    const now = deps.clock.now();
    const v = verifyApprovalLink(deps.linkKey, token, now);
    if (!v.ok) throw new ApprovalLinkRefused(v.why);
    const used = await deps.uow.run((tx) => tx.approvalLinkUses.wasUsed(v.claims.id));
    if (used) throw new ApprovalLinkRefused('used');
    return v.claims;
  }

  /** The authentication context the role's activation rule names (approvers must satisfy it too). */
  async function requiredContext(claims: ApprovalLinkClaims): Promise<string | null> {
    return deps.uow.run(async (tx) => {
      const request =
        (await tx.scheduleRequests.get(claims.tenantId, 'assignment', claims.requestId)) ??
        (await tx.scheduleRequests.get(claims.tenantId, 'eligibility', claims.requestId));
      if (request === undefined) return null;
      const rules =
        (await tx.policies.forRole(claims.tenantId, 'DirectoryRole', '/', request.roleDefinitionId))?.rules ??
        [];
      const rule = ruleFor(rules, 'AuthenticationContext_EndUser_Assignment');
      return rule !== undefined && rule.isEnabled && rule.claimValue !== null ? rule.claimValue : null;
    });
  }

  /**
   * The person signed in may use this link: they are its approver, signed in with MFA, and with
   * the role's authentication context when it names one. @throws ApprovalLinkRefused
   */
  async function checkSigner(claims: ApprovalLinkClaims, caller: Caller): Promise<void> {
    if (caller.kind !== 'user' || caller.tenantId !== claims.tenantId || caller.id !== claims.approverId)
      throw new ApprovalLinkRefused('otherApprover');
    if (!caller.amr.includes('mfa')) throw new ApprovalLinkRefused('mfaRequired');
    const context = await requiredContext(claims);
    if (context === null) return;
    const now = deps.clock.now();
    const ok = await deps.uow.run(async (tx) =>
      contextSatisfied(
        await tx.authenticationContexts.get(caller.tenantId, context),
        {
          acrs: caller.acrs ?? [],
          externalAcrValues: caller.externalAcrValues ?? [],
          authTimeMs: caller.authTimeMs,
        },
        now,
      ),
    );
    if (!ok) throw new ApprovalLinkRefused('contextRequired');
  }

  return {
    check,
    requiredContext,

    /** A cookie value only Elevate can read or make: JSON sealed for `purpose`, with its expiry. */
    sealCookie(value: object, purpose: string, ttlMs: number): string {
      const exp = deps.clock.now() + ttlMs;
      return deps.sealer.seal(JSON.stringify({ ...value, exp }), `approval-link-cookie:${purpose}`);
    },

    /** The value of a sealed cookie, or undefined when it is absent, altered or expired. */
    openCookie<T>(text: string | undefined, purpose: string): T | undefined {
      if (text === undefined || text === '' || text.length > 8192) return undefined;
      try {
        const v = JSON.parse(deps.sealer.open(text, `approval-link-cookie:${purpose}`)) as T & {
          exp: number;
        };
        return typeof v.exp === 'number' && v.exp > deps.clock.now() ? v : undefined;
      } catch {
        return undefined;
      }
    },

    /** The request a link decides, for its approver. @throws ApprovalLinkRefused */
    async view(token: string, caller: Caller): Promise<LinkRequestView> {
      const claims = await check(token);
      await checkSigner(claims, caller);
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const request =
          (await tx.scheduleRequests.get(claims.tenantId, 'assignment', claims.requestId)) ??
          (await tx.scheduleRequests.get(claims.tenantId, 'eligibility', claims.requestId));
        const step =
          request &&
          (await tx.approvalSteps.list(claims.tenantId, request.id)).find((s) => s.id === claims.stepId);
        if (
          request === undefined ||
          step === undefined ||
          request.status !== 'PendingApproval' ||
          step.status !== 'InProgress' ||
          (step.deadlineAt !== null && step.deadlineAt <= now) ||
          step.decisions.some((d) => d.approverId === caller.id)
        )
          throw new ApprovalLinkRefused('decided');
        const principal = await tx.users.get(claims.tenantId, request.principalId);
        const role = await tx.roleDefinitions.get(claims.tenantId, request.roleDefinitionId);
        const ms = request.scheduleInfo === null ? null : requestedDurationMs(request.scheduleInfo);
        const ticket = [request.ticketInfo.ticketSystem, request.ticketInfo.ticketNumber]
          .filter(Boolean)
          .join(' ');
        return {
          claims,
          requester:
            principal === undefined
              ? request.principalId
              : `${principal.displayName} (${principal.userPrincipalName})`,
          role: role?.displayName ?? request.roleDefinitionId,
          justification: request.justification,
          ticket: ticket === '' ? null : ticket,
          duration: ms === null ? null : lengthOf(ms),
          deadline: step.deadlineAt,
          isJustificationRequired: step.isJustificationRequired,
        };
      });
    },

    /**
     * Records the link's decision as its approver, through the approvals use case: quorum,
     * self-approval refusal, decided stages (409), justification rules and audit all apply; the
     * audit entry notes the link. @throws ApprovalLinkRefused, and what `decide` throws
     */
    async decide(token: string, caller: Caller, justification: string | null): Promise<ApprovalLinkClaims> {
      const claims = await check(token);
      await checkSigner(claims, caller);
      await deps.approvals.decide(caller, claims.requestId, claims.stepId, {
        reviewResult: claims.decision,
        justification,
        approvalLink: { id: claims.id, expiresAt: claims.expiresAt },
      });
      return claims;
    },
  };
}

export type ApprovalLinks = ReturnType<typeof makeApprovalLinks>;
