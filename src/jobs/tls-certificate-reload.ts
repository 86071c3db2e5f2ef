import { readFile } from 'node:fs/promises';
import type { SecureContextOptions } from 'node:tls';
import {
  inspectTlsPair,
  type TlsCertificateSummary,
  type TlsFiles,
  type TlsPair,
  type TlsPairProblem,
} from '../config/tls.js';
import { repeatEvery } from './repeat.js';

/** How often the certificate files are re-read when the composition root does not say otherwise. */
export const DEFAULT_TLS_RELOAD_INTERVAL_MS = 10_000;

/** The listening TLS server (Node's `https.Server` has it). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

export interface TlsReloadOptions {
  files: TlsFiles;
  /** The pair the server started with. */
  current: TlsPair;
  server: SecureContextTarget;
  intervalMs: number;
  onReloaded: (summary: TlsCertificateSummary) => void;
  /** A changed pair that cannot serve; the previous one keeps serving. Reported once per change. */
  onRefused: (problem: TlsPairProblem) => void;
}

export interface TlsReload {
  /** Re-reads both files now; applies them if they changed and fit. Returns what happened. */
  runOnce(): Promise<'unchanged' | 'reloaded' | 'refused'>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Keeps Elevate's own TLS certificate current without a restart: on an interval it re-reads the
 * certificate and key files and, when their content changed, checks the new pair and installs it
 * with `setSecureContext` (new connections get it; open ones keep theirs). Content is compared
 * rather than modification times, so a renewal written in place, by rename, or through a symlink
 * swap (Kubernetes secrets) is seen alike. A pair that does not fit — a key written before its
 * certificate, a truncated file — is reported and the working pair kept; once both files agree,
 * the next run installs them.
 */
export function createTlsReload(o: TlsReloadOptions): TlsReload {
  let applied = o.current;
  let reported: string | undefined;
  const same = (a: TlsPair, b: TlsPair) => a.cert.equals(b.cert) && a.key.equals(b.key);
  const refuse = (problem: TlsPairProblem): 'refused' => {
    const key = `${problem.variable}:${problem.reason}`;
    if (key !== reported) o.onRefused(problem);
    reported = key;
    return 'refused';
  };
  const read = async (variable: TlsPairProblem['variable'], path: string) => {
    try {
      return await readFile(path);
    } catch (error) {
      return {
        variable,
        reason: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      };
    }
  };

  async function runOnce(): Promise<'unchanged' | 'reloaded' | 'refused'> {
    const cert = await read('ELEVATE_TLS_CERT_FILE', o.files.certFile);
    if (!Buffer.isBuffer(cert)) return refuse(cert);
    const key = await read('ELEVATE_TLS_KEY_FILE', o.files.keyFile);
    if (!Buffer.isBuffer(key)) return refuse(key);
    const pair = { cert, key };
    if (same(pair, applied)) {
      reported = undefined;
      return 'unchanged';
    }
    const inspected = inspectTlsPair(o.files, pair);
    if ('problem' in inspected) return refuse(inspected.problem);
    o.server.setSecureContext({ cert, key });
    applied = pair;
    reported = undefined;
    o.onReloaded(inspected.summary);
    return 'reloaded';
  }

  const job = repeatEvery(o.intervalMs, runOnce, (error) =>
    refuse({
      variable: 'ELEVATE_TLS_CERT_FILE',
      reason: `reload failed: ${error instanceof Error ? error.message : String(error)}`,
    }),
  );
  return { runOnce, start: job.start, stop: job.stop };
}
