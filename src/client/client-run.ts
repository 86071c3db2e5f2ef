import type { Writable } from 'node:stream';

/**
 * What a client command reads and writes: the process's streams and environment in the bin,
 * buffers in tests. The same shape as the operator commands' run, declared here so the client
 * layer depends on nothing else of Elevate (but the pure rules of domain/).
 */
export interface ClientRun {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  exitCode: number;
}
