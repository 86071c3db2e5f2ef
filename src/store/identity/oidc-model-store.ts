import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { errors } from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../domain/time/clock.js';
import type { Database } from '../schema.js';
import type { SecretBox } from '../secret-box.js';

/**
 * oidc-provider's storage over the `oidc_models` table, one adapter per model name, so that a
 * session, an authorization code or a refresh token created on one replica is found on any other,
 * and consuming a code or rotating a refresh token is seen by all of them. Expired rows read as
 * absent; nothing here deletes them in the background (a cleanup job can prune `expires_at`).
 *
 * Nothing in a row can be presented as is: the artefact's id (the refresh token, the code, the
 * session id…), its `uid`, its device-flow `user_code` and its `grant_id` are stored as SHA-256
 * digests (base64url) and looked up by hashing the presented value the same way; the payload is
 * sealed under the data key with the model name and the hashed id as context, so a payload copied
 * onto another row (or tampered with) does not open and the row reads as absent.
 */
export function oidcModelAdapters(
  db: Kysely<Database>,
  clock: Clock,
  box: SecretBox,
): (model: string) => Adapter {
  const adapters = new Map<string, Adapter>();
  return (model) => {
    let adapter = adapters.get(model);
    if (adapter === undefined) {
      adapter = modelAdapter(db, clock, box, model);
      adapters.set(model, adapter);
    }
    return adapter;
  };
}

/** The stored form of an artefact id, uid, user code or grant id. */
export function artefactDigest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** The context a row's payload is sealed under: it binds the payload to its model and row. */
export function artefactContext(model: string, hashedId: string): string {
  return `oidc-model:${model}:${hashedId}`;
}

function modelAdapter(db: Kysely<Database>, clock: Clock, box: SecretBox, model: string): Adapter {
  const live = async (column: 'id' | 'uid' | 'user_code', value: string) => {
    const row = await db
      .selectFrom('oidc_models')
      .select(['id', 'payload', 'expires_at', 'consumed_at'])
      .where('model', '=', model)
      .where(column, '=', artefactDigest(value))
      .executeTakeFirst();
    if (row === undefined) return undefined;
    if (row.expires_at !== null && clock.now() >= Number(row.expires_at)) return undefined;
    let text: string;
    try {
      text = box.open(row.payload, artefactContext(model, row.id));
    } catch {
      // Tampered with, moved from another row, or sealed under another key: not a valid artefact.
      return undefined;
    }
    const payload = JSON.parse(text) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = Math.floor(Number(row.consumed_at) / 1000);
    return payload;
  };
  const digestOf = (value: unknown) => (typeof value === 'string' ? artefactDigest(value) : null);
  return {
    async upsert(id, payload, expiresIn) {
      const hashedId = artefactDigest(id);
      const values = {
        payload: box.seal(JSON.stringify(payload), artefactContext(model, hashedId)),
        grant_id: digestOf(payload.grantId),
        user_code: digestOf(payload.userCode),
        uid: digestOf(payload.uid),
        expires_at: expiresIn === undefined ? null : clock.now() + expiresIn * 1000,
      };
      await db
        .insertInto('oidc_models')
        .values({ model, id: hashedId, consumed_at: null, ...values })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))
        .execute();
    },
    find: (id) => live('id', id),
    findByUid: (uid) => live('uid', uid),
    findByUserCode: (userCode) => live('user_code', userCode),
    // Compare-and-set: oidc-provider checks `consumed` and then calls this, so two replicas
    // redeeming one code (or refresh token) at once would both pass the check; only one of them
    // marks it here, the other is refused before any token is issued.
    async consume(id) {
      const r = await db
        .updateTable('oidc_models')
        .set({ consumed_at: clock.now() })
        .where('model', '=', model)
        .where('id', '=', artefactDigest(id))
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new errors.InvalidGrant(`${model} already used`);
    },
    async destroy(id) {
      await db
        .deleteFrom('oidc_models')
        .where('model', '=', model)
        .where('id', '=', artefactDigest(id))
        .execute();
    },
    async revokeByGrantId(grantId) {
      await db
        .deleteFrom('oidc_models')
        .where('model', '=', model)
        .where('grant_id', '=', artefactDigest(grantId))
        .execute();
    },
  };
}
