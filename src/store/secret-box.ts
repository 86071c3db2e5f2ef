import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets at rest (signing keys, TOTP seeds, connector credentials) with AES-256-GCM
 * under the data key from configuration. Format: `v1.<iv>.<tag>.<ciphertext>` in base64url.
 * The `context` (e.g. "signing-key:<kid>") is bound as additional data, so a ciphertext copied
 * into another row does not decrypt.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /**
   * A 32-byte key for one purpose (`label`, e.g. "approval-link-mac"), derived from the data key
   * with HKDF-SHA256: it never equals the data key nor another purpose's key.
   */
  derive(label: string): Buffer;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('data key must be 32 bytes');
  return {
    derive(label) {
      return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `elevate:${label}`, 32));
    },
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        ct.toString('base64url'),
      ].join('.');
    },
    open(sealed, context) {
      const [version, iv, tag, ct] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || ct === undefined) {
        throw new Error('sealed secret has an unknown format');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}
