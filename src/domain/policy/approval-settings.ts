import type { ApprovalSettings, ApprovalStage, ApproverSubject } from './types.js';
import { ValidationError } from '../shared/errors.js';

/** Most approvers (users or groups) one stage may list, in each of its two lists. */
export const MAX_APPROVERS_PER_LIST = 50;
/** Entra auto-denies a stage after its timeout; longer than a week leaves requests hanging. */
export const MAX_STAGE_TIMEOUT_DAYS = 7;
/** Most approvals one stage may require (Elevate's N-of-M extension). */
export const MAX_APPROVALS_REQUIRED = 50;

/** How many stages each approval mode takes. */
const STAGES: Readonly<Record<ApprovalSettings['approvalMode'], { min: number; max: number }>> = {
  SingleStage: { min: 1, max: 1 },
  Parallel: { min: 1, max: 1 },
  Serial: { min: 2, max: 2 },
  NoApproval: { min: 0, max: 1 },
};

const invalid = (message: string, target: string) => new ValidationError(message, target);

/**
 * Checks the shape rules of `approvalSettings` that a JSON schema cannot express (pure; whether
 * approvers exist is checked against the directory by the use case):
 * - `NoApproval` cannot be combined with `isApprovalRequired` or `isApprovalRequiredForExtension`;
 * - `SingleStage` and `Parallel` take exactly one stage, `Serial` two (Graph allows one or two);
 * - a stage times out after 1 to {@link MAX_STAGE_TIMEOUT_DAYS} whole days; escalation, when
 *   enabled, needs escalation approvers and must start before the stage times out;
 * - at most {@link MAX_APPROVERS_PER_LIST} approvers per list, none twice.
 * @throws ValidationError (`invalidRequest`) with `target` under `setting`.
 */
export function checkApprovalSettings(setting: ApprovalSettings): void {
  const { approvalMode, approvalStages } = setting;
  if (
    approvalMode === 'NoApproval' &&
    (setting.isApprovalRequired || setting.isApprovalRequiredForExtension)
  ) {
    throw invalid(
      'approvalMode NoApproval cannot be combined with isApprovalRequired or isApprovalRequiredForExtension.',
      'setting.approvalMode',
    );
  }
  const { min, max } = STAGES[approvalMode];
  if (approvalStages.length < min || approvalStages.length > max) {
    const count = min === max ? `exactly ${min}` : `${min} to ${max}`;
    throw invalid(
      `approvalMode ${approvalMode} takes ${count} approval stage(s); got ${approvalStages.length}.`,
      'setting.approvalStages',
    );
  }
  approvalStages.forEach((stage, i) => checkStage(stage, `setting.approvalStages.${i}`));
}

function checkStage(stage: ApprovalStage, at: string): void {
  const timeout = stage.approvalStageTimeOutInDays;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_STAGE_TIMEOUT_DAYS) {
    throw invalid(
      `approvalStageTimeOutInDays must be a whole number of days from 1 to ${MAX_STAGE_TIMEOUT_DAYS}.`,
      `${at}.approvalStageTimeOutInDays`,
    );
  }
  const hours = stage.approvalStageTimeOutInHours;
  if (hours !== undefined && (!Number.isInteger(hours) || hours < 1 || hours > MAX_STAGE_TIMEOUT_DAYS * 24)) {
    throw invalid(
      `@elevate.approvalStageTimeOutInHours must be a whole number of hours from 1 to ${MAX_STAGE_TIMEOUT_DAYS * 24}.`,
      `${at}.@elevate.approvalStageTimeOutInHours`,
    );
  }
  const timeoutMinutes = (hours ?? timeout * 24) * 60;
  const escalation = stage.escalationTimeInMinutes;
  if (!Number.isInteger(escalation) || escalation < 0 || escalation >= timeoutMinutes) {
    throw invalid(
      `escalationTimeInMinutes must be a whole number from 0 to ${timeoutMinutes - 1} (before the stage times out).`,
      `${at}.escalationTimeInMinutes`,
    );
  }
  if (stage.isEscalationEnabled) {
    if (escalation === 0) {
      throw invalid(
        'escalationTimeInMinutes must be at least 1 when escalation is enabled.',
        `${at}.escalationTimeInMinutes`,
      );
    }
    if (stage.escalationApprovers.length === 0) {
      throw invalid(
        'escalationApprovers must not be empty when escalation is enabled.',
        `${at}.escalationApprovers`,
      );
    }
  }
  const reminder = stage.reminderBeforeTimeOutInMinutes;
  if (reminder !== undefined && (!Number.isInteger(reminder) || reminder < 0 || reminder >= timeoutMinutes)) {
    throw invalid(
      `@elevate.reminderBeforeTimeOutInMinutes must be a whole number from 0 to ${timeoutMinutes - 1} (before the stage times out).`,
      `${at}.@elevate.reminderBeforeTimeOutInMinutes`,
    );
  }
  checkApprovers(stage.primaryApprovers, `${at}.primaryApprovers`);
  checkApprovers(stage.escalationApprovers, `${at}.escalationApprovers`);
  checkQuorum(stage, at);
}

/**
 * A quorum is 1 to {@link MAX_APPROVALS_REQUIRED}; when the stage names only users, no more than
 * there are (escalation approvers count when escalation is on), or it could never be reached.
 */
function checkQuorum(stage: ApprovalStage, at: string): void {
  const quorum = stage.approvalsRequired;
  if (quorum === undefined) return;
  const target = `${at}.@elevate.approvalsRequired`;
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > MAX_APPROVALS_REQUIRED) {
    throw invalid(
      `@elevate.approvalsRequired must be a whole number from 1 to ${MAX_APPROVALS_REQUIRED}.`,
      target,
    );
  }
  const named = [...stage.primaryApprovers, ...(stage.isEscalationEnabled ? stage.escalationApprovers : [])];
  const onlyUsers = named.every((a) => a['@odata.type'] === '#microsoft.graph.singleUser');
  const users = new Set(named.map(approverKey)).size;
  if (stage.primaryApprovers.length > 0 && onlyUsers && quorum > users) {
    throw invalid(
      `@elevate.approvalsRequired is ${quorum} but the stage names only ${users} approver(s); it could never be reached.`,
      target,
    );
  }
}

function checkApprovers(approvers: readonly ApproverSubject[], at: string): void {
  if (approvers.length > MAX_APPROVERS_PER_LIST) {
    throw invalid(`At most ${MAX_APPROVERS_PER_LIST} approvers may be listed.`, at);
  }
  const keys = approvers.map(approverKey);
  if (new Set(keys).size !== keys.length) throw invalid('An approver is listed twice.', at);
}

/** `user:{id}` or `group:{id}`, lower-cased: one approver's identity. */
export const approverKey = (a: ApproverSubject): string =>
  a['@odata.type'] === '#microsoft.graph.singleUser'
    ? `user:${a.userId.toLowerCase()}`
    : `group:${a.groupId.toLowerCase()}`;

/** Every approver of every stage (primary and escalation), once each. */
export function allApprovers(setting: ApprovalSettings): ApproverSubject[] {
  const seen = new Map<string, ApproverSubject>();
  for (const stage of setting.approvalStages) {
    for (const a of [...stage.primaryApprovers, ...stage.escalationApprovers]) seen.set(approverKey(a), a);
  }
  return [...seen.values()];
}
