import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { buildSet, verificationEvent } from '../../domain/ssf/set.js';
import {
  SSF_ACTIVITIES,
  streamCreated,
  streamDeleted,
  streamUpdated,
  streamVerificationRequested,
} from '../../domain/ssf/ssf-events.js';
import { SSF_RULES } from '../../domain/ssf/permissions.js';
import {
  checkEndpointUrl,
  checkEventsRequested,
  checkLine,
  eventsDelivered,
  MAX_AUDIENCE_LENGTH,
  MAX_AUTHORIZATION_HEADER_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  MAX_REASON_LENGTH,
  MAX_STATE_LENGTH,
  MAX_STREAMS_PER_TENANT,
  MIN_VERIFICATION_INTERVAL_S,
  SSF_VERIFICATION,
  streamAuthorizationContext,
  type Stream,
  type StreamStatus,
  type SupportedEvent,
} from '../../domain/ssf/stream.js';
import {
  BadRequestError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { Sealer } from './ports.js';

/** A stream as the API shows it: never its authorization header, only whether it has one. */
export interface StreamView {
  id: string;
  audience: string;
  endpointUrl: string;
  hasAuthorization: boolean;
  eventsRequested: string[];
  eventsDelivered: SupportedEvent[];
  description: string | null;
  status: StreamStatus;
  statusReason: string | null;
}

export const streamView = (s: Stream): StreamView => ({
  id: s.id,
  audience: s.audience,
  endpointUrl: s.endpointUrl,
  hasAuthorization: s.sealedAuthorization !== null,
  eventsRequested: s.eventsRequested,
  eventsDelivered: eventsDelivered(s.eventsRequested),
  description: s.description,
  status: s.status,
  statusReason: s.statusReason,
});

export interface CreateStream {
  audience: string | undefined;
  endpointUrl: string;
  authorizationHeader: string | undefined;
  eventsRequested: string[] | undefined;
  description: string | undefined;
}

export type UpdateStream = Partial<{
  audience: string;
  endpointUrl: string;
  authorizationHeader: string | null;
  eventsRequested: string[];
  description: string | null;
}>;

const notFound = () => new NotFoundError('The stream does not exist.', 'Request_ResourceNotFound');

function checkAuthorization(value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  return checkLine(value, 'delivery.authorization_header', MAX_AUTHORIZATION_HEADER_LENGTH);
}

/**
 * Shared Signals streams of the caller's tenant (SSF 1.0 §8.1, ADR 0040): create, read, change,
 * delete, status, and the verification event. The receiver's authorization header is sealed with
 * the data key bound to the stream and never returned. Every change is audited; `changed` wakes
 * the delivery worker.
 */
export function makeSsfStreams(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  sealer: Sealer;
  /** The SETs' `iss`: Elevate's token issuer. */
  issuer: string;
  /** Whether `http://` endpoints are accepted (operator setting; https otherwise). */
  allowHttp: boolean;
  changed?: () => void;
}) {
  const change = makeChange(deps);
  const requested = (id: string | null) => [
    { id, displayName: 'stream', type: 'Other' as const, userPrincipalName: null, modifiedProperties: [] },
  ];
  const load = async (tx: Stores, caller: Caller, id: string, now: number, rule: 'read' | 'write') => {
    await authorize(tx, caller, SSF_RULES[rule], now);
    const s = await tx.ssfStreams.get(caller.tenantId, id);
    if (s === undefined) throw notFound();
    return s;
  };
  const seal = (value: string, id: string) => deps.sealer.seal(value, streamAuthorizationContext(id));
  const wake = () => deps.changed?.();

  return {
    issuer: deps.issuer,

    async list(caller: Caller): Promise<StreamView[]> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, SSF_RULES.read, now);
        return (await tx.ssfStreams.list(caller.tenantId)).map(streamView);
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async get(caller: Caller, id: string): Promise<StreamView> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => streamView(await load(tx, caller, id, now, 'read')));
    },

    /** @throws ValidationError, BadRequestError (too many), ForbiddenError */
    async create(caller: Caller, cmd: CreateStream): Promise<StreamView> {
      const endpointUrl = checkEndpointUrl(cmd.endpointUrl, deps.allowHttp);
      const audience = checkLine(cmd.audience ?? endpointUrl, 'aud', MAX_AUDIENCE_LENGTH);
      const events = checkEventsRequested(cmd.eventsRequested ?? []);
      const description =
        cmd.description === undefined
          ? null
          : checkLine(cmd.description, 'description', MAX_DESCRIPTION_LENGTH);
      const authorization = checkAuthorization(cmd.authorizationHeader);
      return change(caller, {
        attempt: { activity: SSF_ACTIVITIES.create, targets: requested(null) },
        check: async (tx, now) => {
          await authorize(tx, caller, SSF_RULES.write, now);
          if ((await tx.ssfStreams.count(caller.tenantId)) >= MAX_STREAMS_PER_TENANT)
            throw new BadRequestError(
              'Request_BadRequest',
              `A tenant can have at most ${MAX_STREAMS_PER_TENANT} shared signals streams.`,
            );
        },
        apply: async ({ tx, now, record }) => {
          const id = deps.newId();
          const s: Stream = {
            id,
            tenantId: caller.tenantId,
            audience,
            endpointUrl,
            sealedAuthorization: authorization === null ? null : seal(authorization, id),
            eventsRequested: events,
            description,
            status: 'enabled',
            statusReason: null,
            verifiedAt: null,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.ssfStreams.insert(s);
          record(streamCreated(s));
          return streamView(s);
        },
      });
    },

    /** PATCH: what is given replaces the stored value. @throws NotFoundError, ValidationError, ForbiddenError, ConflictError */
    async update(caller: Caller, id: string, patch: UpdateStream): Promise<StreamView> {
      const endpointUrl =
        patch.endpointUrl === undefined ? undefined : checkEndpointUrl(patch.endpointUrl, deps.allowHttp);
      const audience =
        patch.audience === undefined ? undefined : checkLine(patch.audience, 'aud', MAX_AUDIENCE_LENGTH);
      const events =
        patch.eventsRequested === undefined ? undefined : checkEventsRequested(patch.eventsRequested);
      const description =
        patch.description === undefined || patch.description === null
          ? patch.description
          : checkLine(patch.description, 'description', MAX_DESCRIPTION_LENGTH);
      const authorization =
        patch.authorizationHeader === undefined ? undefined : checkAuthorization(patch.authorizationHeader);
      const view = await change(caller, {
        attempt: { activity: SSF_ACTIVITIES.update, targets: requested(id) },
        check: (tx, now) => load(tx, caller, id, now, 'write'),
        apply: async ({ tx, now, record }, before) => {
          const after: Stream = {
            ...before,
            audience: audience ?? before.audience,
            endpointUrl: endpointUrl ?? before.endpointUrl,
            eventsRequested: events ?? before.eventsRequested,
            description: description === undefined ? before.description : description,
            sealedAuthorization:
              authorization === undefined
                ? before.sealedAuthorization
                : authorization === null
                  ? null
                  : seal(authorization, id),
            modifiedAt: now,
            version: before.version + 1,
          };
          await tx.ssfStreams.update(after, before.version);
          record(streamUpdated(before, after, authorization !== undefined));
          return streamView(after);
        },
      });
      wake();
      return view;
    },

    /** Deletes the stream and the SETs still waiting for it. @throws NotFoundError, ForbiddenError */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: SSF_ACTIVITIES.delete, targets: requested(id) },
        check: (tx, now) => load(tx, caller, id, now, 'write'),
        apply: async ({ tx, record }, s) => {
          await tx.ssfStreams.delete(caller.tenantId, s.id);
          record(streamDeleted(s));
        },
      });
    },

    /** The stream's status (SSF §8.1.2.1). @throws NotFoundError, ForbiddenError */
    async status(caller: Caller, id: string): Promise<StreamView> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => streamView(await load(tx, caller, id, now, 'read')));
    },

    /**
     * Enables, pauses or disables the stream (SSF §8.1.2.2). Paused: SETs are kept and sent when it
     * is enabled again; disabled: nothing is kept for it meanwhile (what waited is sent when enabled).
     * @throws NotFoundError, ValidationError, ForbiddenError, ConflictError
     */
    async setStatus(
      caller: Caller,
      id: string,
      status: StreamStatus,
      reason: string | undefined,
    ): Promise<StreamView> {
      const statusReason = reason === undefined ? null : checkLine(reason, 'reason', MAX_REASON_LENGTH);
      const view = await change(caller, {
        attempt: { activity: SSF_ACTIVITIES.update, targets: requested(id) },
        check: (tx, now) => load(tx, caller, id, now, 'write'),
        apply: async ({ tx, now, record }, before) => {
          const after: Stream = {
            ...before,
            status,
            statusReason,
            modifiedAt: now,
            version: before.version + 1,
          };
          await tx.ssfStreams.update(after, before.version);
          record(streamUpdated(before, after, false));
          return streamView(after);
        },
      });
      wake();
      return view;
    },

    /**
     * Asks for a verification event (SSF §8.1.4): queued like any SET, its `state` echoed. At most
     * one per `MIN_VERIFICATION_INTERVAL_S` per stream.
     * @throws NotFoundError, ValidationError, ForbiddenError, RateLimitedError
     */
    async verify(caller: Caller, id: string, state: string | undefined): Promise<void> {
      const checkedState = state === undefined ? null : checkLine(state, 'state', MAX_STATE_LENGTH);
      await change(caller, {
        attempt: { activity: SSF_ACTIVITIES.verify, targets: requested(id) },
        check: async (tx, now) => {
          const s = await load(tx, caller, id, now, 'write');
          const nextAllowed = (s.verifiedAt ?? -Infinity) + MIN_VERIFICATION_INTERVAL_S * 1000;
          if (now < nextAllowed)
            throw new RateLimitedError(
              Math.ceil((nextAllowed - now) / 1000),
              `A verification event was asked for less than ${MIN_VERIFICATION_INTERVAL_S} seconds ago.`,
            );
          if (s.status === 'disabled')
            throw new ValidationError('The stream is disabled: enable it to verify it.', 'stream_id');
          return s;
        },
        apply: async ({ tx, now, record }, s) => {
          await tx.ssfStreams.update({ ...s, verifiedAt: now, version: s.version + 1 }, s.version);
          const jti = deps.newId();
          const txn = deps.newId();
          await tx.ssfDeliveries.insertNew([
            {
              id: jti,
              tenantId: s.tenantId,
              streamId: s.id,
              eventId: txn,
              eventType: SSF_VERIFICATION,
              claims: buildSet({
                issuer: deps.issuer,
                jti,
                now,
                audience: s.audience,
                txn,
                subject: { format: 'opaque', id: s.id },
                type: SSF_VERIFICATION,
                event: verificationEvent(checkedState),
              }),
              status: 'pending',
              attempts: 0,
              lastError: null,
              createdAt: now,
              sentAt: null,
            },
          ]);
          record(streamVerificationRequested(s, checkedState));
        },
      });
      wake();
    },
  };
}
