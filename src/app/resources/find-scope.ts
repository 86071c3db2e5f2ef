import { ROOT_SCOPE } from '../../domain/resources/scope-path.js';
import type { Stores } from '../ports.js';

/** Whether the scope is the root or a registered resource of the tenant. */
export async function scopeExists(tx: Stores, tenantId: string, scopeId: string): Promise<boolean> {
  if (scopeId === ROOT_SCOPE) return true;
  return (await tx.resourceScopes.get(tenantId, scopeId)) !== undefined;
}
