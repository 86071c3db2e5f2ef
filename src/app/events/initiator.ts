import type { Initiator } from '../../domain/audit/entry.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores } from '../ports.js';

/** Who the caller is, as an audit entry names them: read live, in the same transaction. */
export async function initiatorOf(tx: Stores, caller: Caller): Promise<Initiator> {
  if (caller.kind === 'user') {
    const user = await tx.users.get(caller.tenantId, caller.id);
    return {
      user: {
        id: caller.id,
        displayName: user?.displayName ?? null,
        userPrincipalName: user?.userPrincipalName ?? null,
        ipAddress: caller.ipAddress,
      },
      app: null,
    };
  }
  const sp = await tx.servicePrincipals.get(caller.tenantId, caller.id);
  return {
    user: null,
    app: {
      appId: caller.appId ?? sp?.appId ?? null,
      displayName: sp?.displayName ?? null,
      servicePrincipalId: caller.id,
      servicePrincipalName: sp?.displayName ?? null,
      ipAddress: caller.ipAddress,
    },
  };
}
