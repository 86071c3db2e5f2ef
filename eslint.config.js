// Lint: type-aware rules plus the layer rule from STYLE.md (dependencies point inward).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders a layer must not import from, relative to src/. */
const forbidden = {
  domain: [
    'app',
    'store',
    'http',
    'identity',
    'jobs',
    'notify',
    'connectors',
    'cli',
    'config',
    'main',
    'odata',
    'compose',
  ],
  odata: ['app', 'store', 'http', 'identity', 'jobs', 'cli', 'config', 'main', 'compose'],
  app: ['store', 'http', 'identity', 'jobs', 'notify', 'connectors', 'cli', 'main', 'compose'],
  store: ['http', 'jobs', 'cli', 'main'],
  http: ['store', 'jobs', 'cli', 'main', 'compose'],
  identity: ['http', 'store', 'jobs', 'cli', 'main'],
  jobs: ['http', 'cli', 'main'],
  cli: ['http', 'main'],
};

const frameworkBans = {
  domain: ['kysely', 'fastify', 'better-sqlite3', 'pg', 'oidc-provider', 'pino', 'zod'],
};

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...banned.map((target) => ({
            group: [`**/${target}/**`, `**/${target}`, `**/${target}.js`],
            message: `${layer}/ must not import ${target}/ (see STYLE.md: dependencies point inward).`,
          })),
          ...(frameworkBans[layer] ?? []).map((pkg) => ({
            group: [pkg, `${pkg}/*`],
            message: `${layer}/ is pure: no ${pkg}.`,
          })),
        ],
      },
    ],
  },
}));

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
    files: ['src/domain/time/clock.ts', 'bench/**/*.ts', 'test/**/*.ts', 'src/**/*.test.ts'],
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
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  ...layerRules,
);
