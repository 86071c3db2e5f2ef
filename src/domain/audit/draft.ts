import type { AuditActivity } from './activities.js';
import type { AuditDraft, AuditResult, Initiator, KeyValue, TargetResource } from './entry.js';

/** Who acts when Elevate itself does something (first-run bootstrap, tenant provisioning). */
export const SYSTEM_INITIATOR: Initiator = {
  user: null,
  app: {
    appId: null,
    displayName: 'Elevate',
    servicePrincipalId: null,
    servicePrincipalName: null,
    ipAddress: null,
  },
};

/** The request a change came in with: the caller's token and connection. */
export interface RequestContext {
  userAgent: string | null;
  amr: readonly string[];
  correlationId: string | null;
  /**
   * What the caller says it is (the `x-elevate-origin` header, e.g. `mcp` for `elevate mcp`): a
   * claim by the caller, not proven, recorded as `ClientOrigin` in `additionalDetails` (ADR 0036).
   */
  clientOrigin?: string | null;
}

export interface DraftInput {
  id: string;
  tenantId: string;
  now: number;
  activity: AuditActivity;
  initiatedBy: Initiator;
  context?: RequestContext;
  targets: TargetResource[];
  result?: AuditResult;
  resultReason?: string;
  justification?: string | null;
  ticket?: string | null;
  additionalDetails?: KeyValue[];
}

/** Longest free text kept in an entry (reasons, justification, ticket, user agent). */
export const MAX_AUDIT_TEXT = 1024;

const bounded = (text: string | null | undefined): string | null =>
  text === null || text === undefined ? null : text.slice(0, MAX_AUDIT_TEXT);

/** An entry to append, with every optional field spelled out so the hashed text is stable. */
export function auditDraft(i: DraftInput): AuditDraft {
  return {
    id: i.id,
    tenantId: i.tenantId,
    activityDateTime: i.now,
    code: i.activity.code,
    activityDisplayName: i.activity.activityDisplayName,
    category: i.activity.category,
    operationType: i.activity.operationType,
    loggedByService: i.activity.loggedByService,
    result: i.result ?? 'success',
    resultReason: bounded(i.resultReason) ?? '',
    initiatedBy: i.initiatedBy,
    userAgent: bounded(i.context?.userAgent),
    amr: [...(i.context?.amr ?? [])],
    targetResources: i.targets,
    correlationId: i.context?.correlationId ?? null,
    justification: bounded(i.justification),
    ticket: bounded(i.ticket),
    additionalDetails: [
      ...(i.additionalDetails ?? []),
      ...(i.context?.clientOrigin ? [{ key: 'ClientOrigin', value: i.context.clientOrigin }] : []),
    ],
  };
}
