/**
 * Spawning an Elevate server as its own process and reading what it costs: start to ready, and the
 * server process's CPU time and resident memory when ready and once its start-up work is over
 * (`npm run bench:start`, and (d)/(f) of `npm run bench`). Linux only for the memory figures
 * (`/proc`); every child runs in its own process group and is stopped with SIGTERM and awaited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIMEOUT_MS = 120_000;

export const freePort = () =>
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
export async function stop(child: ChildProcess): Promise<void> {
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
export interface ProcessMemory {
  rssMb: number;
  peakRssMb: number;
  rssAnonMb: number;
  rssFileMb: number;
  cpuMs: number;
}

export function processMemory(pid: number): ProcessMemory | undefined {
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
export async function start(command: string[], env: NodeJS.ProcessEnv, url: string) {
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
export async function timeStart(command: string[], env: NodeJS.ProcessEnv, url: string, settle = false) {
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The medians of `runs` measured starts of a server (see `timeStart`). */
export interface StartFigures {
  runs: number;
  /** Spawn to `/readyz` 200, ms: the median and every run. */
  startToReadyMs: number;
  runsMs: number[];
  /** The server process when it answered ready: CPU used until then, resident memory (MB). */
  whenReady: { cpuMs: number; rssMb: number; peakRssMb: number; rssAnonMb: number; rssFileMb: number } | null;
  /** Once its start-up work (the holdings index's load among it) is over: CPU idle for 0.5 s. */
  whenSettled: { msSinceSpawn: number; cpuMs: number; rssMb: number; peakRssMb: number } | null;
}

/** Starts the server `runs` times one after the other (each stopped before the next) and takes medians. */
export async function measureStarts(
  command: string[],
  env: NodeJS.ProcessEnv,
  readyUrl: string,
  runs: number,
): Promise<StartFigures> {
  const all: Awaited<ReturnType<typeof timeStart>>[] = [];
  for (let i = 0; i < runs; i += 1) all.push(await timeStart(command, env, readyUrl, true));
  const memories = all.flatMap((r) => (r.memory ? [r.memory] : []));
  const settledRuns = all.flatMap((r) => (r.settled ? [r.settled] : []));
  const of = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
  return {
    runs,
    startToReadyMs: Math.round(of(all, (r) => r.ms)),
    runsMs: all.map((r) => Math.round(r.ms)),
    whenReady:
      memories.length === 0
        ? null
        : {
            cpuMs: of(memories, (m) => m.cpuMs),
            rssMb: of(memories, (m) => m.rssMb),
            peakRssMb: of(memories, (m) => m.peakRssMb),
            rssAnonMb: of(memories, (m) => m.rssAnonMb),
            rssFileMb: of(memories, (m) => m.rssFileMb),
          },
    whenSettled:
      settledRuns.length === 0
        ? null
        : {
            msSinceSpawn: Math.round(of(settledRuns, (r) => r.ms)),
            cpuMs: of(settledRuns, (r) => r.memory.cpuMs),
            rssMb: of(settledRuns, (r) => r.memory.rssMb),
            peakRssMb: of(settledRuns, (r) => r.memory.peakRssMb),
          },
  };
}
