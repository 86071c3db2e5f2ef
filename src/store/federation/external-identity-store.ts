import type { Kysely } from 'kysely';
import type { ExternalIdentityLink, ExternalIdentityStore } from '../../app/federation/ports.js';
import type { Database, ExternalIdentityRow } from '../schema.js';

const toLink = (r: ExternalIdentityRow): ExternalIdentityLink => ({
  issuerId: r.issuer_id,
  subject: r.subject,
  tenantId: r.tenant_id,
  userId: r.user_id,
  createdAt: Number(r.created_at),
  lastSignInAt: r.last_sign_in_at === null ? null : Number(r.last_sign_in_at),
});

export function externalIdentityStore(db: Kysely<Database>): ExternalIdentityStore {
  return {
    async find(issuerId, subject) {
      const r = await db
        .selectFrom('external_identities')
        .selectAll()
        .where('issuer_id', '=', issuerId)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return r === undefined ? undefined : toLink(r);
    },
    async insert(link) {
      const r = await db
        .insertInto('external_identities')
        .values({
          issuer_id: link.issuerId,
          subject: link.subject,
          tenant_id: link.tenantId,
          user_id: link.userId,
          created_at: link.createdAt,
          last_sign_in_at: link.lastSignInAt,
        })
        .onConflict((oc) => oc.columns(['issuer_id', 'subject']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async touch(issuerId, subject, now) {
      await db
        .updateTable('external_identities')
        .set({ last_sign_in_at: now })
        .where('issuer_id', '=', issuerId)
        .where('subject', '=', subject)
        .execute();
    },
    async listForUser(tenantId, userId) {
      const rows = await db
        .selectFrom('external_identities')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .orderBy('issuer_id')
        .orderBy('subject')
        .execute();
      return rows.map(toLink);
    },
  };
}
