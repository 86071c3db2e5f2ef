#!/usr/bin/env node
import { runCli } from './run-cli.js';

/** The `elevate` bin: the command line, streams and environment of this process. */
const { stdout, stderr, env, argv } = process;
process.exitCode = await runCli(argv.slice(2), { stdout, stderr, env });
