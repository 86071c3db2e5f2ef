import { AUDIT_ACTIVITIES as A } from '../audit/activities.js';
import {
  addedProperties,
  assignedRoleTarget,
  credentialDescription,
  directoryTarget,
  principalTarget,
  servicePrincipalProperties,
  servicePrincipalTarget,
  userProperties,
  userTarget,
} from '../audit/targets.js';
import type { ServicePrincipal, User } from '../directory/types.js';
import type { DomainEvent } from './domain-event.js';

/** What provisioning a tenant made: the directory, its first administrator and automation app. */
export interface ProvisionedTenant {
  tenantId: string;
  builtInRoleCount: number;
  admin: User;
  /** The administrator's standing Global Administrator assignment. */
  assignment: { id: string; role: { id: string; displayName: string | null; templateId: string } };
  app: ServicePrincipal;
  credential: { keyId: string; displayName: string | null; startAt: number; endAt: number | null };
}

/**
 * Elevate set up a tenant (the first run, or another organisation in the same database): one
 * entry per object it made, in the order it made them. Audit only.
 */
export const tenantProvisioned = (t: ProvisionedTenant): DomainEvent => ({
  type: 'system.tenantProvisioned',
  audit: [
    {
      activity: A.tenantCreate,
      targets: [directoryTarget(t.tenantId, 'Elevate')],
      additionalDetails: [{ key: 'BuiltInRoleDefinitions', value: String(t.builtInRoleCount) }],
    },
    { activity: A.userCreate, targets: [userTarget(t.admin, addedProperties(userProperties(t.admin)))] },
    {
      activity: A.roleAssignmentCreate,
      targets: [
        principalTarget('user', t.admin.id, t.admin.displayName, t.admin.userPrincipalName),
        assignedRoleTarget(t.assignment.role),
      ],
      additionalDetails: [
        { key: 'RoleAssignmentId', value: t.assignment.id },
        { key: 'DirectoryScopeId', value: '/' },
      ],
    },
    {
      activity: A.servicePrincipalCreate,
      targets: [servicePrincipalTarget(t.app, addedProperties(servicePrincipalProperties(t.app)))],
    },
    {
      activity: A.servicePrincipalAddPassword,
      targets: [
        servicePrincipalTarget(t.app, [
          { displayName: 'KeyDescription', oldValue: '[]', newValue: credentialDescription(t.credential) },
        ]),
      ],
    },
  ],
});
