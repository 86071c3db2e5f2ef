import { ODataError } from './odata-error.js';

/** Largest offset a `$skiptoken` may carry; fits a 32-bit signed integer everywhere. */
export const MAX_SKIP = 2_147_483_647;

const PAYLOAD = /^v1:(0|[1-9]\d{0,9})$/;

/**
 * The `$skiptoken` for a page starting at `offset`. Opaque and versioned (`v1`) so that paging can
 * move to keyset tokens later without breaking links clients hold. It is not signed: it only
 * carries an offset, and any offset is a page the caller may read anyway.
 */
export const encodeSkipToken = (offset: number): string => Buffer.from(`v1:${offset}`).toString('base64url');

/**
 * The offset a token from {@link encodeSkipToken} carries.
 * @throws ODataError('invalidSkipToken') for anything this module did not issue, including tokens
 *   that decode to the same offset but are spelled differently.
 */
export function decodeSkipToken(token: string): number {
  const invalid = new ODataError(
    'invalidSkipToken',
    'The $skiptoken is invalid or has expired.',
    '$skiptoken',
  );
  if (token.length > 32 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
  const match = PAYLOAD.exec(Buffer.from(token, 'base64url').toString('latin1'));
  const offset = Number(match?.[1]);
  if (!match || offset > MAX_SKIP || encodeSkipToken(offset) !== token) throw invalid;
  return offset;
}
