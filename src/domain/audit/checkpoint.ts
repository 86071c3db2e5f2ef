import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** An Ed25519 key pair that signs audit checkpoints; PEM text (PKCS#8 private, SPKI public). */
export interface CheckpointKey {
  /** base64url SHA-256 of the DER public key: unique without coordination between replicas. */
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

/** What a checkpoint asserts: the chain of `tenantId` had `headHash` at `seq` when it was signed. */
export interface CheckpointStatement {
  tenantId: string;
  seq: number;
  headHash: string;
  signedAt: number;
  keyId: string;
}

export interface SignedCheckpoint extends CheckpointStatement {
  /** Ed25519 signature over {@link checkpointMessage}, base64url. */
  signature: string;
}

/** Public keys to check checkpoints with: one pinned key, or keys by `keyId`. */
export type CheckpointPublicKeys = string | KeyObject | ReadonlyMap<string, string | KeyObject>;

/** A fresh signing key. Fast (tens of microseconds) but still kept out of use-case transactions. */
export function generateCheckpointKey(): CheckpointKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId: keyIdOfKey(publicKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * The exact bytes signed: canonical JSON with a type tag, so a checkpoint signature can never be
 * mistaken for a signature over anything else, and every field (tenant, key, time) is covered.
 */
export function checkpointMessage(s: CheckpointStatement): Buffer {
  return Buffer.from(
    canonicalJson({
      type: 'elevate.audit.checkpoint.v1',
      tenantId: s.tenantId,
      seq: s.seq,
      headHash: s.headHash,
      signedAt: s.signedAt,
      keyId: s.keyId,
    }),
    'utf8',
  );
}

export function signCheckpoint(s: CheckpointStatement, privateKeyPem: string): SignedCheckpoint {
  const signature = sign(null, checkpointMessage(s), createPrivateKey(privateKeyPem)).toString('base64url');
  return { ...s, signature };
}

const keyIdOfKey = (key: KeyObject): string =>
  createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64url');

/** A key's id: base64url SHA-256 of its DER public key; undefined when the PEM is not an Ed25519 key. */
export function keyIdOf(publicKeyPem: string): string | undefined {
  try {
    const key = createPublicKey(publicKeyPem);
    return key.asymmetricKeyType === 'ed25519' ? keyIdOfKey(key) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parsed keys by `keyId\nPEM`: a checkpoint a minute means thousands of checks per run with a
 * handful of keys. Null marks a PEM that is not the key its id names.
 */
const certified = new Map<string, KeyObject | null>();

/**
 * The key a listed id names, only when the id is the key's own digest: key ids are
 * self-certifying, so nobody can put another key behind an id a checkpoint was published with.
 */
function certifiedKey(keyId: string, key: string | KeyObject): KeyObject | undefined {
  if (typeof key !== 'string') return keyIdOfKey(key) === keyId ? key : undefined;
  const cacheKey = `${keyId}\n${key}`;
  let parsed = certified.get(cacheKey);
  if (parsed === undefined) {
    parsed = keyIdOf(key) === keyId ? createPublicKey(key) : null;
    if (certified.size > 1_000) certified.clear();
    certified.set(cacheKey, parsed);
  }
  return parsed ?? undefined;
}

/**
 * True when the checkpoint's signature verifies under the key its `keyId` names. Keys listed by id
 * count only when the id is their own digest; a single pinned key is used as given.
 */
export function checkpointSignatureValid(cp: SignedCheckpoint, keys: CheckpointPublicKeys): boolean {
  let publicKey: KeyObject | undefined;
  try {
    if (keys instanceof Map) {
      const listed = (keys as ReadonlyMap<string, string | KeyObject>).get(cp.keyId);
      publicKey = listed === undefined ? undefined : certifiedKey(cp.keyId, listed);
    } else publicKey = typeof keys === 'string' ? createPublicKey(keys) : (keys as KeyObject);
    if (publicKey === undefined) return false;
    return verify(null, checkpointMessage(cp), publicKey, Buffer.from(cp.signature, 'base64url'));
  } catch {
    return false;
  }
}
