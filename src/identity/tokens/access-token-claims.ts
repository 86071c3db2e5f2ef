import type { JWTPayload } from 'jose';
import { tokenRejection } from './token-rejection.js';

/**
 * The caller, as a verified access token describes it. Field names follow Graph/Entra claims:
 * `tid` → tenantId, `oid` → objectId (user or service principal id), `appid`/`azp` → appId,
 * `roles` (app permissions), `wids` (active directory role template ids, in user tokens),
 * `amr`/`auth_time` (how and when the user authenticated, for the activation MfaRule).
 */
export interface AccessTokenClaims {
  tenantId: string;
  objectId: string;
  appId?: string;
  roles: string[];
  kind: 'app' | 'user';
  amr?: string[];
  /** Epoch seconds, as in the token. */
  authTimeSeconds?: number;
  wids?: string[];
  /**
   * Set for a token from a trusted external issuer: `objectId` is then empty, and the directory
   * user is found through the issuer's link (issuer id + `raw.sub`).
   */
  external?: { issuerId: string };
  raw: JWTPayload;
}

const MAX_LIST_LENGTH = 500;
const MAX_STRING_LENGTH = 256;

function isBoundedString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_STRING_LENGTH;
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_LIST_LENGTH || !value.every(isBoundedString)) {
    throw tokenRejection('claims');
  }
  return [...value];
}

/**
 * Maps a signature-verified payload to {@link AccessTokenClaims}.
 * @throws UnauthenticatedError when a claim is missing or of the wrong type, or the token is
 *   sender-constrained (`cnf`), which this verifier cannot check.
 */
export function accessTokenClaimsFrom(payload: JWTPayload): AccessTokenClaims {
  if (payload.cnf !== undefined) throw tokenRejection('senderConstrained');
  const { tid, oid, idtyp, auth_time: authTime } = payload;
  const appId = payload.appid ?? payload.azp;
  if (!isBoundedString(tid) || !isBoundedString(oid)) throw tokenRejection('claims');
  if (idtyp !== 'app' && idtyp !== 'user') throw tokenRejection('claims');
  if (appId !== undefined && !isBoundedString(appId)) throw tokenRejection('claims');
  if (authTime !== undefined && (typeof authTime !== 'number' || !Number.isFinite(authTime))) {
    throw tokenRejection('claims');
  }
  const amr = stringList(payload.amr);
  const wids = stringList(payload.wids);
  return {
    tenantId: tid,
    objectId: oid,
    ...(appId !== undefined ? { appId } : {}),
    roles: stringList(payload.roles) ?? [],
    kind: idtyp,
    ...(amr !== undefined ? { amr } : {}),
    ...(typeof authTime === 'number' ? { authTimeSeconds: authTime } : {}),
    ...(wids !== undefined ? { wids } : {}),
    raw: payload,
  };
}
