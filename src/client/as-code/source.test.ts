import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA } from './schema.js';
import { readSource } from './source.js';

const docs = (path: string) => new URL(`../../../docs/${path}`, import.meta.url);

/** Reads `text` as an elevate.yaml; the error's message, or undefined when it is valid. */
function problem(text: string): string | undefined {
  const file = join(mkdtempSync(join(tmpdir(), 'elevate-config-')), 'elevate.yaml');
  writeFileSync(file, text);
  try {
    readSource(file);
    return undefined;
  } catch (error) {
    return (error as Error).message.slice(file.length);
  }
}

describe('elevate.yaml: the published schema and file:line:column errors', () => {
  it('publishes the schema the CLI checks with (docs/schemas/elevate-config.schema.json)', () => {
    const published = JSON.parse(readFileSync(docs('schemas/elevate-config.schema.json'), 'utf8')) as unknown;
    expect(published).toEqual(CONFIG_SCHEMA);
  });

  it('accepts the documented example', () => {
    const source = readSource(docs('examples/elevate.yaml').pathname);
    expect(Object.keys(source.value.roles ?? {})).toEqual(['Helpdesk Administrator', 'Global Administrator']);
    expect(source.value.assignments).toHaveLength(3);
  });

  it.each([
    ['version: 2\n', ':1:10: "version" must be 1'],
    ['roles: {}\n', ':1:1: the file needs "version"'],
    [
      'version: 1\nroles:\n  X:\n    activation:\n      maximumDuration: 1 week\n',
      ':5:24: invalid duration "1 week"',
    ],
    ['version: 1\nroles:\n  X:\n    eligibility:\n      maximumDuration: P\n', ':5:24: invalid duration "P"'],
    [
      'version: 1\nroles:\n  X:\n    activation:\n      approval:\n        mode: Twice\n',
      ':6:15: "roles.X.activation.approval.mode" must be one of SingleStage, Serial, Parallel, NoApproval',
    ],
    ['version: 1\nroles:\n  X:\n    activaton: {}\n', ':4:5: unknown field "activaton"'],
    [
      'version: 1\nassignments:\n  - type: eligible\n    principal: a\n    role: b\n',
      ':3:5: give exactly one of permanent',
    ],
    [
      'version: 1\nassignments:\n  - type: owner\n    principal: a\n    role: b\n    permanent: true\n',
      ':3:11: "assignments.0.type" must be one of eligible, active',
    ],
    ['version: 1\nroles: [\n', ':3:1: '],
  ])('refuses %j with the place and one line', (text, expected) => {
    const message = problem(text);
    expect(message).toContain(expected);
    expect(message?.split('\n')).toHaveLength(1);
  });
});
