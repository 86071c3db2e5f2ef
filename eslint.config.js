// Lint: type-aware rules plus the layer rules of layers.config.js (dependencies point inward).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { LAYERS } from './layers.config.js';

/** Import patterns that reach a layer (a folder, or a file such as compose.ts). */
const reach = (path) => [`**/${path}/**`, `**/${path}`, `**/${path}.js`];

// One rule per layer, from layers.config.js: every other layer it may not import, and its bans.
const layerRules = Object.entries(LAYERS).map(([name, layer]) => {
  const others = Object.entries(LAYERS).filter(([n]) => n !== name && !layer.imports.includes(n));
  return {
    files: [`src/${layer.path}/**/*.ts`, `src/${layer.path}.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...others.map(([target, t]) => ({
              group: reach(t.path),
              message: `${name}/ must not import ${target} (layers.config.js: dependencies point inward).`,
            })),
            ...(layer.bans ?? []).map((pkg) => ({
              group: [pkg, `${pkg}/*`],
              message: `${name}/ must not import ${pkg} (layers.config.js).`,
            })),
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Fastify plugins and handlers are async by contract even when they await nothing.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Read the time from the injected Clock (DESIGN.md invariant 1).',
        },
      ],
    },
  },
  {
    // The portal runs in the browser, whose clock is the one its countdowns must follow.
    files: [
      'src/domain/time/clock.ts',
      'bench/**/*.ts',
      'test/**/*.ts',
      'src/**/*.test.ts',
      'web/**/*.{ts,tsx}',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.test.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['eslint.config.js', 'layers.config.js'], ...tseslint.configs.disableTypeChecked },
  ...layerRules,
  {
    // What happened is declared once: use cases record events; only the unit of work's event log
    // appends audit entries and enqueues outbox messages (docs/adr/0014).
    files: ['src/app/**/*.ts', 'src/http/**/*.ts', 'src/identity/**/*.ts', 'src/jobs/**/*.ts'],
    ignores: ['src/app/events/event-log.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Read the time from the injected Clock (DESIGN.md invariant 1).',
        },
        {
          selector:
            "CallExpression[callee.property.name=/^(append|appendMany)$/][callee.object.property.name='audit']",
          message: 'Record a domain event (tx.events.record); the unit of work appends the audit entries.',
        },
        {
          selector: "CallExpression[callee.property.name='enqueue'][callee.object.property.name='outbox']",
          message: 'Record a domain event with a payload; the unit of work enqueues the outbox message.',
        },
      ],
    },
  },
);
