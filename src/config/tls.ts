import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './load.js';

/** Where Elevate's own TLS certificate and key live (`ELEVATE_TLS_CERT_FILE`, `ELEVATE_TLS_KEY_FILE`). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** A certificate and its private key, PEM, as read from {@link TlsFiles}. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** What the log says about a certificate in use (never the key). */
export interface TlsCertificateSummary {
  subject: string;
  subjectAltName: string | undefined;
  validTo: string;
  fingerprint256: string;
}

/** Why a pair cannot serve, naming the variable whose file is at fault. */
export interface TlsPairProblem {
  variable: 'ELEVATE_TLS_CERT_FILE' | 'ELEVATE_TLS_KEY_FILE';
  reason: string;
}

/**
 * Checks that `cert` holds a PEM certificate, `key` an unencrypted PEM private key, that the key
 * belongs to the (first) certificate, and that Node accepts the pair for a TLS server. Used at
 * start-up and before every reload, so a half-written or mismatched renewal never replaces a
 * working pair.
 */
export function inspectTlsPair(
  files: TlsFiles,
  pair: TlsPair,
): { summary: TlsCertificateSummary } | { problem: TlsPairProblem } {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pair.cert);
  } catch {
    return {
      problem: { variable: 'ELEVATE_TLS_CERT_FILE', reason: `${files.certFile} holds no PEM certificate` },
    };
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pair.key);
  } catch {
    return {
      problem: {
        variable: 'ELEVATE_TLS_KEY_FILE',
        reason: `${files.keyFile} holds no unencrypted PEM private key`,
      },
    };
  }
  if (!certificate.checkPrivateKey(key)) {
    return {
      problem: {
        variable: 'ELEVATE_TLS_KEY_FILE',
        reason: `the key in ${files.keyFile} does not belong to the certificate in ${files.certFile}`,
      },
    };
  }
  try {
    createSecureContext({ cert: pair.cert, key: pair.key });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      problem: { variable: 'ELEVATE_TLS_CERT_FILE', reason: `${files.certFile} is refused: ${detail}` },
    };
  }
  return {
    summary: {
      subject: certificate.subject,
      subjectAltName: certificate.subjectAltName,
      validTo: certificate.validTo,
      fingerprint256: certificate.fingerprint256,
    },
  };
}

/**
 * Reads and checks the pair at start-up.
 * @throws ConfigError naming the variable whose file cannot be read or does not fit.
 */
export function readTlsPair(files: TlsFiles): TlsPair & { summary: TlsCertificateSummary } {
  const read = (variable: TlsPairProblem['variable'], path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch {
      throw new ConfigError(`Invalid configuration: ${variable}: cannot read ${path}`);
    }
  };
  const pair = {
    cert: read('ELEVATE_TLS_CERT_FILE', files.certFile),
    key: read('ELEVATE_TLS_KEY_FILE', files.keyFile),
  };
  const inspected = inspectTlsPair(files, pair);
  if ('problem' in inspected) {
    throw new ConfigError(
      `Invalid configuration: ${inspected.problem.variable}: ${inspected.problem.reason}`,
    );
  }
  return { ...pair, summary: inspected.summary };
}
