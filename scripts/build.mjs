// The production build (`npm run build`): tsc into dist/, the portal (web/, Vite) into dist/web/
// within its JavaScript budget, then a stamp that `npm start` (scripts/start.mjs) compares with the
// sources, so a start rebuilds only after a change.
// Plain JavaScript, not TypeScript: it must run before anything is compiled, without tsx.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The repository this script belongs to. */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Written after a successful build, dated when that build started. */
export const STAMP = join('dist', '.build-stamp');

/** What the build reads besides src/ and web/: a change to any of them changes what is emitted. */
const INPUT_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The folders whose files are compiled: the server (tsc) and the portal (Vite). */
const INPUT_DIRS = ['src', 'web'];

/** The built portal, served at `/` (src/http/portal.ts). */
export const WEB_OUT = join('dist', 'web');

/** The first page's JavaScript, gzipped, must stay under this (issue #15; ADR 0032). */
export const FIRST_PAGE_JS_BUDGET_BYTES = 500 * 1024;

/**
 * The newest modification time under src/ and web/ (files and folders: adding, renaming or deleting a file
 * changes its folder's time) and of the build's configuration files, in milliseconds.
 * @param {string} root
 * @param {readonly string[]} [dirs] the source folders to look at (default: src/ and web/)
 * @returns {number}
 */
export function newestInputMtimeMs(root, dirs = INPUT_DIRS) {
  let newest = 0;
  /** @param {string} path */
  const see = (path) => {
    newest = Math.max(newest, statSync(path).mtimeMs);
  };
  /** @param {string} dir */
  const walk = (dir) => {
    see(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else see(path);
    }
  };
  for (const dir of dirs) if (existsSync(join(root, dir))) walk(join(root, dir));
  for (const file of INPUT_FILES) if (existsSync(join(root, file))) see(join(root, file));
  return newest;
}

/**
 * Why dist/ must be built before a start, or undefined when it is current: no successful build
 * yet, or a source or build setting changed since the last one started.
 * @param {string} [root]
 * @returns {string | undefined}
 */
export function whyBuild(root = ROOT) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp)) return 'no build yet';
  if (existsSync(join(root, 'web')) && !existsSync(join(root, WEB_OUT, 'index.html')))
    return 'the portal is not built';
  if (newestInputMtimeMs(root) > statSync(stamp).mtimeMs) return 'sources changed since the last build';
  return undefined;
}

/**
 * Why the portal alone must be built again (the browser tests build it, not the server), or
 * undefined when dist/web/ is newer than every file under web/.
 * @param {string} [root]
 * @returns {string | undefined}
 */
export function whyBuildWeb(root = ROOT) {
  const index = join(root, WEB_OUT, 'index.html');
  if (!existsSync(index)) return 'the portal is not built';
  if (newestInputMtimeMs(root, ['web']) > statSync(index).mtimeMs)
    return 'the portal changed since its build';
  return undefined;
}

/**
 * The gzipped size of the JavaScript the portal's first page loads: the module scripts and module
 * preloads `index.html` names (chunks loaded later, on navigation, do not count).
 * @param {string} [root]
 * @returns {{ bytes: number, files: string[] }}
 */
export function firstPageJs(root = ROOT) {
  const out = join(root, WEB_OUT);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(out, file))).length, 0);
  return { bytes, files };
}

/**
 * The environment without a test runner's variables.
 * @param {NodeJS.ProcessEnv} env
 * @returns {NodeJS.ProcessEnv}
 */
const productionEnv = (env) =>
  Object.fromEntries(Object.entries(env).filter(([name]) => !/^(VITE|VITEST|MODE$|TEST$)/.test(name)));

/**
 * Builds the portal (web/) into dist/web/ with Vite, then holds it to its budget.
 * @param {string} [root]
 * @returns {number} 0 when built within budget
 */
export function buildWeb(root = ROOT) {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const config = join(root, 'web', 'vite.config.ts');
  const result = spawnSync(process.execPath, [vite, 'build', '--mode', 'production', '--config', config], {
    cwd: root,
    stdio: 'inherit',
    // React's production build, also when a test runner calls this (Vitest's NODE_ENV=test, MODE,
    // VITEST… would give React's development build, a third larger).
    env: { ...productionEnv(process.env), NODE_ENV: 'production' },
  });
  if ((result.status ?? 1) !== 0) return result.status ?? 1;
  const { bytes, files } = firstPageJs(root);
  if (files.length === 0 || bytes > FIRST_PAGE_JS_BUDGET_BYTES) {
    process.stderr.write(
      `The portal's first page loads ${bytes} bytes of gzipped JavaScript (${files.join(', ') || 'no script found'}); ` +
        `the budget is ${FIRST_PAGE_JS_BUDGET_BYTES}.\n`,
    );
    return 1;
  }
  return 0;
}

/**
 * Compiles src/ into dist/ with the project's TypeScript, and the portal into dist/web/. The stamp is removed first and written
 * only when tsc succeeds, dated at the build's start, so a file saved during the build still
 * counts as newer.
 * @param {string} [root]
 * @returns {number} 0 when both built (tsc's exit code, else the portal's)
 */
export function build(root = ROOT) {
  const stamp = join(root, STAMP);
  rmSync(stamp, { force: true });
  const startedAt = new Date();
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  let code = result.status ?? 1;
  if (code === 0 && existsSync(join(root, 'web'))) code = buildWeb(root);
  if (code === 0) {
    closeSync(openSync(stamp, 'w'));
    utimesSync(stamp, startedAt, startedAt);
  }
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = build();
}
