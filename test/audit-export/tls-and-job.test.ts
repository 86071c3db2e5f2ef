import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAuditForwarder } from '../../src/app/audit-export/forwarder.js';
import { createAuditForwarderJob, forwardTargets } from '../../src/jobs/audit-forwarder.js';
import { chainReader, exportCursorStore } from '../../src/store/audit/audit-export-store.js';
import { auditFixture, type AuditFixture } from '../audit/support.js';
import { dialectName } from '../helpers/db.js';
import { deframe, eventually, parse5424 } from './support.js';

const TENANT = '55555555-5555-4555-8555-555555555555';

describe(`syslog over TLS, the forwarding job, and competing replicas (${dialectName})`, () => {
  let f: AuditFixture;
  let dir: string;
  beforeEach(async () => {
    f = await auditFixture();
    dir = mkdtempSync(join(tmpdir(), 'elevate-tls-'));
  });
  afterEach(async () => {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const forwarderFor = (targets: ReturnType<typeof forwardTargets>, replicaId = 'r1') =>
    makeAuditForwarder({
      chains: chainReader(f.db.kysely),
      cursors: exportCursorStore(f.db.kysely),
      clock: f.clock,
      targets,
      replicaId,
    });

  it('delivers octet-counted RFC 5424 over TLS to a receiver whose certificate the CA file vouches for', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
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
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    const messages: string[] = [];
    const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => {
      let buf: Buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        const { messages: m, rest } = deframe(Buffer.concat([buf, chunk]));
        messages.push(...m);
        buf = rest;
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as { port: number }).port;
    try {
      await f.seed(TENANT, 3);
      const trusted = forwarderFor(
        forwardTargets([
          {
            id: 'tls',
            type: 'syslog',
            transport: 'tls',
            host: '127.0.0.1',
            port,
            format: 'cef',
            caFile: cert,
          },
        ]),
      );
      expect((await trusted.runOnce())[0]).toMatchObject({ sent: 3 });
      expect(messages.map((m) => parse5424(m).sd[0]?.params.seq)).toEqual(['1', '2', '3']);
      expect(parse5424(messages[0]!).msg).toMatch(/^CEF:0\|/);

      // Without the CA, the receiver is not trusted: nothing counts as delivered.
      const untrusted = forwarderFor(
        forwardTargets([
          { id: 'tls2', type: 'syslog', transport: 'tls', host: '127.0.0.1', port, format: 'json' },
        ]),
      );
      expect((await untrusted.runOnce())[0]?.error).toBeInstanceOf(Error);
      expect(await exportCursorStore(f.db.kysely).cursor('tls2', TENANT)).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the job forwards on its interval and stops cleanly, releasing the lease', async () => {
    const path = join(dir, 'audit.jsonl');
    const job = createAuditForwarderJob({
      forwarder: forwarderFor(forwardTargets([{ id: 'f', type: 'file', path, format: 'json' }])),
      intervalMs: 10,
    });
    await f.seed(TENANT, 2);
    job.start();
    await eventually(() => {
      try {
        return readFileSync(path, 'utf8').trimEnd().split('\n').length === 2;
      } catch {
        return false;
      }
    });
    await job.stop();
    // The lease is free at once: another replica takes over without waiting for expiry.
    expect(await exportCursorStore(f.db.kysely).claim('f', 'other', f.clock.now(), 30_000)).toBe(true);
  });

  it('of replicas claiming one destination at the same moment, exactly one wins', async () => {
    const cursors = exportCursorStore(f.db.kysely);
    await cursors.claim('d', 'seed', 0, 1); // the row exists, lease long expired
    const wins = await Promise.all(
      Array.from({ length: 8 }, (_, i) => cursors.claim('d', `replica-${i}`, 1_000, 30_000)),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
  });
});
