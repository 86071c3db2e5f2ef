import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-roles.js';

/**
 * Who manages access reviews of directory roles: as Entra documents it for PIM role reviews,
 * Global Administrator and Privileged Role Administrator; Global Reader and Security Reader
 * read them. Apps: `AccessReview.ReadWrite.All`. Reviewers act on their own items without these.
 */
export const ACCESS_REVIEW_RULES = {
  read: {
    appPermissions: ['AccessReview.ReadWrite.All'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR, R.GLOBAL_READER, R.SECURITY_READER],
  },
  write: {
    appPermissions: ['AccessReview.ReadWrite.All'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
} satisfies Record<string, Requirement>;
