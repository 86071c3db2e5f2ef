/** Rows of migration 0019_access_reviews, as stored; added to `Database` here. */
export interface UserManagerRow {
  tenant_id: string;
  user_id: string;
  manager_id: string;
  modified_at: number;
}

export interface AccessReviewDefinitionRow {
  id: string;
  tenant_id: string;
  display_name: string;
  /** JSON: descriptions, scope, reviewers, fallback reviewers, settings. */
  body: string;
  /** JSON `{ id, displayName, userPrincipalName }`. */
  created_by: string;
  created_at: number;
  modified_at: number;
  version: number;
}

export interface AccessReviewInstanceRow {
  id: string;
  tenant_id: string;
  definition_id: string;
  period_start: number;
  start_at: number;
  end_at: number;
  status: string;
  completed_at: number | null;
  applied_at: number | null;
  version: number;
}

export interface AccessReviewDecisionRow {
  id: string;
  tenant_id: string;
  instance_id: string;
  principal_id: string;
  principal_type: string;
  role_definition_id: string;
  directory_scope_id: string;
  schedule_kind: string;
  schedule_id: string;
  recommendation: string;
  last_activation_at: number | null;
  decision: string;
  justification: string | null;
  reviewed_by: string | null;
  reviewed_at: number | null;
  apply_result: string;
  applied_by: string | null;
  applied_at: number | null;
  version: number;
}

declare module '../schema.js' {
  interface Database {
    user_managers: UserManagerRow;
    access_review_definitions: AccessReviewDefinitionRow;
    access_review_instances: AccessReviewInstanceRow;
    access_review_decisions: AccessReviewDecisionRow;
  }
}
