import { SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import { PERMANENT_ACTIVE_FORBIDDEN_BY_DEFAULT } from '../../domain/policy/default-rules.js';
import { policyUpdated } from '../../domain/policy/policy-events.js';
import { findRule, type PolicyRule } from '../../domain/policy/types.js';
import type { Clock } from '../../domain/time/clock.js';
import type { RoleManagementPolicy, UnitOfWork } from '../ports.js';

/**
 * Brings role settings that no administrator ever changed up to today's defaults, once, at start:
 * tenants created before Global Administrator and Privileged Role Administrator forbade permanent
 * active assignments get that switch turned on, as a new tenant has it. A policy an administrator
 * has changed (`lastModifiedAt` set) is theirs and is left alone, and so is one this already
 * upgraded (it now carries `lastModifiedAt`), so an administrator who turns the switch off again
 * keeps it off. Each change is audited like any settings change, initiated by the system.
 *
 * Returns the ids of the policies it changed.
 */
export async function upgradeRoleSettingDefaults(deps: { uow: UnitOfWork; clock: Clock }): Promise<string[]> {
  return deps.uow.run(async (tx) => {
    const changed: string[] = [];
    const now = deps.clock.now();
    for (const tenant of await tx.tenants.all()) {
      for (const roleDefinitionId of PERMANENT_ACTIVE_FORBIDDEN_BY_DEFAULT) {
        const before = await tx.policies.forRole(tenant.id, 'DirectoryRole', '/', roleDefinitionId);
        if (!before || before.lastModifiedAt !== null) continue;
        const rule = findRule(before.rules, 'Expiration_Admin_Assignment');
        if (!rule || rule.isExpirationRequired) continue;
        const after: RoleManagementPolicy = {
          ...before,
          rules: before.rules.map((r): PolicyRule =>
            r.id === rule.id ? { ...rule, isExpirationRequired: true } : r,
          ),
          lastModifiedAt: now,
          version: before.version + 1,
        };
        await tx.policies.update(after, before.version);
        const role = await tx.roleDefinitions.get(tenant.id, roleDefinitionId);
        tx.events.record(
          { tenantId: tenant.id, initiatedBy: SYSTEM_INITIATOR },
          now,
          policyUpdated(before, after, role?.displayName ?? null),
        );
        changed.push(before.id);
      }
    }
    return changed;
  });
}
