import { CAEP_TOKEN_CLAIMS_CHANGE, type SetEventType, type SupportedEvent } from './stream.js';
import type { Trigger } from './triggers.js';

/** A subject identifier (RFC 9493 / SSF §3): the formats Elevate sends. */
export type SubjectId =
  | { format: 'opaque'; id: string }
  | { format: 'iss_sub'; iss: string; sub: string }
  | { format: 'email'; email: string }
  | {
      format: 'complex';
      user: { format: 'iss_sub'; iss: string; sub: string } | { format: 'email'; email: string };
      tenant?: { format: 'opaque'; id: string };
    };

/** An unsigned Security Event Token (RFC 8417) as stored until its delivery signs it. */
export interface SetClaims {
  iss: string;
  jti: string;
  /** Seconds since the epoch. */
  iat: number;
  aud: string;
  /** The domain event's id (the outbox message id): receivers de-duplicate on it across streams and retries. */
  txn: string;
  sub_id: SubjectId;
  events: Record<string, Record<string, unknown>>;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The subject of a CAEP event: the user as the issuer of its tokens names it (`sub` = object id), in its tenant. */
export const userSubject = (issuer: string, tenantId: string, principalId: string): SubjectId => ({
  format: 'complex',
  user: { format: 'iss_sub', iss: issuer, sub: principalId },
  tenant: { format: 'opaque', id: tenantId },
});

/**
 * The claims a principal's new tokens carry for what ended: `wids` (directory role templates) and
 * `groups` (group ids), as the authorization server computes them now.
 */
export interface CurrentClaims {
  wids: string[];
  groups: string[];
}

/** One CAEP event's body (CAEP 1.0 §3.1, §3.2). */
export function caepEvent(
  type: SupportedEvent,
  t: Pick<Trigger, 'initiatingEntity' | 'reason' | 'at'>,
  claims: CurrentClaims | undefined,
): Record<string, unknown> {
  const common = {
    event_timestamp: seconds(t.at),
    initiating_entity: t.initiatingEntity,
    reason_admin: { en: t.reason },
  };
  if (type === CAEP_TOKEN_CLAIMS_CHANGE) return { ...common, claims: claims ?? { wids: [], groups: [] } };
  return common;
}

/** A SET for one stream and one event. */
export function buildSet(o: {
  issuer: string;
  jti: string;
  now: number;
  audience: string;
  txn: string;
  subject: SubjectId;
  type: SetEventType;
  event: Record<string, unknown>;
}): SetClaims {
  return {
    iss: o.issuer,
    jti: o.jti,
    iat: seconds(o.now),
    aud: o.audience,
    txn: o.txn,
    sub_id: o.subject,
    events: { [o.type]: o.event },
  };
}

/** SSF's verification event (SSF §8.1.4): the stream as the opaque subject, the receiver's `state` echoed. */
export const verificationEvent = (state: string | null): Record<string, unknown> =>
  state === null ? {} : { state };
