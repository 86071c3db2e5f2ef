// `npm start` builds only when it must: scripts/build.mjs compares the newest source with the
// stamp of the last successful build. (test/e2e/readme.test.ts runs the real build and start.)
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STAMP, WEB_OUT, whyBuild, whyBuildWeb } from '../../scripts/build.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project tree whose every input was last changed a minute ago, built (stamped) 30 s ago. */
function builtTree(): { root: string; touch(path: string): void } {
  const root = mkdtempSync(join(tmpdir(), 'elevate-build-'));
  dirs.push(root);
  const files = [
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'src/main.ts',
    'src/app/use-case.ts',
  ];
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '{}');
  }
  const minuteAgo = new Date(Date.now() - 60_000);
  for (const path of [...files, 'src', 'src/app']) utimesSync(join(root, path), minuteAgo, minuteAgo);
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, STAMP), '');
  const halfMinuteAgo = new Date(Date.now() - 30_000);
  utimesSync(join(root, STAMP), halfMinuteAgo, halfMinuteAgo);
  return {
    root,
    touch: (path) => utimesSync(join(root, path), new Date(), new Date()),
  };
}

describe('whether npm start must build first (scripts/build.mjs)', () => {
  it('builds when no build has succeeded yet', () => {
    const { root } = builtTree();
    rmSync(join(root, STAMP));
    expect(whyBuild(root)).toBe('no build yet');
  });

  it('does not build when nothing changed since the last build', () => {
    expect(whyBuild(builtTree().root)).toBeUndefined();
  });

  it.each(['src/app/use-case.ts', 'src/main.ts', 'tsconfig.build.json', 'package.json'])(
    'builds again when %s changed',
    (path) => {
      const tree = builtTree();
      tree.touch(path);
      expect(whyBuild(tree.root)).toBe('sources changed since the last build');
    },
  );

  it('builds again when a source file was added or deleted (its folder changed)', () => {
    const added = builtTree();
    writeFileSync(join(added.root, 'src/app/new-use-case.ts'), '');
    expect(whyBuild(added.root)).toBe('sources changed since the last build');
    const deleted = builtTree();
    rmSync(join(deleted.root, 'src/app/use-case.ts'));
    expect(whyBuild(deleted.root)).toBe('sources changed since the last build');
  });

  it('builds when the portal (web/) changed or was never built', () => {
    const tree = builtTree();
    mkdirSync(join(tree.root, 'web', 'src'), { recursive: true });
    writeFileSync(join(tree.root, 'web', 'src', 'main.tsx'), '');
    expect(whyBuild(tree.root)).toBe('the portal is not built');
    expect(whyBuildWeb(tree.root)).toBe('the portal is not built');
    mkdirSync(join(tree.root, WEB_OUT), { recursive: true });
    writeFileSync(join(tree.root, WEB_OUT, 'index.html'), '');
    const past = new Date(Date.now() - 60_000);
    for (const path of ['web', 'web/src', 'web/src/main.tsx']) utimesSync(join(tree.root, path), past, past);
    // The build half a minute later, so that a touch now is newer whatever the clock's granularity.
    const built = new Date(Date.now() - 30_000);
    utimesSync(join(tree.root, WEB_OUT, 'index.html'), built, built);
    expect(whyBuild(tree.root)).toBeUndefined();
    expect(whyBuildWeb(tree.root)).toBeUndefined();
    tree.touch('web/src/main.tsx');
    expect(whyBuild(tree.root)).toBe('sources changed since the last build');
    expect(whyBuildWeb(tree.root)).toBe('the portal changed since its build');
  });
});
