import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-roles.js';

/** Who may pull the compliance report: the audit readers of Entra, without Reports Reader. */
export const COMPLIANCE_RULES = {
  read: {
    appPermissions: ['AuditLog.Read.All'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.SECURITY_ADMINISTRATOR, R.SECURITY_READER, R.GLOBAL_READER],
  },
} satisfies Record<string, Requirement>;
