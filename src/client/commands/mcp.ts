import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Command } from 'commander';
import { appSignIn, discover, readSecretFile } from '../auth.js';
import type { ClientRun } from '../client-run.js';
import { contextOf, type Context } from '../context.js';
import { parseDuration } from '../duration.js';
import { ClientError, EXIT } from '../exit-codes.js';
import { Graph } from '../graph.js';
import {
  elevateMcpServer,
  MCP_ORIGIN_HEADERS,
  MCP_TOOLS,
  requireApp,
  type McpOptions,
} from '../mcp-server.js';
import { serverUrl } from './session.js';

interface McpCommandOptions {
  profile?: string;
  server?: string;
  tenant?: string;
  clientId?: string;
  clientSecretFile?: string;
  pollInterval: string;
  maxWait: string;
  http?: boolean;
  host: string;
  port?: string;
}

/**
 * The agent's sign-in: `--client-id` with a secret file (or `$ELEVATE_CLIENT_SECRET`), kept in
 * memory only; else a profile signed in with `elevate login --client-id`. Never a person's.
 */
async function agentGraph(ctx: Context, run: ClientRun, opts: McpCommandOptions): Promise<Graph> {
  if (opts.clientId === undefined) {
    if (opts.clientSecretFile !== undefined)
      throw new ClientError('--client-secret-file needs --client-id', EXIT.usage);
    const graph = Graph.open(run.env, opts.profile, ctx.now, MCP_ORIGIN_HEADERS);
    requireApp(graph);
    await graph.ensureToken();
    return graph;
  }
  const given = opts.server ?? run.env.ELEVATE_SERVER;
  if (given === undefined)
    throw new ClientError('no server: pass --server <url> (or set ELEVATE_SERVER)', EXIT.usage);
  let secret: { clientSecret?: string; clientSecretFile?: string };
  if (opts.clientSecretFile !== undefined) {
    readSecretFile(opts.clientSecretFile); // fails now, not at the first renewal
    secret = { clientSecretFile: opts.clientSecretFile };
  } else if (run.env.ELEVATE_CLIENT_SECRET) {
    secret = { clientSecret: run.env.ELEVATE_CLIENT_SECRET };
  } else {
    throw new ClientError('--client-id needs --client-secret-file or $ELEVATE_CLIENT_SECRET', EXIT.usage);
  }
  const server = serverUrl(given);
  const profile = await appSignIn(
    server,
    await discover(server, opts.tenant),
    opts.clientId,
    secret,
    ctx.now,
  );
  return Graph.inMemory(profile, ctx.now, MCP_ORIGIN_HEADERS);
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new ClientError(`--port must be 0–65535, got "${text}"`, EXIT.usage);
  return n;
}

/** Serves MCP over stdin/stdout until the client closes stdin. */
async function serveStdio(graph: Graph, o: McpOptions, run: ClientRun): Promise<void> {
  const server = elevateMcpServer(graph, o);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
    process.stdin.once('end', resolve);
  });
  await server.connect(new StdioServerTransport(process.stdin, run.stdout));
  run.stderr.write(`elevate mcp: ${MCP_TOOLS.length} tools on stdio as ${graph.callerId()}\n`);
  await closed;
  await server.close();
}

/**
 * Serves MCP over Streamable HTTP (stateless: one server and transport per request) on `host:port`,
 * `/mcp` only, until SIGINT or SIGTERM. Loopback by default, with the SDK's DNS-rebinding check:
 * whoever reaches the port acts as the agent.
 */
async function serveHttp(graph: Graph, o: McpOptions, run: ClientRun, host: string, wanted: number) {
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const fail = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
    };
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp')
      return fail(404, 'Not found: MCP is at /mcp');
    if (req.method !== 'POST') return fail(405, 'Method not allowed: stateless server, POST only');
    const address = http.address();
    const bound = typeof address === 'object' && address ? address.port : wanted;
    const server = elevateMcpServer(graph, o);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      enableDnsRebindingProtection: true,
      allowedHosts: [`${host}:${bound}`, `localhost:${bound}`, `127.0.0.1:${bound}`],
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => {
        if (!res.headersSent) fail(500, 'Internal error');
      });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (e: NodeJS.ErrnoException) =>
      reject(new ClientError(`cannot listen on ${host}:${wanted}: ${e.code ?? e.message}`, EXIT.general)),
    );
    http.listen(wanted, host, resolve);
  });
  const address = http.address();
  const bound = typeof address === 'object' && address ? address.port : wanted;
  run.stderr.write(
    `elevate mcp: ${MCP_TOOLS.length} tools on http://${host}:${bound}/mcp as ${graph.callerId()}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

export function registerMcpCommand(program: Command, run: ClientRun): void {
  program
    .command('mcp')
    .description(
      'Serve the Model Context Protocol for an AI agent signed in as its own application (docs/mcp.md): ' +
        `${MCP_TOOLS.join(', ')}.`,
    )
    .option(
      '-p, --profile <name>',
      'an application sign-in from `elevate login --client-id` (default: $ELEVATE_PROFILE or "default")',
    )
    .option('-s, --server <url>', 'the Elevate server, with --client-id (default: $ELEVATE_SERVER)')
    .option('-t, --tenant <id>', "the tenant id or domain, with --client-id (default: the server's own)")
    .option('--client-id <id>', 'sign in as this application, in memory only (nothing is saved)')
    .option(
      '--client-secret-file <path>',
      "read the application's secret from this file (else $ELEVATE_CLIENT_SECRET)",
    )
    .option('--poll-interval <duration>', 'how often wait_for_decision asks the server', '2s')
    .option('--max-wait <duration>', 'the longest one wait_for_decision call may wait', '10m')
    .option('--http', 'serve Streamable HTTP on --host:--port at /mcp instead of stdio')
    .option('--host <address>', 'with --http: the address to listen on', '127.0.0.1')
    .option('--port <n>', 'with --http: the port (0: any free one)')
    .action(async (opts: McpCommandOptions) => {
      const ctx = contextOf(run, {});
      const o: McpOptions = {
        pollMs: parseDuration(opts.pollInterval).ms,
        maxWaitMs: parseDuration(opts.maxWait).ms,
        now: ctx.now,
        sleep: ctx.sleep,
      };
      if (opts.http !== true && opts.port !== undefined)
        throw new ClientError('--port needs --http', EXIT.usage);
      const wanted = opts.port === undefined ? 8765 : port(opts.port);
      const graph = await agentGraph(ctx, run, opts);
      if (opts.http === true) await serveHttp(graph, o, run, opts.host, wanted);
      else await serveStdio(graph, o, run);
    });
}
