import type { Kysely } from 'kysely';
import type { CheckpointKeyring } from '../../app/audit/ports.js';
import { generateCheckpointKey } from '../../domain/audit/checkpoint.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';
import type { SecretBox } from '../secret-box.js';

const context = (keyId: string) => `audit-checkpoint-key:${keyId}`;

/**
 * Checkpoint signing keys in `audit_signing_keys`, private halves sealed under the data key
 * (DESIGN.md invariant 9). Kept apart from the token signing keys: a different algorithm, a
 * different purpose, and never published in the JWKS.
 */
export function auditKeyring(db: Kysely<Database>, box: SecretBox): CheckpointKeyring {
  const newest = () =>
    db
      .selectFrom('audit_signing_keys')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('key_id', 'desc')
      .limit(1)
      .executeTakeFirst();

  return {
    async signingKey(now) {
      let row = await newest();
      if (!row) {
        const key = generateCheckpointKey();
        // Two replicas may both generate one at first use; both keys stay valid and the newest signs.
        await db
          .insertInto('audit_signing_keys')
          .values({
            key_id: key.keyId,
            alg: 'Ed25519',
            private_key_enc: box.seal(key.privateKeyPem, context(key.keyId)),
            public_key: key.publicKeyPem,
            created_at: codecs.time.encode(now),
          })
          .onConflict((oc) => oc.column('key_id').doNothing())
          .execute();
        row = await newest();
      }
      if (!row) throw new Error('no audit checkpoint key could be stored');
      return {
        keyId: row.key_id,
        privateKeyPem: box.open(row.private_key_enc, context(row.key_id)),
        publicKeyPem: row.public_key,
      };
    },

    async publicKeys() {
      const rows = await db.selectFrom('audit_signing_keys').select(['key_id', 'public_key']).execute();
      return new Map(rows.map((r) => [r.key_id, r.public_key]));
    },
  };
}
