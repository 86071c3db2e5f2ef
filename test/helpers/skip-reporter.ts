import type { Reporter, TestModule, Vitest } from 'vitest/node';
import './skip.js';

/** How many unexplained skips are named one by one before the rest are only counted. */
const NAMED_UNEXPLAINED = 10;

/**
 * Lists, after the default summary, which tests were skipped and why: the reason given with
 * `skipFor` (test/helpers/skip.ts) or `ctx.skip(note)`, with the files they are in. A skip without
 * a reason is named too, so it gets one.
 */
export default class SkipReasonReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byReason = new Map<string, { count: number; files: Set<string> }>();
    const unexplained: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const result = test.result();
        const reason = test.meta().skipReason ?? (result.state === 'skipped' ? result.note : undefined);
        if (reason === undefined || test.options.mode === 'todo') {
          if (test.options.mode !== 'todo') unexplained.push(`${module.relativeModuleId} › ${test.fullName}`);
          continue;
        }
        const entry = byReason.get(reason) ?? { count: 0, files: new Set<string>() };
        entry.count += 1;
        entry.files.add(module.relativeModuleId);
        byReason.set(reason, entry);
      }
    }
    if (byReason.size === 0 && unexplained.length === 0) return;
    const lines = ['', ' Skipped tests, and why:'];
    for (const [reason, { count, files }] of [...byReason].sort((a, b) => b[1].count - a[1].count)) {
      lines.push(`   ${count} skipped: ${reason}`, `       ${[...files].sort().join(', ')}`);
    }
    if (unexplained.length > 0) {
      lines.push(
        `   ${unexplained.length} skipped without a reason (.skip, .only or -t; use skipFor(reason)):`,
      );
      for (const name of unexplained.slice(0, NAMED_UNEXPLAINED)) lines.push(`       ${name}`);
      if (unexplained.length > NAMED_UNEXPLAINED)
        lines.push(`       … and ${unexplained.length - NAMED_UNEXPLAINED} more`);
    }
    const log = this.vitest?.logger;
    for (const line of lines) {
      if (log) log.log(line);
      else console.log(line);
    }
  }
}
