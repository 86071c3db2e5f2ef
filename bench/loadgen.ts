// Closed-loop HTTP load generator, run as a child process (fork, IPC) so it shares neither the
// server's event loop nor its CPU accounting. Keeps `concurrency` requests in flight over keep-alive sockets to 127.0.0.1:<port>; stops
// after `maxRequests` requests or `durationMs` (whichever first). Requests sent during the first
// `warmupMs` are made but not counted. Forked with the parent's execArgv, so it runs under tsx like the parent.
import { Agent, request } from 'node:http';

export interface LoadOptions {
  port: number;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  maxRequests: number;
  cycle: boolean;
  requests: { method: string; path: string; headers: Record<string, string>; body?: string }[];
}

async function run(o: LoadOptions) {
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const latencies = new Float64Array(o.maxRequests);
  const statuses: Record<number, number> = {};
  let counted = 0;
  let next = 0;
  let sampleBody: string | undefined;
  const t0 = performance.now();
  const warmEnd = t0 + o.warmupMs;
  const stopAt = warmEnd + o.durationMs;
  let measuredStart = 0;

  const one = (req: LoadOptions['requests'][number]) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = req.body === undefined ? undefined : Buffer.from(req.body);
      const r = request(
        {
          agent,
          host: '127.0.0.1',
          port: o.port,
          method: req.method,
          path: req.path,
          headers: body ? { ...req.headers, 'content-length': String(body.length) } : req.headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      if (body) r.write(body);
      r.end();
    });

  async function loop() {
    for (;;) {
      const now = performance.now();
      if (now >= stopAt || counted >= o.maxRequests) return;
      if (!o.cycle && next >= o.requests.length) return;
      const req = o.requests[next++ % o.requests.length]!;
      const started = performance.now();
      const res = await one(req);
      const ended = performance.now();
      if (started < warmEnd) continue;
      if (measuredStart === 0) measuredStart = started;
      if (counted < o.maxRequests) latencies[counted++] = ended - started;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status >= 300 && sampleBody === undefined) sampleBody = res.body.slice(0, 400);
    }
  }

  await Promise.all(Array.from({ length: o.concurrency }, loop));
  const elapsedMs = performance.now() - (measuredStart || t0);
  agent.destroy();
  return { latencies: latencies.slice(0, counted), statuses, elapsedMs, sampleBody };
}

process.once('message', (options: LoadOptions) => {
  run(options).then(
    (r) => process.send!({ ok: true, ...r }, undefined, undefined, () => process.exit(0)),
    (err: unknown) =>
      process.send!(
        { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) },
        undefined,
        undefined,
        () => process.exit(1),
      ),
  );
});
process.on('disconnect', () => process.exit(0));
