import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';
import { makeApprovals } from '../../src/app/pim/approvals.js';
import { createElevate, type Elevate } from '../../src/compose.js';
import type { BootstrapResult } from '../../src/app/bootstrap/bootstrap.js';
import type { NotificationOptions } from '../../src/modules/notifications.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { newId } from '../../src/domain/shared/ids.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { createSecretBox, type SecretBox } from '../../src/store/secret-box.js';
import { freshDb } from '../helpers/db.js';
import { PUBLIC_URL, type TestServer } from '../helpers/server.js';
import { adminAt, NOW, useCases, userCaller, type Headers } from '../pim/support.js';

export const BASE = '/v1.0/elevate/notifications';

/** One Elevate over a test database, on a manual clock, with every timer off (tests drive the jobs). */
export interface NotifyServer extends Elevate {
  db: Awaited<ReturnType<typeof freshDb>>;
  boot: BootstrapResult;
  clock: ManualClock;
  box: SecretBox;
  /** Headers of the bootstrap app (RoleManagement.ReadWrite.Directory), minted now. */
  admin(): Promise<Headers>;
  /** Relays committed events to the fan-out, then runs the delivery worker once. */
  flush(): ReturnType<NonNullable<Elevate['notifications']>['runOnce']>;
  close(): Promise<void>;
}

export async function notifyServer(
  o: {
    clock?: ManualClock;
    db?: Awaited<ReturnType<typeof freshDb>>;
    box?: SecretBox;
    notifications?: NotificationOptions;
    /** Networks outbound calls may reach besides public ones (default: the loopback, where the test's receivers listen). */
    allowNetworks?: string[];
    /** Second-factor registration at sign-in (Elevate's default, on, unless given). */
    requireMfaRegistration?: boolean;
    /** The second replica over a database another server owns: it neither drops nor bootstraps it. */
    replicaOf?: NotifyServer;
  } = {},
): Promise<NotifyServer> {
  const db = o.replicaOf?.db ?? o.db ?? (await freshDb({ pgPoolSize: 8 }));
  const clock = o.replicaOf?.clock ?? o.clock ?? new ManualClock(NOW);
  const box = o.replicaOf?.box ?? o.box ?? createSecretBox(randomBytes(32));
  const elevate = await createElevate({
    db,
    box,
    clock,
    logger: false,
    publicUrl: PUBLIC_URL,
    accessTokenTtlSeconds: 600,
    bootstrapAdminUpn: 'admin@contoso.test',
    outboxRelayIntervalMs: 0,
    expirySweepIntervalMs: 0,
    ...(o.requireMfaRegistration === undefined ? {} : { requireMfaRegistration: o.requireMfaRegistration }),
    accessReviewIntervalMs: 0,
    auditCheckpointIntervalMs: 0,
    // The test's receivers listen on the loopback interface.
    outbound: { allowNetworks: o.allowNetworks ?? ['127.0.0.0/8'] },
    notifications: {
      allowHttpWebhooks: true,
      workerIntervalMs: 0,
      webhookTimeoutMs: 2_000,
      smtpTimeoutMs: 5_000,
      ...o.notifications,
      worker: { random: () => 0, ...o.notifications?.worker },
    },
  });
  const boot = o.replicaOf?.boot ?? elevate.bootstrapped;
  if (!boot) throw new Error('a fresh database must bootstrap');
  const server: NotifyServer = {
    ...elevate,
    db,
    boot,
    clock,
    box,
    admin: () => adminAt(server as unknown as TestServer, clock),
    async flush() {
      await elevate.outbox.runOnce();
      return elevate.notifications!.runOnce();
    },
    async close() {
      await elevate.app.close();
      if (!o.replicaOf) await db.drop();
    },
  };
  return server;
}

export async function call(
  s: Pick<Elevate, 'app'>,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  headers: Headers,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  if (payload === undefined) return s.app.inject({ method, url, headers });
  return s.app.inject({
    method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

/** A user with a mailbox (`mail` set unless `mail: null`), optionally holding roles directly. */
export async function addUser(
  s: NotifyServer,
  name: string,
  o: { mail?: string | null; roles?: string[]; enabled?: boolean } = {},
): Promise<{ id: string; upn: string; mail: string | null; name: string }> {
  const id = newId();
  const upn = `${name.toLowerCase().replace(/\W+/g, '.')}.${id.slice(0, 4)}@contoso.test`;
  const mail = o.mail === undefined ? `${name.toLowerCase().replace(/\W+/g, '.')}@mail.contoso.test` : o.mail;
  await createUnitOfWork(s.db).run(async (tx) => {
    await tx.users.insert({
      id,
      tenantId: s.boot.tenantId,
      displayName: name,
      userPrincipalName: upn,
      mail,
      givenName: null,
      surname: null,
      jobTitle: null,
      accountEnabled: o.enabled ?? true,
      passwordHash: null,
      passwordMustChange: false,
      createdAt: 0,
      modifiedAt: 0,
      version: 1,
    });
    for (const role of o.roles ?? []) {
      await tx.roleAssignments.insert({
        id: newId(),
        tenantId: s.boot.tenantId,
        principalId: id,
        principalType: 'user',
        roleDefinitionId: role,
        directoryScopeId: '/',
        appScopeId: null,
        createdAt: 0,
        createdBy: null,
      });
    }
  });
  return { id, upn, mail, name };
}

/** PIM use cases run as users (approvals, activations) on the server's database. */
export function asUsers(s: NotifyServer) {
  const deps = { uow: createUnitOfWork(s.db), clock: s.clock, newId };
  const { requests } = useCases(s as unknown as TestServer, s.clock);
  const approvals = makeApprovals(deps);
  const caller = (id: string) =>
    userCaller(s as unknown as TestServer, id, { amr: ['pwd', 'mfa'], authTimeMs: s.clock.now() });
  return {
    activate: (userId: string, roleId: string, extra: { duration?: string; justification?: string } = {}) =>
      requests.create(caller(userId), {
        kind: 'assignment',
        action: 'selfActivate',
        principalId: userId,
        roleDefinitionId: roleId,
        directoryScopeId: '/',
        justification: extra.justification ?? 'Reset passwords for the help desk',
        ticketInfo: { ticketNumber: 'INC-4711', ticketSystem: 'ServiceNow' },
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'afterDuration', endDateTime: null, duration: extra.duration ?? 'PT2H' },
        },
        isValidationOnly: false,
        customData: null,
      }),
    deactivate: (userId: string, roleId: string) =>
      requests.create(caller(userId), {
        kind: 'assignment',
        action: 'selfDeactivate',
        principalId: userId,
        roleDefinitionId: roleId,
        directoryScopeId: '/',
        justification: null,
        ticketInfo: null,
        scheduleInfo: null,
        isValidationOnly: false,
        customData: null,
      }),
    cancel: (userId: string, requestId: string) => requests.cancel(caller(userId), 'assignment', requestId),
    steps: (approverId: string, approvalId: string) => approvals.get(caller(approverId), approvalId),
    decide: (approverId: string, approvalId: string, stepId: string, approve: boolean, why = 'Looks right') =>
      approvals.decide(caller(approverId), approvalId, stepId, {
        reviewResult: approve ? 'Approve' : 'Deny',
        justification: why,
      }),
  };
}

/** A mail as the SMTP server received it: parsed, with the envelope recipients. */
export type ReceivedMail = ParsedMail & { envelopeTo: string[]; authUser: string | null };

/** Event types of governance mail (`src/app/notifications/governance-mail.ts`). */
const GOVERNANCE_TYPES: ReadonlySet<string> = new Set([
  'alerts.incidentsChanged',
  'accessReviews.reminderSent',
]);

/** A real SMTP server on a random port; `tls` adds STARTTLS with a throwaway certificate (and AUTH). */
export async function smtpSink(
  o: { tls?: boolean; implicit?: boolean; user?: string; password?: string } = {},
) {
  const mails: ReceivedMail[] = [];
  /**
   * Governance mail (alert incidents, review reminders: ADR 0033) is kept apart, so that the
   * PIM notification tests count only what the notification catalogue sends.
   */
  const governance: ReceivedMail[] = [];
  let cert: { key: Buffer; cert: Buffer } | undefined;
  if (o.tls) {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-smtp-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1,DNS:localhost',
        ],
        { stdio: 'ignore' },
      );
      cert = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const server = new SMTPServer({
    logger: false,
    ...(cert
      ? {
          key: cert.key,
          cert: cert.cert,
          secure: o.implicit === true,
          authOptional: false,
          onAuth(auth, _session, cb) {
            if (auth.username === o.user && auth.password === o.password) cb(null, { user: auth.username });
            else cb(new Error('Invalid username or password'));
          },
        }
      : { authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'] }),
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((m) => {
          const received = Object.assign(m, {
            envelopeTo: session.envelope.rcptTo.map((a) => a.address),
            authUser: typeof session.user === 'string' ? session.user : null,
          });
          const type = m.headers.get('x-elevate-event-type');
          (typeof type === 'string' && GOVERNANCE_TYPES.has(type) ? governance : mails).push(received);
          cb();
        })
        .catch((e: Error) => cb(e));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    ca: cert?.cert,
    /** Mails sent to this address. */
    to: (address: string) => mails.filter((m) => m.envelopeTo.includes(address)),
    governance,
    /** Governance mails sent to this address. */
    governanceTo: (address: string) => governance.filter((m) => m.envelopeTo.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One call a receiver got. */
export interface ReceivedCall {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/**
 * A real HTTP receiver on a random port. `answer(n)` gives the status of the n-th call (1-based)
 * across all ids; by default 204.
 */
export async function receiver(answer: (n: number, call: ReceivedCall) => number = () => 204) {
  const calls: ReceivedCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call: ReceivedCall = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0,
      };
      call.status = answer(calls.length + 1, call);
      calls.push(call);
      res.writeHead(call.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/elevate`,
    calls,
    /** Calls answered 2xx. */
    accepted: () => calls.filter((c) => c.status >= 200 && c.status < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Verifies a received call with the `standardwebhooks` package (the verifier receivers use). Its
 * timestamp check reads the system time, so the system `Date` is set to the manual clock for it.
 */
export function verify(secret: string, call: ReceivedCall, clock: ManualClock): unknown {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(clock.now());
  try {
    return new Webhook(secret).verify(call.body, {
      'webhook-id': String(call.headers['webhook-id']),
      'webhook-timestamp': String(call.headers['webhook-timestamp']),
      'webhook-signature': String(call.headers['webhook-signature']),
    });
  } finally {
    vi.useRealTimers();
  }
}

/** Configures the email channel to the sink (no TLS, no credentials). */
export async function useSmtp(s: NotifyServer, port: number, extra: Record<string, unknown> = {}) {
  const res = await call(s, 'PATCH', `${BASE}/email`, await s.admin(), {
    host: '127.0.0.1',
    port,
    security: 'none',
    fromAddress: 'pim@contoso.test',
    fromDisplayName: 'Elevate PIM',
    ...extra,
  });
  if (res.statusCode !== 200) throw new Error(`email channel: ${res.statusCode} ${res.body}`);
  return res.json<Record<string, unknown>>();
}

/** Adds a webhook endpoint; returns it with its secret. */
export async function addWebhook(s: NotifyServer, url: string, extra: Record<string, unknown> = {}) {
  const res = await call(s, 'POST', `${BASE}/webhooks`, await s.admin(), { url, ...extra });
  if (res.statusCode !== 201) throw new Error(`webhook: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string; secret?: string; url: string; eventTypes: string[] }>();
}

/** The delivery log, filtered. */
export async function deliveries(s: NotifyServer, filter?: string) {
  const q = filter === undefined ? '' : `?$filter=${encodeURIComponent(filter)}&$top=999`;
  const res = await call(s, 'GET', `${BASE}/deliveries${q}`, await s.admin());
  if (res.statusCode !== 200) throw new Error(`deliveries: ${res.statusCode} ${res.body}`);
  return res.json<{ value: DeliveryJson[] }>().value;
}

export interface DeliveryJson {
  id: string;
  eventId: string;
  eventType: string;
  channel: string;
  recipient: string;
  audience: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptDateTime: string | null;
  sentDateTime: string | null;
}

export { NOW };
