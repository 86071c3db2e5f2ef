// The activation's approval stages and its authentication context, as form values and as the PATCH
// bodies of `Approval_EndUser_Assignment` and `AuthenticationContext_EndUser_Assignment`; and where
// the API's message about an approval goes (which stage, which field). No DOM, no imports: the
// settings editor and the server's tests use it alike.

/** A rule as the API answers it (graph.ts's `PolicyRule`). */
export interface Rule {
  id: string;
  '@odata.type': string;
  [key: string]: unknown;
}

export const APPROVAL = 'Approval_EndUser_Assignment';
export const AUTHENTICATION_CONTEXT = 'AuthenticationContext_EndUser_Assignment';

/** A stage as the form edits it: its approvers' user ids and how many days it waits. */
export interface StageForm {
  approverIds: string[];
  timeoutDays: number | string;
}

interface StageSetting {
  approvalStageTimeOutInDays?: number;
  primaryApprovers?: { '@odata.type': string; userId?: string; groupId?: string }[];
  [key: string]: unknown;
}

interface ApprovalSetting {
  isApprovalRequired?: boolean;
  approvalMode?: string;
  approvalStages?: StageSetting[];
  [key: string]: unknown;
}

const settingOf = (r: Rule): ApprovalSetting => (r.setting ?? {}) as ApprovalSetting;

/** The stages of an approval rule, as the form shows them (at least one). */
export function stagesForm(r: Rule): StageForm[] {
  const stages = settingOf(r).approvalStages ?? [];
  const forms = stages.map((s) => ({
    approverIds: (s.primaryApprovers ?? []).flatMap((a) => (a.userId ? [a.userId] : [])),
    timeoutDays: s.approvalStageTimeOutInDays ?? 1,
  }));
  return forms.length > 0 ? forms : [{ approverIds: [], timeoutDays: 1 }];
}

/**
 * The PATCH body: approval on or off; one stage is `SingleStage`, two are `Serial` (the second starts
 * when the first approves). What the form does not edit in a stage (escalation, quorum, reminders)
 * is kept from the stage in the same place; a new second stage starts from the first's.
 */
export function approvalBody(r: Rule, required: boolean, stages: StageForm[]): Rule {
  const old = settingOf(r);
  const before = old.approvalStages ?? [];
  return {
    '@odata.type': r['@odata.type'],
    id: r.id,
    setting: {
      ...old,
      isApprovalRequired: required,
      approvalMode: stages.length > 1 ? 'Serial' : 'SingleStage',
      approvalStages: stages.map((s, n) => ({
        ...(before[n] ?? before[0] ?? {}),
        approvalStageTimeOutInDays: s.timeoutDays === '' ? 0 : Number(s.timeoutDays),
        primaryApprovers: s.approverIds.map((userId) => ({
          '@odata.type': '#microsoft.graph.singleUser',
          userId,
        })),
      })),
    },
  };
}

/** Which form field an approval refusal is about: a stage's `approvers` or `timeout`, or the rule. */
export function approvalField(
  target: string | undefined,
): { stage: number; field: 'approvers' | 'timeout' } | undefined {
  const m = /approvalStages(?:\.|\[)(\d+)\]?\.?(\w*)/.exec(target ?? '');
  if (!m) return undefined;
  return { stage: Number(m[1]), field: /TimeOut/i.test(m[2] ?? '') ? 'timeout' : 'approvers' };
}

/** The context an activation requires (its claim value), or '' for none. */
export const contextForm = (r: Rule | undefined): string =>
  r?.isEnabled === true && typeof r.claimValue === 'string' ? r.claimValue : '';

export const contextBody = (r: Rule, claimValue: string): Rule => ({
  '@odata.type': r['@odata.type'],
  id: r.id,
  isEnabled: claimValue !== '',
  claimValue: claimValue === '' ? null : claimValue,
});
