import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAuditForwarder } from '../../src/app/audit-export/forwarder.js';
import { makeCheckpointPublisher } from '../../src/app/audit/checkpoint-publisher.js';
import { checkpointSignatureValid } from '../../src/domain/audit/checkpoint.js';
import { parsePublishedLine } from '../../src/domain/audit/published.js';
import type { AuditDestination } from '../../src/config/audit-forward.js';
import { createAuditCheckpointJob, witnessSinks } from '../../src/jobs/audit-checkpoints.js';
import { forwardTargets } from '../../src/jobs/audit-forwarder.js';
import { httpWitnessSink } from '../../src/jobs/audit-sinks.js';
import { auditKeyring } from '../../src/store/audit/audit-keyring.js';
import { chainReader, exportCursorStore } from '../../src/store/audit/audit-export-store.js';
import { checkpointPublicationStore } from '../../src/store/audit/publication-store.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { dialectName } from '../helpers/db.js';
import { eventually, parse5424, TcpReceiver } from '../audit-export/support.js';
import { auditFixture, type AuditFixture } from './support.js';

const TENANT = '55555555-5555-4555-8555-555555555555';

/** A witness URL served by a real HTTP server: it keeps every body, or answers `status` instead. */
async function httpWitness() {
  const bodies: string[] = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (state.status === 200 && req.method === 'POST' && req.headers['content-type'] === 'application/json')
        bodies.push(body);
      res.writeHead(req.method === 'POST' ? state.status : 405).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/checkpoints`,
    bodies,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The seqs of the checkpoint records among JSON lines, whose signatures must verify. */
function checkpointSeqs(lines: string[]): number[] {
  return lines.map((line) => {
    const parsed = parsePublishedLine(line);
    if (parsed.kind !== 'checkpoint' || !parsed.publicKey)
      throw new Error(`not a checkpoint record: ${line}`);
    expect(parsed.checkpoint.tenantId).toBe(TENANT);
    expect(
      checkpointSignatureValid(parsed.checkpoint, new Map([[parsed.checkpoint.keyId, parsed.publicKey]])),
    ).toBe(true);
    return parsed.checkpoint.seq;
  });
}

/**
 * Issue 10 item 7: every signed checkpoint leaves the database — to each SIEM destination (after
 * the entries it covers) and to the witnesses (a file, a URL) — with cursors kept in the database,
 * so a restart neither loses nor floods publication, and a destination that fails is retried on the
 * next pass without holding the others back.
 */
describe(`checkpoint publication on ${dialectName}`, () => {
  let f: AuditFixture;
  let dir: string;
  let witnessUrl: Awaited<ReturnType<typeof httpWitness>>;
  let flaky: Awaited<ReturnType<typeof httpWitness>>;
  let siem: TcpReceiver;
  let down: TcpReceiver;

  beforeEach(async () => {
    f = await auditFixture();
    dir = mkdtempSync(join(tmpdir(), 'elevate-publication-'));
    witnessUrl = await httpWitness();
    flaky = await httpWitness();
    flaky.state.status = 503;
    siem = new TcpReceiver();
    await siem.start();
    // A SIEM that is down: a port nothing listens on until the test brings it up.
    down = new TcpReceiver();
    await down.start();
    await down.stop();
  });
  afterEach(async () => {
    await Promise.all([witnessUrl.close(), flaky.close(), siem.stop(), down.stop()]);
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The server's background jobs as compose.ts wires them, for one replica ("a process"). */
  const processJobs = (replicaId: string) => {
    const publication = checkpointPublicationStore(f.db.kysely);
    const cursors = exportCursorStore(f.db.kysely);
    const keyring = auditKeyring(f.db.kysely, createSecretBox(f.dataKey));
    const destinations: AuditDestination[] = [
      {
        id: 'siem',
        type: 'syslog',
        transport: 'tcp',
        host: '127.0.0.1',
        port: siem.port,
        format: 'json',
        hostname: 'h',
      },
      {
        id: 'down',
        type: 'syslog',
        transport: 'tcp',
        host: '127.0.0.1',
        port: down.port,
        format: 'json',
        hostname: 'h',
      },
    ];
    const checkpoints = createAuditCheckpointJob({
      log: f.log,
      publisher: makeCheckpointPublisher({
        store: publication,
        leases: cursors,
        keyring,
        clock: f.clock,
        witnesses: [
          ...witnessSinks({ file: join(dir, 'witness.jsonl'), url: witnessUrl.url }),
          httpWitnessSink('flaky', flaky.url),
        ],
        replicaId,
      }),
      intervalMs: 0,
      onError: () => undefined,
    });
    const forwarder = makeAuditForwarder({
      chains: chainReader(f.db.kysely),
      cursors,
      clock: f.clock,
      targets: forwardTargets(destinations),
      replicaId,
      checkpoints: { store: publication, keyring },
    });
    return { checkpoints, forwarder };
  };
  const witnessFile = () => readFileSync(join(dir, 'witness.jsonl'), 'utf8').trimEnd().split('\n');
  /** What a syslog receiver got: entry seqs as numbers, checkpoints as `cp<seq>`. */
  const received = (rx: TcpReceiver) =>
    rx.messages.map((m) => {
      const p = parse5424(m);
      const sd = p.sd[0]!.params;
      if (p.msgId !== 'audit.checkpoint') return Number(sd.seq);
      expect(sd.type).toBe('checkpoint');
      expect(checkpointSeqs([p.msg])).toEqual([Number(sd.seq)]);
      return `cp${sd.seq}`;
    });
  const byPublisher = (results: { publisherId: string; published: number; error?: Error }[]) =>
    Object.fromEntries(
      results.map((r) => [
        r.publisherId.replace(/:.*/, ''),
        r.error ? `error: ${r.error.message}` : r.published,
      ]),
    );

  it('reaches a syslog SIEM, a witness file and a witness URL; survives a restart; retries a failing destination', async () => {
    await f.seed(TENANT, 5);
    const first = processJobs('replica-a');

    // One pass: a checkpoint at 5, published to both witnesses; the flaky witness answers 503.
    expect(byPublisher(await first.checkpoints.runOnce())).toEqual({
      'witness-file': 1,
      'witness-url': 1,
      flaky: expect.stringMatching(/answered 503/),
    });
    expect(checkpointSeqs(witnessFile())).toEqual([5]);
    expect(witnessUrl.bodies).toEqual(witnessFile());
    expect(flaky.bodies).toEqual([]);

    // The SIEM gets the entries, then the checkpoint covering them; the SIEM that is down fails alone.
    const forwarded = await first.forwarder.runOnce();
    expect(forwarded.find((r) => r.destinationId === 'siem')).toMatchObject({ sent: 5, checkpoints: 1 });
    expect(forwarded.find((r) => r.destinationId === 'down')?.error).toBeInstanceOf(Error);
    await eventually(() => siem.messages.length === 6);
    expect(received(siem)).toEqual([1, 2, 3, 4, 5, 'cp5']);

    // Restart: the first process stops (a last checkpoint pass: nothing moved), a new one starts.
    await first.checkpoints.stop();
    await first.forwarder.close();
    const second = processJobs('replica-b');
    flaky.state.status = 200;
    await down.start();

    // Cursors were kept: what was published is not sent again; what failed is sent now.
    expect(byPublisher(await second.checkpoints.runOnce())).toEqual({
      'witness-file': 0,
      'witness-url': 0,
      flaky: 1,
    });
    expect(checkpointSeqs(flaky.bodies)).toEqual([5]);
    await f.seed(TENANT, 3, 6);
    expect(byPublisher(await second.checkpoints.runOnce())).toEqual({
      'witness-file': 1,
      'witness-url': 1,
      flaky: 1,
    });
    expect(checkpointSeqs(witnessFile())).toEqual([5, 8]);
    expect(witnessUrl.bodies).toEqual(witnessFile());
    expect(flaky.bodies).toEqual(witnessFile());

    const again = await second.forwarder.runOnce();
    expect(again.find((r) => r.destinationId === 'siem')).toMatchObject({ sent: 3, checkpoints: 1 });
    expect(again.find((r) => r.destinationId === 'down')).toMatchObject({ sent: 8, checkpoints: 2 });
    await eventually(() => siem.messages.length === 10 && down.messages.length === 10);
    expect(received(siem)).toEqual([1, 2, 3, 4, 5, 'cp5', 6, 7, 8, 'cp8']);
    expect(received(down)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 'cp5', 'cp8']);
    await second.checkpoints.stop();
    await second.forwarder.close();
  });
});
