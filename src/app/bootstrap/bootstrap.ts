import { randomBytes } from 'node:crypto';
import { SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import { BUILT_IN_PHISHING_RESISTANT } from '../../domain/authn/authentication-context.js';
import { tenantProvisioned } from '../../domain/events/system-events.js';
import { BOOTSTRAP_APP_PERMISSIONS } from '../../domain/directory/app-permissions.js';
import { BUILT_IN_ROLES, findBuiltInRole, GLOBAL_ADMINISTRATOR } from '../../domain/roles/built-in-roles.js';
import { roleAssignmentId } from '../../domain/roles/assignment-id.js';
import { hashClientSecret, newClientSecret } from '../../domain/shared/secrets.js';
import type { Clock } from '../../domain/time/clock.js';
import type { PasswordHasher } from '../directory/users.js';
import { insertDefaultPolicy } from '../policies/default-policy.js';
import type { ServicePrincipal, User } from '../../domain/directory/types.js';
import type { Stores, UnitOfWork } from '../ports.js';

export interface BootstrapResult {
  tenantId: string;
  admin: { id: string; userPrincipalName: string; oneTimePassword: string };
  app: {
    servicePrincipalId: string;
    clientId: string;
    clientSecret: string;
    secretExpires: number;
    permissions: string[];
  };
}

const SECRET_LIFETIME_MS = 365 * 24 * 3600 * 1000;

/** Seeds built-in roles and their default role-management policies for a tenant. */
export async function seedRolesAndPolicies(
  tx: Stores,
  tenantId: string,
  now: number,
  newId: () => string,
): Promise<void> {
  for (const role of BUILT_IN_ROLES) {
    await tx.roleDefinitions.insert({ ...role, tenantId, createdAt: now, modifiedAt: now, rowVersion: 1 });
    await insertDefaultPolicy(tx, { tenantId, roleDefinitionId: role.id, newId });
  }
}

/**
 * First-run set-up, exactly once per database: the tenant, built-in roles and default policies,
 * one administrator (Global Administrator, one-time password that must be changed) and one
 * bootstrap application with a client secret. Returns the credentials for the caller to hand
 * over once; returns undefined when the database was already bootstrapped.
 */
export async function bootstrap(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  hasher: PasswordHasher;
  adminUpn: string;
}): Promise<BootstrapResult | undefined> {
  const oneTimePassword = randomBytes(18).toString('base64url');
  const passwordHash = await deps.hasher.hash(oneTimePassword);
  const { secret } = newClientSecret();
  const now = deps.clock.now();
  return deps.uow.run(async (tx) => {
    const tenantId = deps.newId();
    if (!(await tx.systemState.insertOnce('bootstrap', JSON.stringify({ tenantId, at: now }), now)))
      return undefined;
    return provisionTenant(tx, {
      tenantId,
      now,
      newId: deps.newId,
      adminUpn: deps.adminUpn,
      passwordHash,
      oneTimePassword,
      secret,
    });
  });
}

/**
 * Creates one tenant with its roles, policies, an administrator and an automation app. The first
 * run calls it once; further tenants (hosting several organisations in one database) use it too.
 */
export async function provisionTenant(
  tx: Stores,
  p: {
    tenantId: string;
    now: number;
    newId: () => string;
    adminUpn: string;
    passwordHash: string;
    oneTimePassword: string;
    secret: string;
  },
): Promise<BootstrapResult> {
  const { tenantId, now, secret, passwordHash, oneTimePassword } = p;
  const deps = { newId: p.newId, adminUpn: p.adminUpn };
  await tx.tenants.insert({ id: tenantId, displayName: 'Elevate', createdAt: now });
  await seedRolesAndPolicies(tx, tenantId, now, deps.newId);
  // The built-in phishing-resistant context (ADR 0021); tenants older than it got it by migration.
  await tx.authenticationContexts.insert({
    ...BUILT_IN_PHISHING_RESISTANT,
    requirement: { ...BUILT_IN_PHISHING_RESISTANT.requirement, externalAcrValues: [] },
    tenantId,
    createdAt: now,
    modifiedAt: now,
    version: 1,
  });

  const adminId = deps.newId();
  const admin: User = {
    id: adminId,
    tenantId,
    displayName: 'Elevate Administrator',
    userPrincipalName: deps.adminUpn,
    mail: null,
    givenName: null,
    surname: null,
    jobTitle: null,
    accountEnabled: true,
    passwordHash,
    passwordMustChange: true,
    createdAt: now,
    modifiedAt: now,
    version: 1,
  };
  await tx.users.insert(admin);
  const assignmentId = roleAssignmentId(GLOBAL_ADMINISTRATOR, adminId, '/', deps.newId);
  await tx.roleAssignments.insert({
    id: assignmentId,
    tenantId,
    principalId: adminId,
    principalType: 'user',
    roleDefinitionId: GLOBAL_ADMINISTRATOR,
    directoryScopeId: '/',
    appScopeId: null,
    createdAt: now,
    createdBy: null,
  });

  const spId = deps.newId();
  const clientId = deps.newId();
  const sp: ServicePrincipal = {
    id: spId,
    tenantId,
    appId: clientId,
    displayName: 'Elevate bootstrap automation',
    accountEnabled: true,
    appPermissions: [...BOOTSTRAP_APP_PERMISSIONS],
    createdAt: now,
    modifiedAt: now,
    version: 1,
  };
  await tx.servicePrincipals.insert(sp);
  const credential = {
    keyId: deps.newId(),
    servicePrincipalId: spId,
    displayName: 'bootstrap',
    hint: secret.slice(0, 3),
    secretHash: hashClientSecret(secret),
    startAt: now,
    endAt: now + SECRET_LIFETIME_MS,
  };
  await tx.servicePrincipals.addPassword(tenantId, credential, now);

  // Elevate itself made these changes; one correlation id ties their entries together.
  tx.events.record(
    {
      tenantId,
      initiatedBy: SYSTEM_INITIATOR,
      context: { userAgent: null, amr: [], correlationId: deps.newId() },
    },
    now,
    tenantProvisioned({
      tenantId,
      builtInRoleCount: BUILT_IN_ROLES.length,
      admin,
      assignment: {
        id: assignmentId,
        role: {
          id: GLOBAL_ADMINISTRATOR,
          displayName: findBuiltInRole(GLOBAL_ADMINISTRATOR)?.displayName ?? null,
          templateId: GLOBAL_ADMINISTRATOR,
        },
      },
      app: sp,
      credential,
    }),
  );
  return {
    tenantId,
    admin: { id: adminId, userPrincipalName: deps.adminUpn, oneTimePassword },
    app: {
      servicePrincipalId: spId,
      clientId,
      clientSecret: secret,
      secretExpires: now + SECRET_LIFETIME_MS,
      permissions: [...BOOTSTRAP_APP_PERMISSIONS],
    },
  };
}
