// The production build (`npm run build`): tsc into dist/, then a stamp that `npm start`
// (scripts/start.mjs) compares with the sources, so a start rebuilds only after a change.
// Plain JavaScript, not TypeScript: it must run before anything is compiled, without tsx.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

/** The repository this script belongs to. */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Written after a successful build, dated when that build started. */
export const STAMP = join('dist', '.build-stamp');

/** What the build reads besides src/: a change to any of them changes what tsc emits. */
const INPUT_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];

/**
 * The newest modification time under src/ (files and folders: adding, renaming or deleting a file
 * changes its folder's time) and of the build's configuration files, in milliseconds.
 * @param {string} root
 * @returns {number}
 */
export function newestInputMtimeMs(root) {
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
  walk(join(root, 'src'));
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
  if (newestInputMtimeMs(root) > statSync(stamp).mtimeMs) return 'sources changed since the last build';
  return undefined;
}

/**
 * Compiles src/ into dist/ with the project's TypeScript. The stamp is removed first and written
 * only when tsc succeeds, dated at the build's start, so a file saved during the build still
 * counts as newer.
 * @param {string} [root]
 * @returns {number} tsc's exit code
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
  const code = result.status ?? 1;
  if (code === 0) {
    closeSync(openSync(stamp, 'w'));
    utimesSync(stamp, startedAt, startedAt);
  }
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = build();
}
