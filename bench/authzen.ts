/**
 * `npm run bench:authzen`: the enforcement path alone (issue 16), quick enough to repeat while
 * changing it. `npm run bench` measures (b) once, after a long seed; this runs the same comparison
 * in rounds, so that the drift of a shared machine's load falls on every variant alike.
 *
 * Starts Elevate in this process on a fresh SQLite file (holdings index loaded, AuthZEN rate limit
 * out of the way, as in `bench/run.ts`) and a bare Fastify with one constant-JSON route. Makes
 * BENCH_SUBJECTS service principals through the API, each holding role A (an active assignment);
 * none holds role B. Then BENCH_ROUNDS rounds, each running the same closed-loop load generator
 * (concurrency 8, BENCH_ROUND_MS after a short warm-up) against, in turn:
 *
 *   bare     `POST /access/v1/evaluation` on the bare Fastify (constant answer);
 *   single   `POST /access/v1/evaluation`: random subject, 80 % about role A, 20 % about role B;
 *   batch    `POST /access/v1/evaluations` with 100 such questions (action given once).
 *
 * Prints each round and the medians over rounds: throughput, p50, p99 and the server's CPU time
 * per request (`process.cpuUsage()`, load generator excluded: the steadier figure on a loaded
 * machine). Targets (DESIGN.md §6, issue 16): single ≥ 60 % of bare, single p99 < 2 ms, batch
 * p99 < 5 ms. Nothing is asserted or written to docs/.
 *
 *   BENCH_PROFILE=1 npm run bench:authzen   # also CPU-profiles the single and batch rounds
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createElevate } from '../src/compose.js';
import { systemClock } from '../src/domain/time/clock.js';
import { DEFAULT_API_RATE_LIMITS } from '../src/http/rate-limit.js';
import { openDatabase } from '../src/store/db.js';
import { createSecretBox } from '../src/store/secret-box.js';
import { http, load, profiled, stopLoadGenerators, type LoadRequest, type LoadResult } from './measure.js';

const SUBJECTS = Number(process.env.BENCH_SUBJECTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 3_000);
const WARMUP_MS = 500;
const CONCURRENCY = 8;
const BATCH = 100;
const PROFILE = process.env.BENCH_PROFILE === '1';
const PUBLIC_URL = 'http://127.0.0.1:8080';
/** Two built-in directory roles: User Administrator (held) and Helpdesk Administrator (not). */
const ROLE_A = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const ROLE_B = '729827e3-9c14-49f7-bb1b-9608f156bbb8';

const log = (line: string) => process.stdout.write(`${line}\n`);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'elevate-bench-authzen-'));
  const db = openDatabase(`sqlite:${join(dir, 'elevate.db')}`);
  const cleanups: (() => Promise<unknown>)[] = [async () => db.close()];
  try {
    const elevate = await createElevate({
      db,
      box: createSecretBox(randomBytes(32)),
      clock: systemClock,
      logger: false,
      publicUrl: PUBLIC_URL,
      accessTokenTtlSeconds: 3600,
      bootstrapAdminUpn: 'admin@contoso.test',
      auditCheckpointIntervalMs: 0,
      expirySweepIntervalMs: 0,
      // One enforcement point asks far more than the default per-principal limit (see bench/run.ts).
      rateLimits: { ...DEFAULT_API_RATE_LIMITS, authzen: { perSecond: 1_000_000, burst: 1_000_000 } },
    });
    cleanups.push(() => elevate.app.close());
    // The server answers from the database until its index is loaded (ADR 0054): measure the index.
    await elevate.holdings.loaded();
    await elevate.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (elevate.app.server.address() as { port: number }).port;
    const bare = Fastify({ logger: false });
    const constant = { decision: true, context: { reason: 'constant' } };
    bare.post('/access/v1/evaluation', async () => constant);
    cleanups.push(() => bare.close());
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const barePort = (bare.server.address() as { port: number }).port;

    const boot = elevate.bootstrapped!;
    const token = async (clientId: string, secret: string) => {
      const r = await http(
        port,
        'POST',
        `/${boot.tenantId}/oauth2/v2.0/token`,
        {},
        {
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: secret,
          scope: `${PUBLIC_URL}/.default`,
        },
        true,
      );
      if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.json)}`);
      return `Bearer ${r.json.access_token as string}`;
    };
    const admin = { authorization: await token(boot.app.clientId, boot.app.clientSecret) };
    const expect201 = (what: string, r: { status: number; json: unknown }) => {
      if (r.status !== 201) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json)}`);
    };

    log(`Making ${SUBJECTS} service principals holding one role each...`);
    const subjects: string[] = [];
    for (let i = 0; i < SUBJECTS; i += 1) {
      const sp = await http(port, 'POST', '/v1.0/servicePrincipals', admin, { displayName: `subject ${i}` });
      expect201('service principal', sp);
      const assigned = await http(
        port,
        'POST',
        '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests',
        admin,
        {
          action: 'adminAssign',
          principalId: sp.json.id,
          roleDefinitionId: ROLE_A,
          directoryScopeId: '/',
          justification: 'bench: enforcement point load',
          scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'P1D' } },
        },
      );
      expect201('assignment', assigned);
      subjects.push(sp.json.id as string);
    }
    const pdp = await http(port, 'POST', '/v1.0/servicePrincipals', admin, {
      displayName: 'bench pdp',
      appPermissions: ['Elevate.AccessEvaluation'],
    });
    expect201('pdp', pdp);
    const pdpPw = await http(port, 'POST', `/v1.0/servicePrincipals/${pdp.json.id}/addPassword`, admin, {});
    const headers = {
      authorization: await token(pdp.json.appId, pdpPw.json.secretText),
      'content-type': 'application/json',
    };

    // Question n asks about a random subject: role A four times in five, role B the fifth.
    const question = (n: number) => ({
      subject: { type: 'servicePrincipal', id: subjects[Math.floor(Math.random() * subjects.length)]! },
      resource: { type: 'role', id: n % 5 === 4 ? ROLE_B : ROLE_A, properties: { directoryScopeId: '/' } },
    });
    const singles: LoadRequest[] = Array.from({ length: 5_000 }, (_, n) => ({
      method: 'POST',
      path: '/access/v1/evaluation',
      headers,
      body: JSON.stringify({ ...question(n), action: { name: 'hold' } }),
    }));
    const batches: LoadRequest[] = Array.from({ length: 200 }, () => ({
      method: 'POST',
      path: '/access/v1/evaluations',
      headers,
      body: JSON.stringify({
        action: { name: 'hold' },
        evaluations: Array.from({ length: BATCH }, (_, n) => question(n)),
      }),
    }));
    const sample = await http(port, 'POST', '/access/v1/evaluations', headers, JSON.parse(batches[0]!.body!));
    const held = (sample.json.evaluations as { decision: boolean }[]).filter((e) => e.decision).length;
    if (sample.status !== 200 || held !== (BATCH * 4) / 5)
      throw new Error(`batch sample: ${sample.status}, ${held} of ${BATCH} held`);

    const variants = [
      { name: 'bare', port: barePort, requests: singles.slice(0, 1000) },
      { name: 'single', port, requests: singles },
      { name: 'batch', port, requests: batches },
    ];
    const results = new Map<string, LoadResult[]>(variants.map((v) => [v.name, []]));
    log(
      `${ROUNDS} rounds of ${ROUND_MS / 1000} s per variant, concurrency ${CONCURRENCY}; load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    const profiles: string[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const v of variants) {
        const run = () =>
          load({
            port: v.port,
            requests: v.requests,
            cycle: true,
            concurrency: CONCURRENCY,
            durationMs: ROUND_MS,
            warmupMs: WARMUP_MS,
            maxRequests: 2_000_000,
          });
        // One profile per Elevate variant, of the last round (warmest).
        const { result, top } = await profiled(
          PROFILE && round === ROUNDS && v.name !== 'bare',
          `authzen-${v.name}`,
          run,
        );
        if (top) profiles.push(`CPU profile of the server thread, ${v.name}:`, ...top);
        const bad = Object.keys(result.statuses).filter((s) => s !== '200');
        if (bad.length > 0)
          throw new Error(
            `${v.name}: statuses ${JSON.stringify(result.statuses)} ${result.sampleBody ?? ''}`,
          );
        results.get(v.name)!.push(result);
        log(
          `  round ${round} ${v.name.padEnd(6)} ${result.perSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(3)} ms  p99 ${result.p99.toFixed(3)} ms  CPU ${result.cpuMsPerRequest!.toFixed(4)} ms/request`,
        );
      }
    }
    const summary = (name: string) => {
      const rs = results.get(name)!;
      return {
        perSecond: median(rs.map((r) => r.perSecond)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        cpuMs: median(rs.map((r) => r.cpuMsPerRequest!)),
      };
    };
    const [b, s, m] = ['bare', 'single', 'batch'].map(summary) as [
      ReturnType<typeof summary>,
      ReturnType<typeof summary>,
      ReturnType<typeof summary>,
    ];
    log('');
    log(
      `Medians over ${ROUNDS} rounds (load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')} at end):`,
    );
    log('| variant | req/s | p50 | p99 | server CPU per request |');
    log('|---|---:|---:|---:|---:|');
    for (const [name, r] of [
      ['bare Fastify constant JSON', b],
      ['`/access/v1/evaluation`', s],
      [`\`/access/v1/evaluations\` (${BATCH} questions)`, m],
    ] as const)
      log(
        `| ${name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(3)} ms | ${r.p99.toFixed(3)} ms | ${r.cpuMs.toFixed(4)} ms |`,
      );
    log('');
    log(
      `single vs bare: ${((s.perSecond / b.perSecond) * 100).toFixed(1)} % by throughput, ${((b.cpuMs / s.cpuMs) * 100).toFixed(1)} % by CPU per request (target ≥ 60 %)`,
    );
    log(
      `single p99 ${s.p99.toFixed(2)} ms (target < 2 ms); batch p99 ${m.p99.toFixed(2)} ms (target < 5 ms), ${((m.cpuMs / BATCH) * 1000).toFixed(1)} µs CPU per question`,
    );
    if (profiles.length > 0) log(`\n${profiles.join('\n')}`);
  } finally {
    stopLoadGenerators();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
