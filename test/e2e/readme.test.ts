// The README's newcomer path, run as written: its shell blocks are read from README.md itself, so
// an edit to the README is what is tested. A copy of this checkout's files (as a fresh clone has
// them: no data/, no dist/) runs the "Quick start" command, then bash runs the "Your first API
// call" block against it. `npm install` is the one part left out: node_modules is linked from this
// checkout instead, since installing again would download and compile the dependencies.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipFor } from '../helpers/skip.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

/** The body of the first ```sh block under the heading `heading` (up to the next heading). */
function shellBlock(markdown: string, heading: string): string {
  const start = markdown.split('\n').findIndex((line) => line.trim() === heading);
  if (start === -1) throw new Error(`README.md has no heading "${heading}"`);
  const section: string[] = [];
  for (const line of markdown.split('\n').slice(start + 1)) {
    if (/^#{1,6} /.test(line)) break;
    section.push(line);
  }
  const block = /^```(?:sh|bash|shell)\n([\s\S]*?)^```/m.exec(section.join('\n'));
  if (!block?.[1]) throw new Error(`no sh block under "${heading}" in README.md`);
  return block[1];
}

/** The start command of a Quick start block without its `npm install` (or `npm ci`) part. */
function withoutInstall(block: string): { command: string; skipped: string[] } {
  const parts = block
    .split(/\n|&&/)
    .map((part) => part.trim())
    .filter((part) => part !== '' && !part.startsWith('#'));
  const install = (part: string) => /^npm (install|i|ci)\b/.test(part);
  return { command: parts.filter((p) => !install(p)).join(' && '), skipped: parts.filter(install) };
}

const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  cwd: ROOT,
  encoding: 'utf8',
});
const missing = [
  ...(listed.status === 0 ? [] : ['a git checkout to copy']),
  ...['bash', 'curl', 'jq'].filter((tool) => !which(tool)),
];
const skipReason = process.env.TEST_DATABASE_URL
  ? "the README walk-through (it runs in npm test, on the README's own SQLite database)"
  : missing.length > 0 && process.env.CI !== 'true'
    ? `the README walk-through (needs ${missing.join(', ')}: apt-get install -y curl jq)`
    : undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** What a newcomer's shell has: none of this test run's own variables. */
function shellEnv(port: number): NodeJS.ProcessEnv {
  const own = /^(VITEST|npm_|ELEVATE_|DATABASE_URL$|TEST_DATABASE_URL$|NODE_ENV$)/;
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !own.test(name))),
    ELEVATE_PORT: String(port),
  };
}

interface Started {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

describe('the README, pasted into a fresh clone', skipFor(skipReason), () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  let dir: string;
  let port: number;
  let server: Started | undefined;

  /** Runs the Quick start command in the background, in its own process group, until ready. */
  async function start(): Promise<Started> {
    const { command } = withoutInstall(shellBlock(readme, '## Quick start'));
    const child = spawn('bash', ['-c', command], {
      cwd: dir,
      env: shellEnv(port),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started: Started = { child, log: () => out, exited };
    server = started;
    const until = Date.now() + 240_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`"${command}" exited ${child.exitCode}:\n${out}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (res) => res.status === 200,
        () => false,
      );
      if (ready) return started;
      if (Date.now() > until) throw new Error(`"${command}" was not ready in 240 s:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Stops the started command by its process group id (its PID): npm, node and all. */
  async function stop(started: Started): Promise<void> {
    if (started.child.exitCode === null && started.child.pid !== undefined) {
      process.kill(-started.child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (started.child.pid !== undefined && started.child.exitCode === null)
          process.kill(-started.child.pid, 'SIGKILL');
      }, 20_000);
      await started.exited;
      clearTimeout(timer);
    }
    server = undefined;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elevate-readme-'));
    for (const path of listed.stdout.split('\0').filter(Boolean)) {
      if (!existsSync(join(ROOT, path))) continue; // deleted in this checkout, not yet committed
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      cpSync(join(ROOT, path), join(dir, path), { verbatimSymlinks: true });
    }
    symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'));
    port = await freePort();
  });

  afterAll(async () => {
    if (server) await stop(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Quick start: the start command builds once, starts, and says what to do next (npm install skipped)', async () => {
    const quickStart = withoutInstall(shellBlock(readme, '## Quick start'));
    expect(quickStart.skipped).toEqual(['npm install']);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    const first = await start();
    expect(first.log()).toContain('Building dist/ first (no build yet)');
    expect(first.log()).toContain('credentials written once to data/bootstrap-credentials.json');
    expect(first.log()).toContain(`API docs: http://127.0.0.1:${port}/docs`);
  }, 300_000);

  it('"Your first API call", run by bash as written, lists the built-in role definitions', () => {
    const call = spawnSync('bash', ['-eo', 'pipefail', '-c', shellBlock(readme, '### Your first API call')], {
      cwd: dir,
      env: shellEnv(port),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(call.stderr).toBe('');
    expect(call.status).toBe(0);
    expect(call.stdout).toContain(GLOBAL_ADMINISTRATOR);
    for (const role of ['Global Administrator', 'Privileged Role Administrator', 'User Administrator'])
      expect(call.stdout).toContain(role);
  }, 60_000);

  it('a second start does not build again, and reminds that the credentials file is still there', async () => {
    if (server) await stop(server);
    const second = await start();
    expect(second.log()).not.toContain('Building dist/');
    expect(second.log()).not.toContain('first run');
    expect(second.log()).toContain('data/bootstrap-credentials.json still holds the first-run secrets');
    await stop(second);
  }, 120_000);
});
