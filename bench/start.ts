/**
 * `npm run bench:start`: how long `npm start` takes from spawn to a ready server (`/readyz` 200) on
 * an existing data folder after the first build, against a bare Node.js HTTP server spawned the
 * same way in the same run (the floor: starting Node itself). Issue target: under 3 s with
 * 1,000,000 eligibilities.
 *
 * Builds dist/ first when it is missing or stale (as `npm start` would), then runs a first start
 * that creates the data folder (not measured), and seeds the data set of `npm run bench` into it
 * (bench/seed.ts, with templates made through a second unmeasured start: BENCH_SPS service
 * principals, default 100,000, with ten eligibilities each and one active assignment; 0 seeds
 * nothing). Then RUNS measured starts of each; for Elevate also the server process's resident
 * memory when ready (VmRSS, and its peak VmHWM) and what it is made of (RssAnon, RssFile), and its
 * CPU and memory once its start-up work is over (the holdings index loads after ready). Every
 * child is stopped with SIGTERM and awaited; the temp folder is removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { bootstrapFilePath } from '../src/app/bootstrap/credentials-file.js';
import { openDatabase } from '../src/store/db.js';
import { benchRoles, createTemplates, seedPim, type ApiCall } from './seed.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_START_RUNS ?? 5);
const SPS = Number(process.env.BENCH_SPS ?? 100_000);
const ROLES_PER_SP = 10;
const TIMEOUT_MS = 120_000;

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function readyAfter(child: ChildProcess, url: string, started: number): Promise<number> {
  const deadline = started + TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ready`);
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not ready within ${TIMEOUT_MS} ms`);
}

/** SIGTERM to the child's whole process group (npm runs the server as its own child), then waits. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
  // The group's other members (the server under npm) end on the same signal; wait until the port is free.
  await new Promise((r) => setTimeout(r, 200));
}

/**
 * Resident memory of a process, from /proc/<pid>/status (MB), and the CPU time it used so far
 * (user + system, ms: steadier than wall time on a loaded machine); undefined off Linux.
 */
interface ProcessMemory {
  rssMb: number;
  peakRssMb: number;
  rssAnonMb: number;
  rssFileMb: number;
  cpuMs: number;
}

function processMemory(pid: number): ProcessMemory | undefined {
  let text: string;
  let stat: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields 14 and 15 of stat (utime, stime) in clock ticks, 100 a second on Linux.
  const [utime, stime] = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 13)
    .map(Number);
  const mb = (field: string) =>
    Math.round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]) / 1024);
  return {
    rssMb: mb('VmRSS'),
    peakRssMb: mb('VmHWM'),
    rssAnonMb: mb('RssAnon'),
    rssFileMb: mb('RssFile'),
    cpuMs: ((utime ?? NaN) + (stime ?? NaN)) * 10,
  };
}

/** The process in `root`'s group that runs the server (`node scripts/start.mjs` under npm). */
function serverPid(root: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      // Not npm's `sh -c "node scripts/start.mjs"`: the node process itself.
      if (pgid === root && /(^|\/)node$/.test(argv[0]!) && argv.some((a) => a.endsWith('scripts/start.mjs')))
        return Number(entry);
    } catch {
      // The process ended while being read.
    }
  }
  return undefined;
}

/** Spawns `command` and resolves once `url` answers 200, with the ms from spawn to ready. */
async function start(command: string[], env: NodeJS.ProcessEnv, url: string) {
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env, stdio: 'ignore', detached: true });
  try {
    return { child, ms: (await readyAfter(child, url, Date.now())) - started };
  } catch (err) {
    await stop(child);
    throw err;
  }
}

/**
 * The server once its start-up work is over (ADR 0054: the holdings index loads after ready): the
 * first moment its CPU time stood still for `QUIET_POLLS` polls 100 ms apart, with the ms since
 * spawn; undefined if it never did within `SETTLE_MAX_MS`.
 */
const QUIET_POLLS = 5;
const SETTLE_MAX_MS = 60_000;
async function settled(pid: number, started: number) {
  let last = processMemory(pid);
  let quiet = 0;
  while (last && performance.now() - started < SETTLE_MAX_MS) {
    await new Promise((r) => setTimeout(r, 100));
    const now = processMemory(pid);
    if (!now) return undefined;
    quiet = now.cpuMs === last.cpuMs ? quiet + 1 : 0;
    if (quiet === QUIET_POLLS) return { ms: performance.now() - started - QUIET_POLLS * 100, memory: last };
    last = now;
  }
  return undefined;
}

/** Spawns, waits until ready, reads the server's memory (at ready and once settled), stops it. */
async function timeStart(command: string[], env: NodeJS.ProcessEnv, url: string, settle = false) {
  const started = performance.now();
  const { child, ms } = await start(command, env, url);
  try {
    const pid = child.pid === undefined ? undefined : serverPid(child.pid);
    const memory = pid === undefined ? undefined : processMemory(pid);
    const after = settle && pid !== undefined ? await settled(pid, started) : undefined;
    return { ms, memory, settled: after };
  } finally {
    await stop(child);
  }
}

/**
 * Seeds the data folder of a server that was started once: sets the roles' policies (server
 * stopped), starts it again to make the seed's templates through its API (with the bootstrap
 * application's credentials from the data folder), stops it and writes the data set.
 */
async function seedDataFolder(
  dir: string,
  port: number,
  startServer: () => Promise<ChildProcess>,
): Promise<string> {
  const creds = JSON.parse(readFileSync(bootstrapFilePath(dir), 'utf8')) as {
    tenantId: string;
    scope: string;
    application: { clientId: string; clientSecret: string };
  };
  const base = `http://127.0.0.1:${port}`;
  const api: ApiCall = async (method, path, headers, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const token = async (clientId: string, secret: string) => {
    const res = await fetch(`${base}/${creds.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
        scope: creds.scope,
      }).toString(),
    });
    const json = (await res.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`token: ${res.status} ${JSON.stringify(json)}`);
    return `Bearer ${json.access_token}`;
  };
  const db = openDatabase(`sqlite:${join(dir, 'elevate.db')}`);
  try {
    const k = db.kysely as AnyDb;
    const roles = await benchRoles(db, creds.tenantId, ROLES_PER_SP);
    const server = await startServer();
    let templates;
    try {
      const admin = {
        authorization: await token(creds.application.clientId, creds.application.clientSecret),
      };
      templates = await createTemplates(k, api, token, admin, roles[0]!);
    } finally {
      await stop(server);
    }
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const seeded = await seedPim(k, {
      dialect: 'sqlite',
      tenantId: creds.tenantId,
      roles,
      templates,
      sps: SPS,
      log,
    });
    return `${SPS * ROLES_PER_SP} eligibilities and ${SPS} active assignments over ${SPS} service principals, seeded in ${seeded.seconds.toFixed(1)} s`;
  } finally {
    await db.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'elevate-bench-start-'));
  try {
    const port = await freePort();
    const env = {
      ...process.env,
      ELEVATE_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, 'elevate.db')}`,
      ELEVATE_PORT: String(port),
      ELEVATE_HOST: '127.0.0.1',
      ELEVATE_LOG_LEVEL: 'warn',
    };
    const elevate = ['npm', 'start', '--silent'];
    const ready = `http://127.0.0.1:${port}/readyz`;
    // The first start builds dist/ if needed and bootstraps the data folder: not what is measured.
    await stop((await start(elevate, env, ready)).child);
    const data =
      SPS > 0
        ? await seedDataFolder(dir, port, async () => (await start(elevate, env, ready)).child)
        : 'no data seeded';
    const bare = [
      process.execPath,
      '-e',
      `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`,
    ];
    const elevateRuns: Awaited<ReturnType<typeof timeStart>>[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      elevateRuns.push(await timeStart(elevate, env, ready, true));
      bareMs.push((await timeStart(bare, env, `http://127.0.0.1:${port}/`)).ms);
    }
    const e = median(elevateRuns.map((r) => r.ms));
    const b = median(bareMs);
    const memories = elevateRuns.flatMap((r) => (r.memory ? [r.memory] : []));
    const settledRuns = elevateRuns.flatMap((r) => (r.settled ? [r.settled] : []));
    console.log(
      JSON.stringify(
        {
          runs: RUNS,
          data,
          elevateStartToReadyMs: Math.round(e),
          elevateRunsMs: elevateRuns.map((r) => Math.round(r.ms)),
          bareNodeStartToReadyMs: Math.round(b),
          ratio: Number((e / b).toFixed(1)),
          underThreeSeconds: e < 3000,
          // The server process when it answered ready (median of the runs): CPU used until then.
          serverCpuMsUntilReady: memories.length === 0 ? null : median(memories.map((m) => m.cpuMs)),
          serverMemoryWhenReadyMb:
            memories.length === 0
              ? null
              : {
                  rss: median(memories.map((m) => m.rssMb)),
                  peakRss: median(memories.map((m) => m.peakRssMb)),
                  rssAnon: median(memories.map((m) => m.rssAnonMb)),
                  rssFile: median(memories.map((m) => m.rssFileMb)),
                },
          // Once its start-up work (the holdings index's load among it) is over: CPU idle for 0.5 s.
          serverWhenSettled:
            settledRuns.length === 0
              ? null
              : {
                  msSinceSpawn: Math.round(median(settledRuns.map((r) => r.ms))),
                  cpuMs: median(settledRuns.map((r) => r.memory.cpuMs)),
                  rssMb: median(settledRuns.map((r) => r.memory.rssMb)),
                  peakRssMb: median(settledRuns.map((r) => r.memory.peakRssMb)),
                },
          node: process.version,
          cpus: os.cpus().length,
          loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
        },
        null,
        2,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
