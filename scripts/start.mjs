// `npm start`: builds dist/ only when it is missing or older than the sources (scripts/build.mjs),
// then runs the server in this same process, so signals reach it directly. An unchanged tree starts
// without compiling anything.
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { build, ROOT, whyBuild } from './build.mjs';

const reason = whyBuild();
if (reason !== undefined) {
  process.stderr.write(`Building dist/ first (${reason}); later starts skip this until a source changes.\n`);
  const code = build();
  if (code !== 0) {
    process.stderr.write('The build failed: Elevate was not started.\n');
    process.exit(code);
  }
}
await import(pathToFileURL(join(ROOT, 'dist', 'src', 'main.js')).href);
