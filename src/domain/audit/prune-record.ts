import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * What retention asserts when it deletes a prefix of a chain: entries `1..throughSeq` of the
 * tenant's chain were removed on purpose, and entry `throughSeq` had `headHash`. Signed with the
 * checkpoint key under its own type tag, so neither a checkpoint nor anything else can pass for it:
 * deleting a prefix that ends at an ordinary checkpoint is still reported as removal.
 */
export interface PruneStatement {
  tenantId: string;
  throughSeq: number;
  headHash: string;
  prunedAt: number;
  keyId: string;
}

export interface SignedPrune extends PruneStatement {
  signature: string;
}

const message = (s: PruneStatement): Buffer =>
  Buffer.from(
    canonicalJson({
      type: 'elevate.audit.prune.v1',
      tenantId: s.tenantId,
      throughSeq: s.throughSeq,
      headHash: s.headHash,
      prunedAt: s.prunedAt,
      keyId: s.keyId,
    }),
    'utf8',
  );

export function signPrune(s: PruneStatement, privateKeyPem: string): SignedPrune {
  return { ...s, signature: sign(null, message(s), createPrivateKey(privateKeyPem)).toString('base64url') };
}

/** True when the record's signature verifies under the key its `keyId` names. */
export function pruneSignatureValid(p: SignedPrune, publicKeys: ReadonlyMap<string, string>): boolean {
  const pem = publicKeys.get(p.keyId);
  if (pem === undefined) return false;
  try {
    return verify(null, message(p), createPublicKey(pem), Buffer.from(p.signature, 'base64url'));
  } catch {
    return false;
  }
}
