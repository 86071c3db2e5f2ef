import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'vitest';
import { elevate } from '../helpers/cli.js';

const ROOT = new URL('../..', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

interface Running {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `src/main.ts` as a real process, as `npm start` would (tsx instead of the build); it is
 * killed when the test that started it ends.
 */
function start(test: TestContext, env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  test.onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, log: () => out, exited };
}

async function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Concurrent: each test waits mostly for its own processes to start, so they overlap. Generous
// timeouts: a tsx start takes seconds, and tens of seconds on a machine shared by several runs.
describe.concurrent('the server as a process', () => {
  it('bootstraps once, writes credentials 0600 without logging secrets, serves tokens, and stops on SIGTERM', async (test) => {
    const { expect } = test;
    const dir = mkdtempSync(join(tmpdir(), 'elevate-e2e-'));
    const port = await freePort();
    const env = {
      ELEVATE_PORT: String(port),
      ELEVATE_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, 'elevate.db')}`,
    };
    const first = start(test, env);
    await waitFor(() => first.log().includes('Elevate is listening'), 'first start', 90_000);

    const credsPath = join(dir, 'bootstrap-credentials.json');
    expect(statSync(credsPath).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(credsPath, 'utf8'));
    expect(first.log()).toContain('bootstrap-credentials.json');
    expect(first.log()).not.toContain(creds.application.clientSecret);
    expect(first.log()).not.toContain(creds.administrator.oneTimePassword);

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const tokenRes = await fetch(`${base}/${creds.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: creds.application.clientId,
        client_secret: creds.application.clientSecret,
        scope: `${base}/.default`,
      }),
    });
    expect(tokenRes.status).toBe(200);
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const users = await fetch(`${base}/v1.0/users`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(users.status).toBe(200);
    expect(first.log()).not.toContain(access_token);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.log()).toContain('shutting down');

    const second = start(test, env);
    await waitFor(() => second.log().includes('Elevate is listening'), 'second start', 90_000);
    expect(second.log()).not.toContain('first run');
    expect(JSON.parse(readFileSync(credsPath, 'utf8'))).toEqual(creds);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('signs and publishes a last audit checkpoint on SIGTERM', async (test) => {
    const { expect } = test;
    const dir = mkdtempSync(join(tmpdir(), 'elevate-e2e-'));
    test.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const witness = join(dir, 'witness.jsonl');
    const env = {
      ELEVATE_PORT: String(await freePort()),
      ELEVATE_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, 'elevate.db')}`,
      // An hour: no checkpoint is due while the process runs, only the one at shutdown.
      ELEVATE_AUDIT_CHECKPOINT_INTERVAL_MS: '3600000',
      ELEVATE_AUDIT_WITNESS_FILE: witness,
    };
    const server = start(test, env);
    await waitFor(() => server.log().includes('Elevate is listening'), 'start', 90_000);
    expect(existsSync(witness)).toBe(false);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    // The bootstrap's audit entries are covered by a checkpoint in the witness file…
    const lines = readFileSync(witness, 'utf8').trimEnd().split('\n');
    const published = lines.map((l) => JSON.parse(l) as { type: string; tenantId: string; seq: number });
    expect(published.length).toBeGreaterThan(0);
    for (const cp of published) expect(cp.type).toBe('elevate.audit.checkpoint.v1');
    // …at each chain's head, and the database verifies against it.
    const verify = await elevate(['audit', 'verify', '--checkpoints', witness, '--json'], {
      DATABASE_URL: env.DATABASE_URL,
      ELEVATE_DATA_DIR: dir,
    });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const results = JSON.parse(verify.stdout) as { tenantId: string; count: number; published: unknown }[];
    expect(results.length).toBeGreaterThan(0);
    for (const r of results)
      expect(r.published).toEqual({
        checkpoints: 1,
        entries: 0,
        throughSeq: published.find((cp) => cp.tenantId === r.tenantId)?.seq,
      });
    expect(results.map((r) => r.count)).toEqual(
      results.map((r) => (r.published as { throughSeq: number }).throughSeq),
    );
  }, 120_000);

  it('keeps a credentials file left by an earlier database, and writes the new one beside it', async (test) => {
    const { expect } = test;
    const dir = mkdtempSync(join(tmpdir(), 'elevate-e2e-'));
    test.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // The folder was kept, the database replaced: the old file still holds someone's secrets.
    const credsPath = join(dir, 'bootstrap-credentials.json');
    const old = '{"note":"from an earlier database","application":{"clientSecret":"old-secret"}}\n';
    writeFileSync(credsPath, old, { mode: 0o600 });
    const port = await freePort();
    const server = start(test, {
      ELEVATE_PORT: String(port),
      ELEVATE_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, 'elevate.db')}`,
    });
    await waitFor(() => server.log().includes('Elevate is listening'), 'start', 90_000);
    const fresh = JSON.parse(readFileSync(credsPath, 'utf8')) as { tenantId: string };
    expect(fresh.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    const kept = readdirSync(dir).filter((f) => /^bootstrap-credentials\..+\.json$/.test(f));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe(old);
    expect(server.log()).toContain(`was kept as ${join(dir, kept[0]!)}`);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);

  it('refuses to start on invalid configuration, naming the setting', async (test) => {
    const { expect } = test;
    const bad = start(test, { ELEVATE_PORT: 'eighty' });
    expect(await bad.exited).toBe(2);
    expect(bad.log()).toContain('Invalid configuration: ELEVATE_PORT');
  }, 120_000);
});

// Three starts in a row: after the concurrent tests above, so it does not slow them down.
describe('the first-run messages of the server as a process', () => {
  it('says on the first start what to do next, and reminds later starts while the credentials file is left', async (test) => {
    const { expect } = test;
    const dir = mkdtempSync(join(tmpdir(), 'elevate-e2e-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      ELEVATE_PORT: String(port),
      ELEVATE_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, 'elevate.db')}`,
    };
    const credsPath = join(dir, 'bootstrap-credentials.json');
    const logLines = (log: string) =>
      log
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string } & Record<string, unknown>);
    const run = async (what: string) => {
      const server = start(test, env);
      await waitFor(() => server.log().includes('Elevate is listening'), what, 90_000);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      return logLines(server.log());
    };

    const first = (await run('first start')).find((l) => l.msg.startsWith('first run'));
    const creds = JSON.parse(readFileSync(credsPath, 'utf8'));
    // The credentials file names the Graph base, the token endpoint and the scope for the first call.
    expect(creds).toMatchObject({
      publicUrl: base,
      tokenEndpoint: `${base}/${creds.tenantId}/oauth2/v2.0/token`,
      scope: `${base}/.default`,
    });
    expect(first).toMatchObject({
      level: 30,
      path: credsPath,
      tokenEndpoint: creds.tokenEndpoint,
      firstCall: `GET ${base}/v1.0/roleManagement/directory/roleDefinitions`,
      guide: 'docs/getting-started.md',
      apiDocs: `${base}/docs`,
    });
    expect(first?.msg).toContain(`credentials written once to ${credsPath}`);
    expect(first?.msg).toContain('README.md "Your first API call"');
    expect(first?.msg).toContain(`API docs: ${base}/docs`);
    expect(first?.msg).toContain('docs/getting-started.md');

    const reminder = (await run('second start')).filter((l) =>
      l.msg.includes('still holds the first-run secrets'),
    );
    expect(reminder).toEqual([
      expect.objectContaining({ level: 40, path: credsPath, msg: expect.stringContaining(credsPath) }),
    ]);

    rmSync(credsPath);
    const third = await run('third start');
    expect(third.some((l) => l.msg.includes('still holds'))).toBe(false);
    expect(third.some((l) => l.msg.includes('first run'))).toBe(false);
  }, 300_000);
});
