import type { UnitOfWork } from '../ports.js';
import { activeRoleIds } from './authorize.js';

/**
 * Template ids of the directory roles active for the principal at `now` (see `activeRoleIds`), for
 * the `wids` claim of tokens. Built-in roles have id == template id; a custom role contributes its
 * own `templateId`. Sorted so that two tokens for the same state carry the same claim.
 */
export function makeActiveRoleTemplates(deps: { uow: UnitOfWork }) {
  return {
    templateIdsAt(tenantId: string, principalId: string, now: number): Promise<string[]> {
      return deps.uow.run(async (tx) => {
        const roleIds = await activeRoleIds(tx, tenantId, principalId.toLowerCase(), now);
        const templates = new Set<string>();
        for (const roleId of roleIds) {
          const role = await tx.roleDefinitions.get(tenantId, roleId);
          templates.add((role?.templateId ?? roleId).toLowerCase());
        }
        return [...templates].sort();
      });
    },
    groupIdsAt(tenantId: string, principalId: string, now: number): Promise<string[]> {
      return deps.uow.run((tx) => tx.groups.transitiveMemberOf(tenantId, principalId.toLowerCase(), now));
    },
  };
}
