import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The path of approval links under the public URL (`GET` shows the request, `POST` decides). */
export const APPROVAL_LINK_PATH = '/approvals/link';

/** The longest an approval link lives, whatever the stage's deadline. */
export const MAX_APPROVAL_LINK_MS = 24 * 3_600_000;

/** The purpose label of the link-signing key derived from the data key. */
export const APPROVAL_LINK_KEY_LABEL = 'approval-link-mac';

/**
 * What an approval link grants: one decision (`decision`) on one stage (`stepId`, 1-based
 * `stage`) of one request's approval, by one approver (`approverId`), until `expiresAt` (epoch ms),
 * once (`id`, recorded when used).
 */
export interface ApprovalLinkClaims {
  id: string;
  tenantId: string;
  requestId: string;
  stepId: string;
  stage: number;
  approverId: string;
  decision: 'Approve' | 'Deny';
  expiresAt: number;
}

/** Why a link is refused before anything is looked up. */
export type LinkRefusal = 'malformed' | 'forged' | 'expired';

const MAC_DOMAIN = 'elevate-approval-link.v1.';

const mac = (key: Buffer, body: string): Buffer =>
  createHmac('sha256', key).update(MAC_DOMAIN).update(body).digest();

/** A fresh link id: 128 random bits. */
export const newApprovalLinkId = (): string => randomBytes(16).toString('base64url');

/**
 * The link's token: the claims as base64url JSON, a dot, and their HMAC-SHA256 under `key` (a key
 * derived from the data key for this purpose alone). Claims are not secret; they are only signed.
 */
export function signApprovalLink(key: Buffer, c: ApprovalLinkClaims): string {
  const body = Buffer.from(
    JSON.stringify({
      v: 1,
      jti: c.id,
      tid: c.tenantId,
      rid: c.requestId,
      sid: c.stepId,
      stg: c.stage,
      sub: c.approverId,
      dec: c.decision,
      exp: c.expiresAt,
    }),
  ).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

const B64URL = /^[A-Za-z0-9_-]{1,2048}$/;
const str = (v: unknown, max = 128): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * Checks a token's signature (in constant time), then its claims' shape, then its expiry at `now`.
 * A changed byte anywhere in the claims or the signature is `forged`.
 */
export function verifyApprovalLink(
  key: Buffer,
  token: string,
  now: number,
): { ok: true; claims: ApprovalLinkClaims } | { ok: false; why: LinkRefusal } {
  const [body, sig, ...rest] = token.split('.');
  if (body === undefined || sig === undefined || rest.length > 0 || !B64URL.test(body) || !B64URL.test(sig))
    return { ok: false, why: 'malformed' };
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(key, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, why: 'forged' };
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, why: 'malformed' };
  }
  if (
    p.v !== 1 ||
    !str(p.jti) ||
    !str(p.tid) ||
    !str(p.rid) ||
    !str(p.sid) ||
    !str(p.sub) ||
    typeof p.stg !== 'number' ||
    (p.dec !== 'Approve' && p.dec !== 'Deny') ||
    typeof p.exp !== 'number'
  )
    return { ok: false, why: 'malformed' };
  const claims: ApprovalLinkClaims = {
    id: p.jti,
    tenantId: p.tid,
    requestId: p.rid,
    stepId: p.sid,
    stage: p.stg,
    approverId: p.sub,
    decision: p.dec,
    expiresAt: p.exp,
  };
  if (now >= claims.expiresAt) return { ok: false, why: 'expired' };
  return { ok: true, claims };
}
