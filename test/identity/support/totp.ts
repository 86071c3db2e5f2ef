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

/**
 * The dark modules of a QR code as the enrolment returns it (an SVG `data:` URI drawn by the
 * `qrcode` library: one horizontal stroke per run of dark modules, `margin` modules of quiet zone).
 */
export function qrModulesOf(dataUri: string, margin = 2): boolean[][] {
  const prefix = 'data:image/svg+xml;base64,';
  if (!dataUri.startsWith(prefix)) throw new Error('not an SVG data URI');
  const svg = Buffer.from(dataUri.slice(prefix.length), 'base64').toString('utf8');
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]) - 2 * margin;
  const path = /<path stroke="#000000" d="([^"]+)"/.exec(svg)?.[1] ?? '';
  const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  let x = 0;
  let y = 0;
  for (const [, op, a, b] of path.matchAll(/([MmHh])([\d.]+)(?: ([\d.]+))?/g)) {
    const n = Number(a);
    if (op === 'M') [x, y] = [n, Number(b)];
    else if (op === 'm') [x, y] = [x + n, y + Number(b)];
    else {
      for (let c = x; c < x + n; c += 1) grid[Math.floor(y) - margin]![c - margin] = true;
      x += n;
    }
  }
  return grid;
}
