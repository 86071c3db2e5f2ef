// What the benches share: the closed-loop load generator's client side (`load`, with the server's
// CPU time per request), latency summaries, and the optional CPU profile of the server thread.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import BetterSqlite3 from 'better-sqlite3';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
export interface LoadResult {
  count: number;
  elapsedMs: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  sampleBody?: string;
  /** This (server) process's CPU milliseconds per counted request. */
  cpuMsPerRequest?: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarize(latencies: Float64Array, elapsedMs: number, statuses: Record<string, number> = {}) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: sorted.length,
    elapsedMs,
    perSecond: (sorted.length / elapsedMs) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    statuses,
  };
}

/**
 * Runs the closed-loop load generator in a child process and waits for its result. Also returns
 * this process's CPU time per request (the server's cost, load generator excluded), which other
 * work on the machine disturbs less than wall-clock throughput does.
 */
export function load(opts: {
  port: number;
  concurrency: number;
  requests: LoadRequest[];
  cycle: boolean;
  durationMs: number;
  warmupMs: number;
  maxRequests: number;
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(HERE, 'loadgen.ts'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    let cpu = process.cpuUsage();
    let warm = false;
    const warmTimer = setTimeout(() => {
      cpu = process.cpuUsage();
      warm = true;
    }, opts.warmupMs);
    child.once('message', (m: { ok: boolean; error?: string } & Record<string, unknown>) => {
      clearTimeout(warmTimer);
      const used = process.cpuUsage(cpu);
      children.delete(child);
      child.disconnect();
      if (!m.ok) return reject(new Error(m.error));
      const r = summarize(
        m.latencies as Float64Array,
        m.elapsedMs as number,
        m.statuses as Record<string, number>,
      );
      const cpuMsPerRequest = warm && r.count ? (used.user + used.system) / 1000 / r.count : NaN;
      resolve({ ...r, cpuMsPerRequest, ...(m.sampleBody ? { sampleBody: m.sampleBody as string } : {}) });
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      children.delete(child);
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(opts);
  });
}
const children = new Set<ReturnType<typeof fork>>();

/** Kills the load generators still running (a bench that fails or is interrupted). */
export function stopLoadGenerators(): void {
  for (const child of children) child.kill();
}

/**
 * With BENCH_PROFILE=1, the wall time of every better-sqlite3 statement call (`run`, `all`, `get`)
 * by SQL text, on this (the server's) thread: the CPU profile shows that statements cost, not which.
 */
const sqlTimes = new Map<string, { calls: number; ms: number }>();
export function timeStatements(): void {
  const proto = BetterSqlite3.prototype as unknown as {
    prepare: (this: unknown, source: string) => Record<string, (...a: unknown[]) => unknown>;
  };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, source: string) {
    const stmt = prepare.call(this, source);
    for (const m of ['run', 'all', 'get'] as const) {
      const original = stmt[m]!.bind(stmt);
      stmt[m] = (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return original(...args);
        } finally {
          const key = source.replace(/\s+/g, ' ').slice(0, 160);
          const e = sqlTimes.get(key) ?? { calls: 0, ms: 0 };
          e.calls += 1;
          e.ms += performance.now() - t0;
          sqlTimes.set(key, e);
        }
      };
    }
    return stmt;
  };
}

/** The statements that took the most time while `work` ran, one line each. */
function topStatements(): string[] {
  const rows = [...sqlTimes.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
  sqlTimes.clear();
  return rows.map(
    ([sqlText, e]) => `${e.ms.toFixed(0).padStart(7)} ms ${String(e.calls).padStart(7)}×  ${sqlText}`,
  );
}

/**
 * With `enabled`, a CPU profile of this (the server's) thread while `work` runs, written to
 * `bench/results/<name>.cpuprofile`; returns the top costs.
 */
export async function profiled<T>(
  enabled: boolean,
  name: string,
  work: () => Promise<T>,
): Promise<{ result: T; top?: string[] }> {
  if (!enabled) return { result: await work() };
  sqlTimes.clear();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  const result = await work();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  mkdirSync(join(HERE, 'results'), { recursive: true });
  writeFileSync(join(HERE, 'results', `${name}.cpuprofile`), JSON.stringify(profile));
  // Inclusive share per function (a function counted once per sample however deep it recurses),
  // for Elevate's own code and the libraries on the request path; plus the top self-time frames.
  const total = profile.samples?.length ?? 1;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: (typeof profile.nodes)[number]) => {
    const f = n.callFrame;
    const where = f.url ? ` ${f.url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'}${where}`;
  };
  const incl = new Map<string, number>();
  const self = new Map<string, number>();
  for (const id of profile.samples ?? []) {
    let n = byId.get(id);
    if (!n) continue;
    self.set(label(n), (self.get(label(n)) ?? 0) + 1);
    const seen = new Set<string>();
    for (; n; n = byId.get(parent.get(n.id) ?? -1)) {
      const key = label(n);
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + 1);
    }
  }
  const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)} %`;
  const interesting =
    /src\/|jose\/|better-sqlite3|sqlite-driver|default-query-compiler|fastify\/lib\/(reply|handle-request|content-type-parser)|zod\/v4\/core\/parse|\(garbage collector\)|\(idle\)|\(program\)|writev/;
  const top = [
    'inclusive:',
    ...[...incl.entries()]
      .filter(([k]) => interesting.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([k, v]) => `  ${pct(v)}  ${k}`),
    'self:',
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([k, v]) => `  ${pct(v)}  ${k}`),
    'statements (wall time on the server thread, calls, SQL):',
    ...topStatements().map((l) => `  ${l}`),
  ];
  return { result, top };
}

/** One JSON (or form) request to Elevate on 127.0.0.1:`port`, its status and parsed body. */
export async function http(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  form = false,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      ...headers,
      ...(body === undefined
        ? {}
        : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
    },
    body:
      body === undefined
        ? undefined
        : form
          ? new URLSearchParams(body as Record<string, string>).toString()
          : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
