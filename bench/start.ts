/**
 * `npm run bench:start`: how long `npm start` takes from spawn to a ready server (`/readyz` 200) on
 * an existing data folder after the first build, against a bare Node.js HTTP server spawned the
 * same way in the same run (the floor: starting Node itself). Issue target: under 3 s.
 *
 * Builds dist/ first when it is missing or stale (as `npm start` would), then runs a first start
 * that creates the data folder (not measured), then RUNS measured starts of each. Every child is
 * stopped with SIGTERM and awaited; the temp folder is removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_START_RUNS ?? 5);
const TIMEOUT_MS = 120_000;

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

/** Spawns `command`, waits until `url` answers 200, stops it; returns ms from spawn to ready. */
async function timeStart(command: string[], env: NodeJS.ProcessEnv, url: string): Promise<number> {
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env, stdio: 'ignore', detached: true });
  try {
    return (await readyAfter(child, url, Date.now())) - started;
  } finally {
    await stop(child);
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
    await timeStart(elevate, env, ready);
    const bare = [
      process.execPath,
      '-e',
      `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`,
    ];
    const elevateMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      elevateMs.push(await timeStart(elevate, env, ready));
      bareMs.push(await timeStart(bare, env, `http://127.0.0.1:${port}/`));
    }
    const e = median(elevateMs);
    const b = median(bareMs);
    console.log(
      JSON.stringify(
        {
          runs: RUNS,
          elevateStartToReadyMs: Math.round(e),
          bareNodeStartToReadyMs: Math.round(b),
          ratio: Number((e / b).toFixed(1)),
          underThreeSeconds: e < 3000,
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
