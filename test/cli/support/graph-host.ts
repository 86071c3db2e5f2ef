import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Graph host of its own in front of Elevate, as graph.microsoft.com is apart from
 * login.microsoftonline.com: it forwards each request to Elevate unchanged and records its path.
 */
export async function graphHost(
  target: string,
  /** An answer of its own for some requests (Entra's refusals Elevate does not make), else undefined. */
  answerOf: (method: string, url: string) => { status: number; body: unknown } | undefined = () => undefined,
): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method ?? ''} ${req.url ?? ''}`);
      const own = answerOf(req.method ?? '', req.url ?? '');
      if (own) {
        res.writeHead(own.status, { 'content-type': 'application/json' }).end(JSON.stringify(own.body));
        return;
      }
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type', 'accept']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      void fetch(`${target}${req.url ?? ''}`, { method: req.method, headers, ...(body ? { body } : {}) })
        .then(async (answer) => {
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/json',
          });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
