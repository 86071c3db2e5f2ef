import { hashClientSecret, newClientSecret } from '../../../src/domain/shared/secrets.js';
import type {
  ActiveDirectoryRoles,
  ClientDirectory,
  ServicePrincipalCredentials,
  SigningKeyRecord,
  SigningKeyStore,
  TenantDirectory,
} from '../../../src/identity/ports.js';

/**
 * The ClientDirectory port over a Map; returns copies, like a database would. Also the
 * TenantDirectory: a tenant exists once one of its applications was put, or it was added.
 */
export class InMemoryClientDirectory implements ClientDirectory, TenantDirectory {
  readonly principals = new Map<string, ServicePrincipalCredentials>();
  readonly tenants = new Set<string>();

  exists(tenantId: string): Promise<boolean> {
    return Promise.resolve(this.tenants.has(tenantId.toLowerCase()));
  }

  findByAppId(appId: string): Promise<ServicePrincipalCredentials | undefined> {
    const found = this.principals.get(appId);
    return Promise.resolve(found === undefined ? undefined : structuredClone(found));
  }

  put(principal: ServicePrincipalCredentials): void {
    this.principals.set(principal.appId, structuredClone(principal));
    this.tenants.add(principal.tenantId.toLowerCase());
  }

  update(appId: string, change: (principal: ServicePrincipalCredentials) => void): void {
    const principal = this.principals.get(appId);
    if (principal === undefined) throw new Error(`no principal ${appId}`);
    change(principal);
  }
}

/** The SigningKeyStore port over an array; `remove` models deleting a key for good. */
export class InMemorySigningKeyStore implements SigningKeyStore {
  private records: SigningKeyRecord[] = [];
  listCalls = 0;
  /** Set to make reads fail, as an unreachable database would. */
  unavailable = false;

  list(): Promise<SigningKeyRecord[]> {
    this.listCalls += 1;
    if (this.unavailable) return Promise.reject(new Error('key store unavailable'));
    return Promise.resolve(structuredClone(this.records));
  }

  insert(key: SigningKeyRecord): Promise<void> {
    if (this.records.some((k) => k.kid === key.kid)) return Promise.reject(new Error('duplicate kid'));
    this.records.push(structuredClone(key));
    return Promise.resolve();
  }

  retire(kid: string): Promise<void> {
    for (const record of this.records) if (record.kid === kid) record.status = 'retired';
    return Promise.resolve();
  }

  remove(kid: string): void {
    this.records = this.records.filter((k) => k.kid !== kid);
  }
}

export interface TestApplication {
  principal: ServicePrincipalCredentials;
  secret: string;
}

/** A service principal with one fresh, non-expiring secret (returned in plain text once, as at creation). */
export function newTestApplication(overrides: Partial<ServicePrincipalCredentials> = {}): TestApplication {
  const { secret } = newClientSecret();
  const principal: ServicePrincipalCredentials = {
    servicePrincipalId: crypto.randomUUID(),
    tenantId: crypto.randomUUID(),
    appId: crypto.randomUUID(),
    displayName: 'PIM automation',
    accountEnabled: true,
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    secrets: [{ keyId: crypto.randomUUID(), secretHash: hashClientSecret(secret), endDateTimeMs: null }],
    ...overrides,
  };
  return { principal, secret };
}

/** No principal holds a directory role or is in a group (the token-endpoint tests do not involve the directory). */
export const noActiveRoles: ActiveDirectoryRoles = {
  templateIdsAt: () => Promise.resolve([]),
  groupIdsAt: () => Promise.resolve([]),
};
