import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { selfSignedCertificate } from '../helpers/tls-certificate.js';
import { freePort, httpsGet, startTlsElevate, type TlsElevate } from '../helpers/tls-elevate.js';

const ROOT = new URL('../..', import.meta.url).pathname;

async function eventually<T>(what: string, attempt: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const result = await attempt().catch(() => undefined);
    if (result !== undefined) return result;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A pino logger whose JSON lines the test can read. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** Replaces a file the way a renewal tool does: write aside, then rename over it. */
function replaceFile(path: string, content: Buffer): void {
  writeFileSync(`${path}.new`, content);
  renameSync(`${path}.new`, path);
}

describe('Elevate serving TLS itself', () => {
  let server: TlsElevate | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves HTTPS with the configured certificate, and plain HTTP is not spoken on the port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-tls-'));
    const first = selfSignedCertificate(dir, 'first');
    server = await startTlsElevate({ certFile: first.certFile, keyFile: first.keyFile });

    const ready = await httpsGet(`${server.base}/readyz`, first.cert);
    expect(ready).toMatchObject({ status: 200, peerFingerprint256: first.fingerprint256 });
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready' });
    // Discovery names https URLs: the public URL clients are given is the TLS one.
    const discovery = JSON.parse(
      (
        await httpsGet(
          `${server.base}/${server.boot.tenantId}/v2.0/.well-known/openid-configuration`,
          first.cert,
        )
      ).body,
    ) as { token_endpoint: string };
    expect(discovery.token_endpoint).toBe(`${server.base}/${server.boot.tenantId}/oauth2/v2.0/token`);

    // A client that does not trust the certificate is refused by its own TLS stack.
    const other = selfSignedCertificate(dir, 'other');
    await expect(httpsGet(`${server.base}/readyz`, other.cert)).rejects.toThrow(/self-signed certificate/);
    await expect(fetch(`http://127.0.0.1:${server.port}/readyz`)).rejects.toThrow();
  });

  it('installs a renewed certificate for new connections without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-tls-'));
    const first = selfSignedCertificate(dir, 'first');
    const second = selfSignedCertificate(dir, 'second');
    const live = { certFile: join(dir, 'live-cert.pem'), keyFile: join(dir, 'live-key.pem') };
    copyFileSync(first.certFile, live.certFile);
    copyFileSync(first.keyFile, live.keyFile);
    const { logger, lines } = capturedLogger();
    server = await startTlsElevate({ ...live, reloadIntervalMs: 50, logger });
    const base = server.base;
    expect((await httpsGet(`${base}/readyz`, first.cert)).peerFingerprint256).toBe(first.fingerprint256);

    replaceFile(live.keyFile, second.key);
    replaceFile(live.certFile, second.cert);
    const renewed = await eventually('the second certificate', async () => {
      const answer = await httpsGet(`${base}/readyz`, second.cert);
      return answer.peerFingerprint256 === second.fingerprint256 ? answer : undefined;
    });
    expect(renewed.status).toBe(200);
    await expect(httpsGet(`${base}/readyz`, first.cert)).rejects.toThrow(/self-signed certificate/);
    expect(lines.find((l) => l.msg === 'TLS certificate reloaded')).toMatchObject({
      level: 30,
      certificate: { fingerprint256: second.fingerprint256, subject: 'CN=Elevate test second' },
    });
  });

  it('keeps the working certificate when the new files do not fit, logs why once, and takes them when they do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-tls-'));
    const first = selfSignedCertificate(dir, 'first');
    const second = selfSignedCertificate(dir, 'second');
    const live = { certFile: join(dir, 'live-cert.pem'), keyFile: join(dir, 'live-key.pem') };
    copyFileSync(first.certFile, live.certFile);
    copyFileSync(first.keyFile, live.keyFile);
    const { logger, lines } = capturedLogger();
    server = await startTlsElevate({ ...live, reloadIntervalMs: 50, logger });
    const base = server.base;
    const refusals = () => lines.filter((l) => l.level === 50);

    // The renewal tool wrote the new certificate but not yet its key.
    replaceFile(live.certFile, second.cert);
    await eventually('the refusal in the log', async () => (refusals().length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300)); // several more reload runs
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toMatchObject({
      msg: 'TLS certificate files changed but cannot serve; keeping the previous certificate',
      variable: 'ELEVATE_TLS_KEY_FILE',
      reason: `the key in ${live.keyFile} does not belong to the certificate in ${live.certFile}`,
    });
    expect((await httpsGet(`${base}/readyz`, first.cert)).peerFingerprint256).toBe(first.fingerprint256);

    // Each step below leaves only pairs that cannot serve or the working one, whichever moment a
    // reload run reads the two files at.
    // A missing file is refused too.
    replaceFile(live.certFile, first.cert);
    rmSync(live.keyFile);
    await eventually('the missing key in the log', async () => (refusals().length > 1 ? true : undefined));
    expect(refusals()[1]).toMatchObject({
      variable: 'ELEVATE_TLS_KEY_FILE',
      reason: expect.stringMatching(/ENOENT/),
    });
    expect((await httpsGet(`${base}/readyz`, first.cert)).status).toBe(200);

    // Garbage in the certificate file: refused, named.
    replaceFile(
      live.certFile,
      Buffer.from('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n'),
    );
    replaceFile(live.keyFile, first.key);
    await eventually('the bad certificate in the log', async () =>
      refusals().length > 2 ? true : undefined,
    );
    expect(refusals()[2]).toMatchObject({ variable: 'ELEVATE_TLS_CERT_FILE' });
    expect((await httpsGet(`${base}/readyz`, first.cert)).peerFingerprint256).toBe(first.fingerprint256);

    // The renewal completes: the pair fits and is installed.
    replaceFile(live.keyFile, second.key);
    replaceFile(live.certFile, second.cert);
    await eventually('the second certificate', async () =>
      (await httpsGet(`${base}/readyz`, second.cert)).peerFingerprint256 === second.fingerprint256
        ? true
        : undefined,
    );
  });

  it('refuses to start with files that cannot serve, naming the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-tls-'));
    const first = selfSignedCertificate(dir, 'first');
    const second = selfSignedCertificate(dir, 'second');
    await expect(startTlsElevate({ certFile: first.certFile, keyFile: second.keyFile })).rejects.toThrow(
      `Invalid configuration: ELEVATE_TLS_KEY_FILE: the key in ${second.keyFile} does not belong to the certificate in ${first.certFile}`,
    );
    await expect(
      startTlsElevate({ certFile: join(dir, 'missing.pem'), keyFile: first.keyFile }),
    ).rejects.toThrow(
      `Invalid configuration: ELEVATE_TLS_CERT_FILE: cannot read ${join(dir, 'missing.pem')}`,
    );
    writeFileSync(join(dir, 'empty.pem'), '');
    await expect(
      startTlsElevate({ certFile: first.certFile, keyFile: join(dir, 'empty.pem') }),
    ).rejects.toThrow(
      /^Invalid configuration: ELEVATE_TLS_KEY_FILE: .*empty\.pem holds no unencrypted PEM private key$/,
    );
  });
});

/** `src/main.ts` as a process (as `npm start` runs it, with tsx instead of the build). */
function startProcess(test: TestContext, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  test.onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { log: () => out, exited, child };
}

// Starting tsx on a loaded 2-core machine can take many seconds.
describe(
  'the server process with ELEVATE_TLS_CERT_FILE and ELEVATE_TLS_KEY_FILE',
  { timeout: 90_000 },
  () => {
    it('listens on HTTPS, and its public URL and credentials file say https', async (test) => {
      const dir = mkdtempSync(join(tmpdir(), 'elevate-tls-e2e-'));
      const cert = selfSignedCertificate(dir, 'server');
      const port = await freePort();
      const running = startProcess(test, {
        ELEVATE_PORT: String(port),
        ELEVATE_DATA_DIR: join(dir, 'data'),
        DATABASE_URL: `sqlite:${join(dir, 'data', 'elevate.db')}`,
        ELEVATE_TLS_CERT_FILE: cert.certFile,
        ELEVATE_TLS_KEY_FILE: cert.keyFile,
      });
      await eventually(
        'the server to listen',
        async () => (running.log().includes('Elevate is listening') ? true : undefined),
        80_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${running.log()}`);
      });
      const base = `https://127.0.0.1:${port}`;
      expect(running.log()).toContain(`"url":"${base}"`);
      const creds = JSON.parse(readFileSync(join(dir, 'data', 'bootstrap-credentials.json'), 'utf8')) as {
        tenantId: string;
        tokenEndpoint: string;
      };
      expect(creds.tokenEndpoint).toBe(`${base}/${creds.tenantId}/oauth2/v2.0/token`);
      const ready = await httpsGet(`${base}/readyz`, cert.cert);
      expect(ready).toMatchObject({ status: 200, peerFingerprint256: cert.fingerprint256 });
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    });
  },
);
