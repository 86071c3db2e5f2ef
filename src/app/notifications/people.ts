import type { Person } from '../../domain/notifications/audience.js';
import type { Audience } from '../../domain/notifications/event-types.js';
import type { ApprovalStep } from '../../domain/pim/approval.js';
import { PIM_ADMIN_ROLES } from '../../domain/pim/permissions.js';
import type { Stores } from '../ports.js';
import type { Mailbox } from './ports.js';

/** Most people one audience is resolved to (a huge group must not stall the fan-out). */
const MAX_PEOPLE = 500;

/**
 * Where a user is reached: their `mail`, or else their user principal name (which routes as an
 * address in most organisations). Disabled accounts are not written to.
 */
export const emailOf = (m: Mailbox): string | null =>
  m.accountEnabled ? (m.mail ?? m.userPrincipalName) : null;

/** Who an event is about and which approval stages its approvers come from. */
export interface Subjects {
  tenantId: string;
  principal: { id: string; type: 'user' | 'group' | 'servicePrincipal' | null };
  /** The stages whose approvers hear of it (empty when the event has none). */
  approverSteps: readonly ApprovalStep[];
  /** Approvers who are not written to (they already decided). */
  exceptApprovers?: readonly string[];
  /** The instant the event happened: role holders and group members are read as of then. */
  at: number;
}

/**
 * The default recipients of each audience, looked up on first use and kept for the event:
 * **requestor** — the principal (a group's direct user members; a service principal has no
 * mailbox); **approver** — the users and group members a stage names or, when it names nobody, the
 * holders of Privileged Role Administrator and Global Administrator; never the principal;
 * **admin** — the holders of Privileged Role Administrator and Global Administrator.
 */
export function defaultRecipients(tx: Stores, s: Subjects): (audience: Audience) => Promise<Person[]> {
  const dir = tx.notificationDirectory;
  const cache = new Map<Audience, Promise<Person[]>>();
  const admins = () => dir.roleHolders(s.tenantId, PIM_ADMIN_ROLES, s.at);

  async function ids(audience: Audience): Promise<string[]> {
    switch (audience) {
      case 'requestor':
        if (s.principal.type === 'group') return dir.userMembers(s.tenantId, [s.principal.id]);
        return s.principal.type === 'servicePrincipal' ? [] : [s.principal.id];
      case 'admin':
        return admins();
      case 'approver': {
        const found: string[] = [];
        for (const step of s.approverSteps) {
          if (step.approvers.length === 0) {
            found.push(...(await admins()));
            continue;
          }
          found.push(...step.approvers.filter((a) => a.type === 'user').map((a) => a.id));
          const groups = step.approvers.filter((a) => a.type === 'group').map((a) => a.id);
          if (groups.length > 0) found.push(...(await dir.userMembers(s.tenantId, groups)));
        }
        // Nobody approves their own request, so nobody is asked to.
        const except = new Set(s.exceptApprovers ?? []);
        return found.filter((id) => id !== s.principal.id && !except.has(id));
      }
    }
  }

  return (audience) => {
    let people = cache.get(audience);
    if (people === undefined) {
      people = ids(audience).then(async (found) => {
        const unique = [...new Set(found)].slice(0, MAX_PEOPLE);
        const boxes = await dir.mailboxes(s.tenantId, unique);
        return boxes.map((m) => ({ id: m.id, email: emailOf(m) }));
      });
      cache.set(audience, people);
    }
    return people;
  };
}
