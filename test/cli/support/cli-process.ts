import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, ROOT, whyBuild } from '../../../scripts/build.mjs';
import { buildOnce } from '../../helpers/build-lock.js';

/** The built bin, as `npm install -g` would run it. */
export const BIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/**
 * Builds dist/ when it is missing or older than the sources (as `npm start` does), once across the
 * test files that run in parallel (see `buildOnce`).
 */
export function ensureBuilt(): Promise<void> {
  return buildOnce(
    () => whyBuild() !== undefined,
    () => build(),
    'npm run build',
  );
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `elevate` process: its output so far, and its end. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in standard error (prompts, status lines). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  done: Promise<CliRun>;
}

/** The environment of a user's terminal: only PATH, HOME and a config folder of the test's own. */
export function userEnv(configHome = mkdtempSync(join(tmpdir(), 'elevate-cli-'))): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: configHome, XDG_CONFIG_HOME: join(configHome, 'config') };
}

/** Starts `elevate <args>` as its own process with exactly `env`; killed after `timeoutMs`. */
export function startCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const w of waiters.splice(0)) {
      const m = w.pattern.exec(stderr);
      if (m) w.resolve(m);
      else waiters.push(w);
    }
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr(pattern, waitMs = 30_000) {
      const m = pattern.exec(stderr);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timeout = setTimeout(
          () => reject(new Error(`no ${String(pattern)} on stderr in ${waitMs} ms: ${stderr}`)),
          waitMs,
        );
        waiters.push({
          pattern,
          resolve: (found) => {
            clearTimeout(timeout);
            resolve(found);
          },
        });
        void done.then(() => {
          clearTimeout(timeout);
          reject(new Error(`elevate ended before ${String(pattern)}: ${stderr}`));
        });
      });
    },
    done,
  };
}

/** Runs `elevate <args>` to its end. */
export function cli(args: string[], env: Record<string, string>, timeoutMs?: number): Promise<CliRun> {
  return startCli(args, env, timeoutMs).done;
}
