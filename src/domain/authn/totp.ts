import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * TOTP (RFC 6238) as authenticator apps implement it: HMAC-SHA-1, 30-second steps from the Unix
 * epoch, 6 digits. Written on `node:crypto` (about 60 lines) rather than taken from a library so
 * that the window and the replay rule below are ours to read and test.
 */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (clock drift between phone and server). */
export const TOTP_WINDOW_STEPS = 1;
/** Seed length in bytes: 160 bits, the HMAC-SHA-1 block-size recommendation of RFC 4226. */
const SEED_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, the form `otpauth://` URIs carry. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** A fresh random TOTP seed. */
export function newTotpSeed(): Buffer {
  return randomBytes(SEED_BYTES);
}

/** The time step (counter) that holds at `nowMs`. */
export function totpStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);
}

/** The code for one step (RFC 4226 HOTP with the step as counter, dynamic truncation). */
export function totpCode(seed: Uint8Array, step: number, digits = TOTP_DIGITS): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', seed).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** Outcome of {@link verifyTotp}: the step that matched, to be remembered as the last one used. */
export type TotpCheck = { ok: true; step: number } | { ok: false };

/**
 * Checks a code against the steps `now - 1 … now + 1`. A step at or before `lastUsedStep` never
 * matches, so each code is accepted once and an older code cannot be used after a newer one. All
 * candidate steps are compared, in constant time, whatever matched first.
 */
export function verifyTotp(input: {
  seed: Uint8Array;
  code: string;
  nowMs: number;
  lastUsedStep: number | null;
}): TotpCheck {
  const code = input.code.trim();
  if (code.length !== TOTP_DIGITS || !/^[0-9]+$/.test(code)) {
    return { ok: false };
  }
  const presented = Buffer.from(code);
  const current = totpStepAt(input.nowMs);
  let matched: number | null = null;
  for (let step = current - TOTP_WINDOW_STEPS; step <= current + TOTP_WINDOW_STEPS; step += 1) {
    const equal = timingSafeEqual(Buffer.from(totpCode(input.seed, step)), presented);
    const fresh = input.lastUsedStep === null || step > input.lastUsedStep;
    if (equal && fresh && matched === null) matched = step;
  }
  return matched === null ? { ok: false } : { ok: true, step: matched };
}

/**
 * The `otpauth://totp/…` URI authenticator apps scan (Key Uri Format): label `issuer:account`,
 * the seed in base32, and the parameters spelled out even where they are the defaults.
 */
export function otpauthUri(input: { issuer: string; account: string; seed: Uint8Array }): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`;
  const params = new URLSearchParams({
    secret: base32Encode(input.seed),
    issuer: input.issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
