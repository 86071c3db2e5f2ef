import { afterAll, beforeAll, vi } from 'vitest';

// Test files share a worker (`isolate: false` in vitest.config.ts), so what one file changes in the
// process would reach the files after it. This runs around every test file and fails the one that
// leaves fake timers on or process.env changed.

let envBefore: Record<string, string | undefined> = {};

beforeAll(() => {
  envBefore = { ...process.env };
});

afterAll(() => {
  if (vi.isFakeTimers()) {
    vi.useRealTimers();
    throw new Error('this test file left fake timers on: call vi.useRealTimers() when done');
  }
  const changed = [...new Set([...Object.keys(envBefore), ...Object.keys(process.env)])].filter(
    (name) => envBefore[name] !== process.env[name],
  );
  if (changed.length > 0) {
    Object.assign(process.env, envBefore);
    for (const name of changed) if (envBefore[name] === undefined) delete process.env[name];
    throw new Error(`this test file changed process.env (${changed.join(', ')}): restore it when done`);
  }
});
