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
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { bootstrapFilePath } from '../src/app/bootstrap/credentials-file.js';
import { openDatabase } from '../src/store/db.js';
import { benchRoles, createTemplates, seedPim, type ApiCall } from './seed.js';
import { freePort, measureStarts, start, stop, timeStart } from './server-process.js';

const RUNS = Number(process.env.BENCH_START_RUNS ?? 5);
const SPS = Number(process.env.BENCH_SPS ?? 100_000);
const ROLES_PER_SP = 10;

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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
    const elevateFigures = await measureStarts(elevate, env, ready, RUNS);
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i += 1)
      bareMs.push((await timeStart(bare, env, `http://127.0.0.1:${port}/`)).ms);
    const b = median(bareMs);
    console.log(
      JSON.stringify(
        {
          data,
          ...elevateFigures,
          bareNodeStartToReadyMs: Math.round(b),
          ratio: Number((elevateFigures.startToReadyMs / b).toFixed(1)),
          underThreeSeconds: elevateFigures.startToReadyMs < 3000,
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
