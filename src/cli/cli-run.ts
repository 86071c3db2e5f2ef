import type { Writable } from 'node:stream';

/**
 * One run of the `elevate` CLI: where its commands read configuration and write output, and the
 * exit code they set. The bin passes the process's own streams and environment; tests pass
 * buffers, so they can run commands in-process instead of spawning one process per command.
 */
export interface CliRun {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** 0 unless a command reports a failure it already printed (a broken chain, a failed check). */
  exitCode: number;
}
