/**
 * Row types of the PIM tables (migration 0003_pim), as stored: epoch-ms integers, lower-case ids,
 * Graph enum values in their canonical spelling. `schema.ts` lists them in `Database`.
 */
export interface PimScheduleRequestRow {
  id: string;
  tenant_id: string;
  kind: string;
  action: string;
  status: string;
  principal_id: string;
  role_definition_id: string;
  directory_scope_id: string;
  app_scope_id: string | null;
  target_schedule_id: string | null;
  activated_using: string | null;
  justification: string | null;
  ticket_number: string | null;
  ticket_system: string | null;
  schedule_start_at: number | null;
  /** `null` when the request had no `scheduleInfo` (removals, deactivations). */
  expiration_type: string | null;
  expiration_end_at: number | null;
  expiration_duration: string | null;
  created_at: number;
  completed_at: number | null;
  created_by_kind: string;
  created_by_id: string;
  created_by_app_id: string | null;
  approval_id: string | null;
  /** Migration 0007: while `PendingApproval`, when the current stage times out. */
  approval_deadline_at: number | null;
  custom_data: string | null;
  version: number;
  /** Migration 0016: `directoryRole` or `group` (then role = access id, scope = group id). */
  resource_type: string;
}

/** Migration 0007: one approval stage (`approvalStep`). */
export interface PimApprovalStepRow {
  id: string;
  tenant_id: string;
  approval_id: string;
  stage_index: number;
  status: string;
  review_result: string;
  reviewed_by_id: string | null;
  reviewed_at: number | null;
  justification: string | null;
  is_justification_required: number;
  has_default_approvers: number;
  timeout_days: number;
  started_at: number | null;
  deadline_at: number | null;
  version: number;
  /** Migration 0015. */
  quorum: number;
  timeout_ms: number | null;
  escalation_after_ms: number | null;
  escalation_at: number | null;
  escalated_at: number | null;
  reminder_before_ms: number | null;
  reminder_at: number | null;
  reminded_at: number | null;
  starts_at_approval: number;
  /** Migration 0019: the decision hook the stage named (snapshot), or null. */
  decision_hook_id: string | null;
}

/** Migration 0007: a stage's named approver (`user` or `group`). */
export interface PimApprovalApproverRow {
  step_id: string;
  approver_type: string;
  approver_id: string;
  /** Migration 0015: `primary` or `escalation`. */
  approver_role: string;
}

/** Migration 0015: one approver's decision on a stage. */
export interface PimApprovalDecisionRow {
  step_id: string;
  approver_id: string;
  review_result: string;
  justification: string | null;
  approved_duration: string | null;
  decided_at: number;
}

export interface PimScheduleRow {
  id: string;
  tenant_id: string;
  kind: string;
  principal_id: string;
  principal_type: string;
  role_definition_id: string;
  directory_scope_id: string;
  app_scope_id: string | null;
  start_at: number;
  /** `null` = permanent. */
  end_at: number | null;
  status: string;
  member_type: string;
  assignment_type: string | null;
  created_using: string;
  activated_using: string | null;
  instance_id: string;
  created_at: number;
  modified_at: number;
  /** When the sweeper (or a removal) recorded that the window ended; `null` until then. */
  expiry_recorded_at: number | null;
  /** The end the sweeper last announced as near (an "ending soon" notice); `null` until then. */
  ending_soon_for_end_at?: number | null;
  version: number;
  /** Migration 0016: `directoryRole` or `group` (then role = access id, scope = group id). */
  resource_type: string;
}

export interface PimSlotRow {
  tenant_id: string;
  kind: string;
  principal_id: string;
  role_definition_id: string;
  directory_scope_id: string;
  version: number;
}
