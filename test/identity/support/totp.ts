/** RFC 4648 base32 (no padding), as otpauth URIs carry the seed: what an authenticator app reads. */
export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The seed of an `otpauth://totp/…?secret=…` URI. */
export const seedOf = (otpauthUri: string): Buffer =>
  base32Decode(new URL(otpauthUri).searchParams.get('secret') ?? '');
