import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAuditForwarder, type ForwardTarget } from '../../src/app/audit-export/forwarder.js';
import type { AuditEntry } from '../../src/domain/audit/entry.js';
import { syslogRecord } from '../../src/domain/audit-export/format.js';
import { forwardTargets } from '../../src/jobs/audit-forwarder.js';
import { tcpSyslogSink, udpSyslogSink } from '../../src/jobs/audit-sinks.js';
import { chainReader, exportCursorStore } from '../../src/store/audit/audit-export-store.js';
import { auditFixture, T0, type AuditFixture } from '../audit/support.js';
import { dialectName } from '../helpers/db.js';
import { eventually, parse5424, TcpReceiver, udpReceiver } from './support.js';

const TENANT = '11111111-1111-4111-8111-111111111111';

describe(`SIEM forwarding (${dialectName})`, () => {
  let f: AuditFixture;
  let dir: string;
  beforeEach(async () => {
    f = await auditFixture();
    dir = mkdtempSync(join(tmpdir(), 'elevate-forward-'));
  });
  afterEach(async () => {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const forwarder = (targets: ForwardTarget[], replicaId = 'replica-a', batchSize = 500) =>
    makeAuditForwarder({
      chains: chainReader(f.db.kysely),
      cursors: exportCursorStore(f.db.kysely),
      clock: f.clock,
      targets,
      replicaId,
      batchSize,
    });
  const seqsOf = (messages: string[]) => messages.map((m) => Number(parse5424(m).sd[0]?.params.seq));
  const render = (e: AuditEntry) => syslogRecord(e, 'json', 'siem-test');

  it('sends RFC 5424 lines over TCP with octet counting that a strict parser accepts', async () => {
    const rx = new TcpReceiver();
    await rx.start();
    try {
      await f.seed(TENANT, 3);
      const fw = forwarder([{ sink: tcpSyslogSink('tcp', { host: '127.0.0.1', port: rx.port }), render }]);
      const results = await fw.runOnce();
      expect(results).toEqual([{ destinationId: 'tcp', tenantId: TENANT, sent: 3 }]);
      expect(rx.messages).toHaveLength(3);
      const chain = await f.uow.run((tx) => tx.audit.chain(TENANT, 0, 10));
      rx.messages.forEach((m, i) => {
        const p = parse5424(m);
        expect(p).toMatchObject({
          pri: 13 * 8 + 6,
          version: 1,
          hostname: 'siem-test',
          appName: 'elevate',
          procId: '-',
          msgId: 'user.update',
        });
        expect(p.timestamp).toBe(new Date(T0 + i + 1).toISOString());
        expect(p.sd).toEqual([
          {
            id: 'elevate@32473',
            params: { seq: String(i + 1), tenant: TENANT, hash: chain[i]!.hash, id: expect.any(String) },
          },
        ]);
        expect(JSON.parse(p.msg)).toMatchObject({ seq: i + 1, hash: chain[i]!.hash, tenantId: TENANT });
      });
      // Nothing new: nothing sent.
      expect(await fw.runOnce()).toEqual([{ destinationId: 'tcp', tenantId: TENANT, sent: 0 }]);
      expect(rx.messages).toHaveLength(3);
    } finally {
      await rx.stop();
    }
  });

  it('marks failures as warnings', async () => {
    await f.uow.run((tx) => tx.audit.append({ ...draftFailure(), tenantId: TENANT }));
    const rx = new TcpReceiver();
    await rx.start();
    try {
      await forwarder([
        { sink: tcpSyslogSink('tcp', { host: '127.0.0.1', port: rx.port }), render },
      ]).runOnce();
      expect(parse5424(rx.messages[0]!).pri).toBe(13 * 8 + 4);
    } finally {
      await rx.stop();
    }
  });

  it('resumes from the cursor after a TCP receiver outage, losing nothing', async () => {
    const rx = new TcpReceiver();
    await rx.start();
    const fw = forwarder(
      [{ sink: tcpSyslogSink('tcp', { host: '127.0.0.1', port: rx.port, timeoutMs: 2000 }), render }],
      'replica-a',
      4,
    );
    try {
      await f.seed(TENANT, 5);
      expect((await fw.runOnce())[0]?.sent).toBe(5);

      await rx.stop();
      await f.seed(TENANT, 6, 6);
      const during = await fw.runOnce();
      expect(during[0]?.error).toBeInstanceOf(Error);
      expect(await exportCursorStore(f.db.kysely).cursor('tcp', TENANT)).toBe(5);

      await rx.start(); // the same port
      expect((await fw.runOnce())[0]).toMatchObject({ sent: 6 });
      expect(seqsOf(rx.messages)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(await exportCursorStore(f.db.kysely).cursor('tcp', TENANT)).toBe(11);
    } finally {
      await rx.stop();
    }
  });

  it('resends a batch the receiver dropped mid-way: duplicates only, in order, no gaps', async () => {
    const rx = new TcpReceiver();
    await rx.start();
    const fw = forwarder(
      [{ sink: tcpSyslogSink('tcp', { host: '127.0.0.1', port: rx.port }), render }],
      'a',
      5,
    );
    try {
      await f.seed(TENANT, 10);
      rx.dropAfterBytes = 2500; // a crash part-way through the first batch
      const first = await fw.runOnce();
      expect(first[0]?.error).toBeInstanceOf(Error);
      expect(await exportCursorStore(f.db.kysely).cursor('tcp', TENANT)).toBe(0);
      const partial = seqsOf(rx.messages);
      expect(partial.length).toBeGreaterThan(0);
      expect(partial.length).toBeLessThan(5);

      expect((await fw.runOnce())[0]).toMatchObject({ sent: 10 });
      const seqs = seqsOf(rx.messages);
      expect(seqs.slice(partial.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(new Set(seqs)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    } finally {
      await rx.stop();
    }
  });

  it('sends one RFC 5424 datagram per entry over UDP', async () => {
    const rx = await udpReceiver();
    const sink = udpSyslogSink('udp', { host: '127.0.0.1', port: rx.port });
    try {
      await f.seed(TENANT, 4);
      const fw = forwarder([{ sink, render: (e) => syslogRecord(e, 'cef', 'siem-test') }]);
      expect((await fw.runOnce())[0]?.sent).toBe(4);
      await eventually(() => rx.messages.length === 4);
      const parsed = rx.messages.map(parse5424);
      expect(parsed.map((p) => Number(p.sd[0]?.params.seq)).sort()).toEqual([1, 2, 3, 4]);
      for (const p of parsed)
        expect(p.msg).toMatch(/^CEF:0\|Elevate\|Elevate PIM\|0\.1\.0\|user\.update\|Update user\|3\|rt=/);
      await fw.close();
    } finally {
      rx.socket.close();
    }
  });

  it('appends JSON lines and CEF lines to files, synced, in seq order', async () => {
    const jsonPath = join(dir, 'audit.jsonl');
    const cefPath = join(dir, 'audit.cef');
    const targets = forwardTargets([
      { id: 'json-file', type: 'file', path: jsonPath, format: 'json' },
      { id: 'cef-file', type: 'file', path: cefPath, format: 'cef' },
    ]);
    const fw = forwarder(targets);
    await f.seed(TENANT, 3);
    await fw.runOnce();
    await f.seed(TENANT, 2, 4);
    await fw.runOnce();
    const lines = readFileSync(jsonPath, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as AuditEntry).seq)).toEqual([1, 2, 3, 4, 5]);
    const cef = readFileSync(cefPath, 'utf8').trimEnd().split('\n');
    expect(cef).toHaveLength(5);
    expect(cef[4]).toMatch(/ cn1Label=seq cn1=5 /);
  });

  it('lets one replica forward a destination at a time; a lapsed lease passes on', async () => {
    const path = join(dir, 'audit.jsonl');
    const a = forwarder(forwardTargets([{ id: 'f', type: 'file', path, format: 'json' }]), 'replica-a');
    const b = forwarder(forwardTargets([{ id: 'f', type: 'file', path, format: 'json' }]), 'replica-b');
    await f.seed(TENANT, 2);
    expect((await a.runOnce())[0]).toMatchObject({ sent: 2 });
    expect(await b.runOnce()).toEqual([{ destinationId: 'f', sent: 0, skipped: true }]);
    await f.seed(TENANT, 1, 3);
    f.clock.advance(30_000); // a's lease (30 s) has lapsed: b takes over from the shared cursor
    expect((await b.runOnce())[0]).toMatchObject({ sent: 1 });
    expect(await a.runOnce()).toEqual([{ destinationId: 'f', sent: 0, skipped: true }]);
    await b.close(); // a clean stop frees the lease at once
    expect((await a.runOnce())[0]).toMatchObject({ sent: 0 });
    const seqs = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as AuditEntry).seq);
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('a replica that lost its lease mid-run does not move the cursor', async () => {
    const cursors = exportCursorStore(f.db.kysely);
    expect(await cursors.claim('d', 'a', 1000, 100)).toBe(true);
    expect(await cursors.claim('d', 'b', 1050, 100)).toBe(false);
    expect(await cursors.claim('d', 'b', 1100, 100)).toBe(true);
    expect(await cursors.advance('d', TENANT, 0, 5, 'a', 1101)).toBe(false);
    expect(await cursors.advance('d', TENANT, 0, 5, 'b', 1101)).toBe(true);
    expect(await cursors.advance('d', TENANT, 0, 7, 'b', 1102)).toBe(false); // stale fromSeq
    expect(await cursors.cursor('d', TENANT)).toBe(5);
  });
});

function draftFailure() {
  return {
    id: '22222222-2222-4222-8222-222222222222',
    tenantId: TENANT,
    activityDateTime: Date.UTC(2026, 0, 1),
    code: 'user.signIn',
    activityDisplayName: 'Sign-in activity',
    category: 'UserManagement',
    operationType: 'Other' as const,
    loggedByService: 'Core Directory' as const,
    result: 'failure' as const,
    resultReason: 'Invalid password',
    initiatedBy: {
      user: { id: 'u', displayName: null, userPrincipalName: 'a@b', ipAddress: '10.0.0.1' },
      app: null,
    },
    userAgent: null,
    amr: [],
    targetResources: [],
    correlationId: null,
    justification: null,
    ticket: null,
    additionalDetails: [],
  };
}
