import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { SharedDatabase } from './database.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

/** The most of a process's output kept for a failure message. */
const LOG_TAIL = 20_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** One Elevate server process (`src/main.ts` under tsx, as the end-to-end tests start it). */
export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  /** Where this process listens (requests go here; the public URL may name another replica). */
  readonly base: string;
  log(): string;
  exited: Promise<number | null>;
  /** SIGKILL: no shutdown hook runs, in-flight requests are cut. Resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait (graceful shutdown). */
  stop(): Promise<number | null>;
}

/**
 * What several replicas of one deployment share: the database, the data key, the public URL (as
 * behind a load balancer: tokens one replica issues are valid at the other) and their ports, kept
 * across restarts so tokens issued before a kill stay valid after it.
 */
export interface Deployment {
  database: SharedDatabase;
  dataKey: string;
  publicUrl: string;
  ports: number[];
  env: Record<string, string>;
}

export async function deployment(
  database: SharedDatabase,
  replicas: number,
  extraEnv: Record<string, string> = {},
): Promise<Deployment> {
  const ports: number[] = [];
  for (let i = 0; i < replicas; i += 1) ports.push(await freePort());
  return {
    database,
    dataKey: randomBytes(32).toString('base64'),
    publicUrl: `http://127.0.0.1:${ports[0]}`,
    ports,
    env: extraEnv,
  };
}

/** The environment of the CLI over this deployment's database (`elevate audit verify`). */
export function cliEnv(d: Deployment): Record<string, string> {
  return { DATABASE_URL: d.database.url, ELEVATE_DATA_DIR: d.database.dataDir, ELEVATE_DATA_KEY: d.dataKey };
}

/**
 * Starts replica `index` of the deployment and waits until `/readyz` answers 200. Processes still
 * running when the test file ends are killed by `killAll`.
 */
export async function startReplica(d: Deployment, index: number): Promise<ServerProcess> {
  const port = d.ports[index];
  if (port === undefined) throw new Error(`no replica ${index}`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ELEVATE_HOST: '127.0.0.1',
      ELEVATE_PORT: String(port),
      ELEVATE_PUBLIC_URL: d.publicUrl,
      ELEVATE_DATA_DIR: d.database.dataDir,
      ELEVATE_DATA_KEY: d.dataKey,
      DATABASE_URL: d.database.url,
      ELEVATE_LOG_LEVEL: 'warn',
      ELEVATE_ACCESS_TOKEN_TTL_SECONDS: '3600',
      ...d.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-LOG_TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  const proc: ServerProcess = {
    pid: child.pid ?? -1,
    port,
    base,
    log: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  await waitReady(proc, child);
  return proc;
}

const running = new Set<ChildProcess>();

/** Kills every server process this file started that still runs (each by its own pid). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

async function waitReady(proc: ServerProcess, child: ChildProcess, ms = 120_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the server exited while starting (${child.exitCode ?? child.signalCode}):\n${proc.log()}`,
      );
    }
    try {
      const res = await fetch(`${proc.base}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await proc.kill();
      throw new Error(`the server was not ready within ${ms} ms:\n${proc.log()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first-run credentials the first process wrote (mode 0600) into the data folder. */
export interface BootstrapCredentials {
  tenantId: string;
  administrator: { userPrincipalName: string; oneTimePassword: string };
  application: { clientId: string; clientSecret: string; servicePrincipalId: string };
}

export function bootstrapCredentials(d: Deployment): BootstrapCredentials {
  return JSON.parse(
    readFileSync(join(d.database.dataDir, 'bootstrap-credentials.json'), 'utf8'),
  ) as BootstrapCredentials;
}
